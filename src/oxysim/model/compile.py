"""Assemble modules into one model, select hypothesis variants, check units, compile to numpy.

The compiled right-hand side works on arrays with a leading patient axis: states ``(N, n_states)``,
parameters ``{name: (N,) or scalar}``. Its Jacobian is derived symbolically once and evaluated
only at its structural non-zeros, which the engines assemble into a block-diagonal sparse matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import sympy as sp

from oxysim.errors import ModelDefinitionError
from oxysim.model.declaration import (
    TIME_SYMBOL,
    Assignment,
    Hypothesis,
    Input,
    Module,
    Parameter,
    Process,
    State,
)
from oxysim.model.units import (
    MODEL_TIME_UNIT,
    QUANTITY_FUNCTIONS,
    model_unit,
    to_model_units,
    unit_factor,
    units_of,
)

ArrayMap = Mapping[str, np.ndarray | float]


def _parse(expression: str | float, symbols: Mapping[str, sp.Symbol], where: str) -> sp.Expr:
    try:
        expr = sp.sympify(expression, locals=dict(symbols))
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise ModelDefinitionError(f"{where}: cannot parse {expression!r} ({exc}).") from exc
    unknown = {s.name for s in expr.free_symbols} - set(symbols)
    if unknown:
        raise ModelDefinitionError(f"{where}: unknown names {sorted(unknown)} in {expression!r}.")
    return expr


@dataclass(frozen=True)
class Model:
    """All modules together with the hypothesis variants chosen; the unit of compilation."""

    modules: tuple[Module, ...]
    hypothesis_choice: Mapping[str, str] = field(default_factory=dict)

    # --- declarations, flattened -------------------------------------------------------------
    @cached_property
    def states(self) -> tuple[State, ...]:
        return tuple(s for m in self.modules for s in m.states)

    @cached_property
    def inputs(self) -> tuple[Input, ...]:
        return tuple(i for m in self.modules for i in m.inputs)

    @cached_property
    def processes(self) -> tuple[Process, ...]:
        return tuple(p for m in self.modules for p in m.processes)

    @cached_property
    def hypotheses(self) -> tuple[Hypothesis, ...]:
        return tuple(h for m in self.modules for h in m.hypotheses)

    @cached_property
    def chosen_variants(self) -> dict[str, str]:
        """The variant of every hypothesis: the user's choice, else the default."""
        known = {h.name: h for h in self.hypotheses}
        for name in self.hypothesis_choice:
            if name not in known:
                raise ModelDefinitionError(
                    f"Unknown hypothesis {name!r}; known hypotheses: {', '.join(sorted(known))}."
                )
        chosen = {}
        for h in self.hypotheses:
            chosen[h.name] = h.variant(self.hypothesis_choice.get(h.name, h.default)).name
        return chosen

    def _overridden(self, items: list, variant_field: str, item_field: str, kind: str) -> tuple:
        """``items`` with the chosen variants' overrides (``Variant.<variant_field>``) applied to
        ``<item_field>``; an override of an unknown name is a definition error."""
        overrides: dict = {}
        for h in self.hypotheses:
            overrides.update(getattr(h.variant(self.chosen_variants[h.name]), variant_field))
        unknown = set(overrides) - {item.name for item in items}
        if unknown:
            raise ModelDefinitionError(f"A hypothesis variant overrides unknown {kind} {sorted(unknown)}.")
        return tuple(replace(i, **{item_field: overrides[i.name]}) if i.name in overrides else i for i in items)

    @cached_property
    def parameters(self) -> tuple[Parameter, ...]:
        """Parameters with hypothesis-variant value overrides applied (in declared units)."""
        return self._overridden([p for m in self.modules for p in m.parameters], "parameters", "value", "parameter")

    @cached_property
    def assignments(self) -> tuple[Assignment, ...]:
        """Assignments with hypothesis-variant expression overrides applied."""
        return self._overridden([a for m in self.modules for a in m.assignments], "assignments", "expression",
                                "assignment")

    # --- names ------------------------------------------------------------------------------
    @cached_property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    @cached_property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @cached_property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)

    @cached_property
    def assignment_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.assignments)

    def unit_of(self, name: str) -> str:
        """The declared unit of any named quantity."""
        return self.declared_units[name]

    @cached_property
    def declared_units(self) -> dict[str, str]:
        """The declared unit of every name (states, parameters, inputs, assignments and time)."""
        units = {TIME_SYMBOL: MODEL_TIME_UNIT}
        for group in (self.states, self.parameters, self.inputs, self.assignments):
            for item in group:
                if item.name in units:
                    raise ModelDefinitionError(f"The name {item.name!r} is declared twice.")
                units[item.name] = item.unit
        return units

    def default_parameters(self) -> dict[str, float]:
        """Parameter values converted to model units (time in hours)."""
        return {p.name: to_model_units(p.value, p.unit) for p in self.parameters}

    def compile(self) -> CompiledModel:
        """Check units and build the numerical functions."""
        return CompiledModel(self)


