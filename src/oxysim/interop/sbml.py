"""SBML Level 3 export of the assembled model with python-libsbml.

States become non-constant parameters with rate rules (one term per process, so each process stays
visible), assignments become assignment rules, inputs become parameters switched by events, and a
regimen's doses become events. Every quantity carries an SBML unit definition converted from its
pint unit; every parameter's notes cite its source or state its assumption.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import libsbml
import numpy as np
import sympy as sp
from sympy.printing.str import StrPrinter

from oxysim import RESEARCH_USE_NOTICE, __version__
from oxysim.engine.events import Event, group_by_time
from oxysim.errors import OxysimError
from oxysim.model.compile import CompiledModel
from oxysim.model.declaration import TIME_SYMBOL
from oxysim.model.units import MODEL_TIME_UNIT, model_unit

SBML_LEVEL, SBML_VERSION = 3, 2
_SI_KINDS = {"[length]": "metre", "[mass]": "kilogram", "[time]": "second", "[substance]": "mole",
             "[current]": "ampere", "[temperature]": "kelvin"}
_KIND_CODES = {"metre": libsbml.UNIT_KIND_METRE, "kilogram": libsbml.UNIT_KIND_KILOGRAM,
               "second": libsbml.UNIT_KIND_SECOND, "mole": libsbml.UNIT_KIND_MOLE,
               "ampere": libsbml.UNIT_KIND_AMPERE, "kelvin": libsbml.UNIT_KIND_KELVIN,
               "dimensionless": libsbml.UNIT_KIND_DIMENSIONLESS}


class SBMLExportError(OxysimError):
    """The SBML document did not validate."""


class _L3FormulaPrinter(StrPrinter):
    """Print sympy expressions in libsbml's L3 infix syntax (``^`` for powers, ``ln``, ``time``)."""

    def _print_Pow(self, expr: sp.Pow) -> str:
        base, exponent = expr.as_base_exp()
        return f"({self._print(base)})^({self._print(exponent)})"

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return "time" if expr.name == TIME_SYMBOL else expr.name

    def _print_log(self, expr: sp.Function) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "exponentiale"

    def _print_Pi(self, expr: sp.Expr) -> str:
        return "pi"

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"({expr.p}/{expr.q})"


def formula(expr: sp.Expr) -> str:
    """An L3 formula string for ``expr``."""
    return _L3FormulaPrinter().doprint(expr)


def _math(expr: sp.Expr | float, where: str) -> libsbml.ASTNode:
    text = formula(sp.sympify(expr))
    node = libsbml.parseL3Formula(text)
    if node is None:
        raise SBMLExportError(f"{where}: libsbml cannot parse {text!r}: {libsbml.getLastParseL3Error()}")
    return node


