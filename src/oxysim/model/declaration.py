"""The model as data: states, parameters, assignments, processes, inputs and hypotheses.

Every mechanism of oxysim is declared once with these frozen dataclasses. The same declaration is
compiled to a vectorised right-hand side (:mod:`oxysim.model.compile`), unit-checked with pint
(:mod:`oxysim.model.units`), listed by ``oxysim params`` and mapped to FRAMEWORK.md claims by
``oxysim claims``. No second copy of any equation exists.

Expressions are strings in sympy syntax over the names of states, parameters, inputs, assignments
and the time symbol ``t`` (hours since midnight of day 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from oxysim.errors import ModelDefinitionError

TIME_SYMBOL = "t"


def _check_name(kind: str, name: str) -> None:
    if not name.isidentifier() or name == TIME_SYMBOL:
        raise ModelDefinitionError(f"{kind} name {name!r} must be a Python identifier other than 't'.")


@dataclass(frozen=True)
class Parameter:
    """A constant with a value, a unit, and either a ``source`` (citation) or an ``assumption``."""

    name: str
    value: float
    unit: str
    description: str
    source: str | None = None
    assumption: str | None = None
    lower: float | None = None
    upper: float | None = None

    def __post_init__(self) -> None:
        _check_name("Parameter", self.name)
        has_source = bool(self.source and self.source.strip())
        has_assumption = bool(self.assumption and self.assumption.strip())
        if has_source == has_assumption:
            raise ModelDefinitionError(
                f"Parameter {self.name!r} needs exactly one of 'source' (a citation) or "
                f"'assumption' (the reason for the value)."
            )
        if not self.unit.strip():
            raise ModelDefinitionError(
                f"Parameter {self.name!r} has no unit; use 'dimensionless' for pure numbers."
            )


@dataclass(frozen=True)
class State:
    """A dynamic variable with a unit, an initial value (number or expression) and a physical range."""

    name: str
    unit: str
    initial: float | str
    description: str
    lower: float | None = 0.0
    upper: float | None = None
    scale: float = 1.0  # typical magnitude, sets the absolute tolerance of the solvers

    def __post_init__(self) -> None:
        _check_name("State", self.name)
        if self.scale <= 0:
            raise ModelDefinitionError(f"State {self.name!r}: scale must be positive.")


@dataclass(frozen=True)
class Input:
    """A piecewise-constant forcing that regimen events switch (dose windows, sessions, stressors)."""

    name: str
    unit: str
    description: str
    default: float = 0.0

    def __post_init__(self) -> None:
        _check_name("Input", self.name)


@dataclass(frozen=True)
class Assignment:
    """A named algebraic expression (an SBML assignment rule), reported as an observable."""

    name: str
    expression: str
    unit: str
    description: str
    claims: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_name("Assignment", self.name)


@dataclass(frozen=True)
class Process:
    """A rate law and the states it changes: ``d state/dt += stoichiometry * rate``.

    ``effects`` maps each affected state to its stoichiometry, a number or an expression (e.g.
    ``"1/V_csf"`` when an amount flux feeds a concentration state).
    """

    name: str
    rate: str
    effects: Mapping[str, float | str]
    description: str
    claims: tuple[str, ...] = ()
    source: str | None = None

    def __post_init__(self) -> None:
        _check_name("Process", self.name)
        if not self.effects:
            raise ModelDefinitionError(f"Process {self.name!r} changes no state.")


@dataclass(frozen=True)
class Variant:
    """One answer to a contested question: overrides of assignment expressions and parameter values."""

    name: str
    description: str
    assignments: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    evidence: str = ""


@dataclass(frozen=True)
class Hypothesis:
    """A contested finding held as named variants instead of a silent choice (ARCHITECTURE principle 3)."""

    name: str
    description: str
    claims: tuple[str, ...]
    variants: tuple[Variant, ...]
    default: str

    def __post_init__(self) -> None:
        names = [v.name for v in self.variants]
        if self.default not in names:
            raise ModelDefinitionError(
                f"Hypothesis {self.name!r}: default {self.default!r} is not one of {names}."
            )

    def variant(self, name: str) -> Variant:
        """Return the variant called ``name`` or raise a message listing the allowed ones."""
        for v in self.variants:
            if v.name == name:
                return v
        allowed = ", ".join(v.name for v in self.variants)
        raise ModelDefinitionError(
            f"Hypothesis {self.name!r} has no variant {name!r}; choose one of: {allowed}."
        )


@dataclass(frozen=True)
class Module:
    """A mechanism module: what it declares and the published model it builds on."""

    name: str
    description: str
    builds_on: str
    states: tuple[State, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    inputs: tuple[Input, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    processes: tuple[Process, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
