"""A parameter-estimation problem as data: which parameters, within which bounds, against which findings.

The data are validation experiments (:mod:`oxysim.validation`): each gives a prediction and a published band,
read as a 95 % interval, so a prediction's residual is its signed normalised error times 1.96 (a z-score).
Priors from published parameter ranges enter as further residuals on the log scale (a log-normal prior whose
95 % interval is the range). Framework claims the fit must keep (:mod:`oxysim.fitting.claim_constraints`) add penalty
residuals, zero while each claim holds. The negative log-likelihood is half the sum of squared residuals. Parameters are
estimated on the log10 scale, as usual for rate constants (PEtab ``parameterScale: log10``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from oxysim.errors import InputError, SolverError
from oxysim.fitting.claim_constraints import get_constraints
from oxysim.model import build_model
from oxysim.trials.analysis import Z_95  # a band edge is 1.96 SD from its value
from oxysim.validation.registry import select
from oxysim.validation.runner import Result, run_validation


@dataclass(frozen=True)
class FitParameter:
    """An estimated parameter: its bounds in declared units and, optionally, a published range as prior."""

    name: str
    lower: float
    upper: float
    prior: tuple[float, float] | None = None
    prior_source: str = ""

    def __post_init__(self) -> None:
        if not 0 < self.lower < self.upper:
            raise InputError(f"bounds of {self.name} must satisfy 0 < lower < upper; got {self.lower}, {self.upper}")
        if self.prior is not None and not 0 < self.prior[0] < self.prior[1]:
            raise InputError(f"prior range of {self.name} must satisfy 0 < low < high; got {self.prior}")

    def prior_residual(self, value: float) -> float | None:
        """z-score of ``value`` under the log-normal prior whose 95 % interval is ``prior`` (None: no prior)."""
        if self.prior is None:
            return None
        low, high = (math.log(v) for v in self.prior)
        return (math.log(value) - (low + high) / 2) / ((high - low) / (2 * Z_95))


@dataclass(frozen=True)
class FitProblem:
    """Parameters estimated from a set of validation experiments (ids of findings or experiments), keeping the
    claims named in ``constraints`` (:data:`oxysim.fitting.claim_constraints.CONSTRAINTS`)."""

    name: str
    description: str
    parameters: tuple[FitParameter, ...]
    experiments: tuple[str, ...]
    constraints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        declared = {p.name for p in build_model().parameters}
        unknown = [p.name for p in self.parameters if p.name not in declared]
        if unknown:
            raise InputError(f"fit problem {self.name}: unknown parameter(s) {', '.join(unknown)}")
        select(self.experiments)  # unknown experiment ids raise here, naming the known ones
        get_constraints(self.constraints)  # and unknown constraints here

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @property
    def log10_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.log10([p.lower for p in self.parameters]), np.log10([p.upper for p in self.parameters]))

    def nominal(self) -> dict[str, float]:
        """The model's current default of each estimated parameter (declared units)."""
        declared = {p.name: p.value for p in build_model().parameters}
        return {name: float(declared[name]) for name in self.names}

    def results(self, values: Mapping[str, float]) -> list[Result]:
        """The validation results of the problem's experiments with ``values`` (declared units) set."""
        return run_validation(self.experiments, parameters=dict(values))

    def residuals(self, values: Mapping[str, float]) -> np.ndarray:
        """Data residuals (one per experiment, in SD units), then prior residuals, then claim-constraint penalties.
        A contested finding counts under the model's default variants only: the fit estimates the model users run."""
        defaults = build_model().chosen_variants
        data = [_signed_z(r) for r in self.results(values) if r.hypotheses == defaults]
        priors = [z for p in self.parameters if (z := p.prior_residual(values[p.name])) is not None]
        penalties = [z for c in get_constraints(self.constraints) for z in c.residuals(values)]
        return np.array(data + priors + penalties)

    def claim_margins(self, values: Mapping[str, float]) -> dict[str, float]:
        """Every constraint's margins at ``values`` (``constraint.margin`` -> relative margin, > 0 where it holds)."""
        return {f"{c.name}.{k}": v for c in get_constraints(self.constraints) for k, v in c.margins(values).items()}

    def negative_log_likelihood(self, log10_values: Sequence[float]) -> float:
        """Half the sum of squared residuals at parameters given on the log10 scale; infinite where the model
        cannot be simulated (the solver fails), so that an optimiser or profile step at the edge of the bounds
        turns back instead of ending the whole fit."""
        values = dict(zip(self.names, 10.0 ** np.asarray(log10_values, dtype=float), strict=True))
        try:
            residuals = self.residuals(values)
        except SolverError:
            return math.inf
        return 0.5 * float(residuals @ residuals) if np.all(np.isfinite(residuals)) else math.inf


def _signed_z(result: Result) -> float:
    """The result's normalised error as a signed z-score (positive when the prediction is above the target)."""
    return math.copysign(result.normalised_error * Z_95, result.predicted - result.target)