def _check(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SBMLExportError(f"libsbml refused {what}: {libsbml.OperationReturnValue_toString(code)}")


class _Units:
    """SBML unit definitions for pint units, created once per distinct unit."""

    def __init__(self, model: libsbml.Model) -> None:
        self.model = model
        self.ids: dict[str, str] = {}

    def id_for(self, unit: str | object) -> str:
        parsed = model_unit(unit) if isinstance(unit, str) else unit
        key = f"{parsed:~C}" or "dimensionless"
        if key in self.ids:
            return self.ids[key]
        if parsed.dimensionless and (1 * parsed).to_base_units().magnitude == 1:
            self.ids[key] = "dimensionless"
            return "dimensionless"
        uid = f"u{len(self.ids)}_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in key)[:40]
        definition = self.model.createUnitDefinition()
        _check(definition.setId(uid), f"unit id {uid}")
        definition.setName(key)
        base = (1 * parsed).to_base_units()
        factors = [(_SI_KINDS[dim], exponent) for dim, exponent in base.dimensionality.items()]
        if not factors:
            factors = [("dimensionless", 1)]
        for i, (kind, exponent) in enumerate(factors):
            item = definition.createUnit()
            item.setKind(_KIND_CODES[kind])
            item.setExponent(float(exponent))
            item.setScale(0)
            multiplier = base.magnitude ** (1.0 / exponent) if i == 0 else 1.0
            item.setMultiplier(float(multiplier))
        self.ids[key] = uid
        return uid


def _notes(element: libsbml.SBase, lines: Sequence[str]) -> None:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    _check(element.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>'), "notes")


def _parameter(model: libsbml.Model, units: _Units, name: str, value: float | None, unit: str, constant: bool,
               notes: Sequence[str]) -> None:
    p = model.createParameter()
    _check(p.setId(name), f"parameter id {name}")
    if value is not None:  # assignment-rule variables take their value from the rule
        _check(p.setValue(float(value)), f"value of {name}")
    p.setConstant(constant)
    _check(p.setUnits(units.id_for(unit)), f"units of {name}")
    _notes(p, notes)


def export_sbml(
    compiled: CompiledModel,
    parameters: Mapping[str, float],
    initial_state: np.ndarray,
    events: Sequence[Event] = (),
    *,
    model_id: str = "oxysim",
) -> str:
    """The model, one patient's parameters and initial state, and a regimen's events, as SBML L3V2.

    ``parameters`` are in model units (time in hours); ``initial_state`` has shape ``(n_states,)``.
    """
    declared = compiled.model
    doc = libsbml.SBMLDocument(SBML_LEVEL, SBML_VERSION)
    model = doc.createModel()
    model.setId(model_id)
    model.setName(f"oxysim {__version__}: oxytocin in anxiety disorders")
    units = _Units(model)
    _check(model.setTimeUnits(units.id_for(MODEL_TIME_UNIT)), "time units")
    _notes(model, [RESEARCH_USE_NOTICE, "Variants: " + ", ".join(f"{k}={v}" for k, v in declared.chosen_variants.items())])

    for p in declared.parameters:
        _parameter(model, units, p.name, parameters[p.name], p.unit, True,
                   [p.description, f"Source: {p.source}" if p.source else f"Assumption: {p.assumption}"])
    for i, s in enumerate(declared.states):
        _parameter(model, units, s.name, initial_state[i], s.unit, False, [s.description])
    for item in declared.inputs:
        _parameter(model, units, item.name, item.default, item.unit, False, [item.description])
    for a in declared.assignments:
        _parameter(model, units, a.name, None, a.unit, False,
                   [a.description, "Claims: " + ", ".join(a.claims) if a.claims else ""])
        rule = model.createAssignmentRule()
        rule.setVariable(a.name)
        _check(rule.setMath(_math(compiled.local_assignments[a.name], f"assignment {a.name}")), f"rule {a.name}")

    terms: dict[str, list[tuple[str, sp.Expr]]] = {s: [] for s in declared.state_names}
    for process, state, term in compiled.local_terms:
        terms[state].append((process, term))
    claims = {p.name: p.claims for p in declared.processes}
    for state, items in terms.items():
        rule = model.createRateRule()
        rule.setVariable(state)
        total = sp.Add(*(term for _, term in items)) if items else sp.Integer(0)
        _check(rule.setMath(_math(total, f"rate of {state}")), f"rate rule {state}")
        _notes(rule, [f"{name} (claims {', '.join(claims[name]) or '-'})" for name, _ in items])

    for k, (time, group) in enumerate(group_by_time(events)):
        _event(model, f"event_{k}", time, group)

    errors = _validation_errors(doc)
    if errors:
        raise SBMLExportError("The SBML export did not validate: " + "; ".join(errors[:5]))
    return libsbml.writeSBMLToString(doc)


def _event(model: libsbml.Model, event_id: str, time: float, group: Sequence[Event]) -> None:
    event = model.createEvent()
    event.setId(event_id)
    event.setUseValuesFromTriggerTime(True)
    trigger = event.createTrigger()
    trigger.setInitialValue(False)
    trigger.setPersistent(True)
    trigger.setMath(_math(sp.Symbol(TIME_SYMBOL) >= time, event_id))
    _notes(event, [e.label for e in group])
    for item in group:
        for state, amount in item.bolus.items():
            value = float(np.asarray(amount).reshape(-1)[0])
            assignment = event.createEventAssignment()
            assignment.setVariable(state)
            assignment.setMath(_math(sp.Symbol(state) + value, event_id))
        for name, level in item.inputs.items():
            assignment = event.createEventAssignment()
            assignment.setVariable(name)
            assignment.setMath(_math(float(level), event_id))


def _validation_errors(doc: libsbml.SBMLDocument) -> list[str]:
    """Errors (not warnings) from libsbml's consistency checks, unit checks excluded: SBML cannot
    express the unit folding oxysim does at build time, which pint already verified."""
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.checkConsistency()
    messages = []
    for i in range(doc.getNumErrors()):
        error = doc.getError(i)
        if error.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            messages.append(f"{error.getErrorId()}: {error.getShortMessage()} ({error.getMessage().strip()[:200]})")
    return messages



def patient_sbml(
    subtype: str = "SAD",
    regimen: object = "",
    days: float | None = None,
    *,
    hypotheses: Mapping[str, str] | None = None,
    parameters: Mapping[str, float] | None = None,
) -> str:
    """SBML of the typical patient of ``subtype``, starting at its rest state, with ``regimen``'s events.

    This is the model ``oxysim.simulate(subtype, regimen, days)`` integrates for one patient without
    variability, so other simulators (libroadrunner, COPASI, tellurium) can reproduce it.
    """
    from oxysim.model import compile_model
    from oxysim.regimen import parse_regimen
    from oxysim.simulation import patient_parameters, rest_state

    compiled = compile_model(dict(hypotheses or {}))
    params = patient_parameters(compiled, subtype, 1, None, parameters)
    y0 = rest_state(compiled, params, 1)[0]
    events = parse_regimen(regimen).events(days)
    return export_sbml(compiled, {k: float(v[0]) for k, v in params.items()}, y0, events)