class CompiledModel:
    """Numerical functions of a :class:`Model`, vectorised over a leading patient axis."""

    def __init__(self, model: Model) -> None:
        self.model = model
        units = model.declared_units  # also checks that names are unique
        self.symbols = {name: sp.Symbol(name, real=True) for name in units}
        self._argument_names = (
            [TIME_SYMBOL]
            + list(model.state_names)
            + list(model.parameter_names)
            + list(model.input_names)
        )
        self._arguments = [self.symbols[n] for n in self._argument_names]
        self._argument_units = units_of(self._argument_names, units)
        self._unit_points = self._evaluation_points()
        self.local_assignments: dict[str, sp.Expr] = {}  # in declared units, over direct dependencies
        self.local_terms: list[tuple[str, str, sp.Expr]] = []  # (process, state, term in state unit/h)
        self._assignment_exprs = self._resolve_assignments()
        self._rhs_exprs = self._build_rhs()
        self._compile()

    # --- symbolic assembly with unit checks -----------------------------------------------------
    def _evaluation_points(self) -> list[dict[str, float]]:
        """Two points at which every expression is evaluated for the unit check: parameters at
        their values and at distinctly perturbed values, states and inputs at distinct positive
        numbers, so that no sum of terms in different units can give equal ratios at both.
        Assignment values are added as they are resolved."""
        params = self.model.default_parameters()
        points = []
        for base, step, spread in ((0.7, 0.013, 0.0), (1.3, 0.029, 0.0071)):
            points.append({
                n: params[n] * (1.0 + spread * (i % 13 + 1)) if n in params else base + step * i
                for i, n in enumerate(self._argument_names)
            })
        return points

    def _in_units(self, what: str, raw: sp.Expr, unit: str | object) -> float:
        """The factor that puts ``raw`` (over base symbols and assignment names, each in its declared
        unit) into ``unit``; raises if the units are inconsistent."""
        expected = model_unit(unit) if isinstance(unit, str) else unit
        names = sorted({s.name for s in raw.free_symbols})
        fn = sp.lambdify([self.symbols[n] for n in names], raw, modules=[QUANTITY_FUNCTIONS, "numpy"])
        units = units_of(names, self.model.declared_units)
        points = [[point[n] for n in names] for point in self._unit_points]
        return unit_factor(what, fn, units, points, expected)

    def _resolve_assignments(self) -> dict[str, sp.Expr]:
        """Parse assignments, check and scale each to its declared unit, and substitute them into
        each other until only base symbols remain."""
        declared = {a.name: a for a in self.model.assignments}
        raw = {name: _parse(a.expression, self.symbols, f"assignment {name!r}") for name, a in declared.items()}
        resolved: dict[str, sp.Expr] = {}
        visiting: set[str] = set()

        def resolve(name: str) -> sp.Expr:
            if name in resolved:
                return resolved[name]
            if name in visiting:
                raise ModelDefinitionError(f"Assignment {name!r} depends on itself.")
            visiting.add(name)
            expr = raw[name]
            subs = {self.symbols[d]: resolve(d) for d in (s.name for s in expr.free_symbols) if d in raw}
            factor = self._in_units(f"assignment {name!r}", expr, declared[name].unit)
            self.local_assignments[name] = expr if factor == 1.0 else sp.Float(factor) * expr
            full = expr.xreplace(subs)
            resolved[name] = full if factor == 1.0 else sp.Float(factor) * full
            value = sp.lambdify(self._arguments, resolved[name], modules="numpy")
            for point in self._unit_points:
                point[name] = float(value(*(point[n] for n in self._argument_names)))
            visiting.discard(name)
            return resolved[name]

        for name in raw:
            resolve(name)
        return resolved

    def _substitute(self, expr: sp.Expr) -> sp.Expr:
        subs = {self.symbols[n]: e for n, e in self._assignment_exprs.items()}
        return expr.xreplace(subs)

    def _build_rhs(self) -> list[sp.Expr]:
        index = {n: i for i, n in enumerate(self.model.state_names)}
        per_hour = model_unit(MODEL_TIME_UNIT) ** -1
        rhs: list[sp.Expr] = [sp.Integer(0)] * len(index)
        for process in self.model.processes:
            rate = _parse(process.rate, self.symbols, f"process {process.name!r}")
            for state, stoichiometry in process.effects.items():
                if state not in index:
                    raise ModelDefinitionError(f"Process {process.name!r} changes unknown state {state!r}.")
                coeff = _parse(stoichiometry, self.symbols, f"process {process.name!r} -> {state}")
                factor = self._in_units(
                    f"process {process.name!r} on state {state!r}", coeff * rate,
                    model_unit(self.model.unit_of(state)) * per_hour,
                )
                local = coeff * rate if factor == 1.0 else sp.Float(factor) * coeff * rate
                self.local_terms.append((process.name, state, local))
                term = self._substitute(coeff * rate)
                rhs[index[state]] = rhs[index[state]] + (term if factor == 1.0 else sp.Float(factor) * term)
        return rhs

    # --- numerical functions -------------------------------------------------------------------
    def _compile(self) -> None:
        n = len(self.model.state_names)
        self._rhs_fn = sp.lambdify(self._arguments, self._rhs_exprs, modules="numpy", cse=True)
        jac = sp.Matrix(self._rhs_exprs).jacobian([self.symbols[s] for s in self.model.state_names])
        entries = [(i, j, jac[i, j]) for i in range(n) for j in range(n) if jac[i, j] != 0]
        self.jac_rows = np.array([e[0] for e in entries], dtype=np.int64)
        self.jac_cols = np.array([e[1] for e in entries], dtype=np.int64)
        self.jacobian_expressions: tuple[sp.Expr, ...] = tuple(e[2] for e in entries)
        self._jac_fn = sp.lambdify(self._arguments, list(self.jacobian_expressions), modules="numpy", cse=True)
        names = list(self.model.assignment_names)
        self._assign_fn = sp.lambdify(
            self._arguments, [self._assignment_exprs[a] for a in names], modules="numpy", cse=True
        )
        init_exprs = []
        for s in self.model.states:
            init_exprs.append(self._substitute(_parse(s.initial, self.symbols, f"initial value of {s.name!r}")))
        self._init_fn = sp.lambdify(self._arguments, init_exprs, modules="numpy", cse=True)

    @property
    def rhs_expressions(self) -> tuple[sp.Expr, ...]:
        """The time derivative of each state in model units, over time, states, parameters and inputs."""
        return tuple(self._rhs_exprs)

    @property
    def n_states(self) -> int:
        return len(self.model.state_names)

    def _args(self, t: float, y: np.ndarray, params: ArrayMap, inputs: ArrayMap) -> list:
        args: list = [t]
        args.extend(y[:, i] for i in range(y.shape[1]))
        args.extend(params[n] for n in self.model.parameter_names)
        args.extend(inputs[n] for n in self.model.input_names)
        return args

    @staticmethod
    def _stack(values: list, n_patients: int) -> np.ndarray:
        return np.stack([np.broadcast_to(np.asarray(v, dtype=float), (n_patients,)) for v in values], axis=1)

    def rhs(self, t: float, y: np.ndarray, params: ArrayMap, inputs: ArrayMap) -> np.ndarray:
        """Time derivatives, shape ``(N, n_states)``, for states ``y`` of shape ``(N, n_states)``."""
        return self._stack(self._rhs_fn(*self._args(t, y, params, inputs)), y.shape[0])

    def jacobian_values(self, t: float, y: np.ndarray, params: ArrayMap, inputs: ArrayMap) -> np.ndarray:
        """Jacobian entries at ``(jac_rows, jac_cols)`` for each patient, shape ``(N, nnz)``."""
        return self._stack(self._jac_fn(*self._args(t, y, params, inputs)), y.shape[0])

    def assignments(self, t: np.ndarray | float, y: np.ndarray, params: ArrayMap, inputs: ArrayMap) -> dict[str, np.ndarray]:
        """Every assignment (observable) for states ``y`` of shape ``(N, n_states)``."""
        values = self._assign_fn(*self._args(t, y, params, inputs))
        return {
            name: np.broadcast_to(np.asarray(v, dtype=float), (y.shape[0],)).copy()
            for name, v in zip(self.model.assignment_names, values, strict=True)
        }

    def initial_state(self, params: ArrayMap, n_patients: int) -> np.ndarray:
        """Initial states, shape ``(N, n_states)``. Initial values may be expressions of parameters
        and of other states' initial values (resolved by repeated substitution)."""
        y = np.zeros((n_patients, self.n_states))
        inputs = {i.name: i.default for i in self.model.inputs}
        for _ in range(3):
            y = self._stack(self._init_fn(*self._args(0.0, y, params, inputs)), n_patients)
        return y
