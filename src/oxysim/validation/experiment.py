"""A validation experiment as data: the published protocol, the model's measurement and the target band.

An :class:`Experiment` names the finding it checks (an id of ``shared/reference/findings.yaml``), the
protocol as published (who, dose, route, timing, task, measurement window), the simulated groups
(:class:`Arm`), a function that turns the simulated groups into one number with a unit, and the
:class:`Target` the number must fall in, with the basis of its tolerance. Contested findings name the
hypothesis (``oxysim hypotheses``) whose variants the experiment is run under. Findings, or parts of
findings, that the model cannot speak to are :class:`NotRunnable` entries with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pint
import xarray as xr

from oxysim.model import build_model
from oxysim.population.subtypes import get_profile
from oxysim.simulation import simulate
from oxysim.trials.covariates import CovariateDistribution, covariate_parameters, draw_covariates

SEED = 20261128
"""Seed of every virtual population of the validation (patient k is the same patient in every arm)."""

Prediction = Callable[[Mapping[str, xr.Dataset]], pint.Quantity]
"""Computes the model's value from the simulated arms (by arm name), as a quantity with its unit."""


@dataclass(frozen=True)
class Arm:
    """One simulated group: subtype, regimen, run length, virtual patients and outputs.

    ``patients == 1`` is the subtype's typical patient; more draws a varied population from
    :data:`SEED` (the runner may resize it). ``factors`` multiply parameters on top of the model
    default, the subtype profile and any user override, e.g. ``(("oxtr_ec50", 2.0),)`` for a genotype.
    Outputs run every ``interval_min`` minutes over ``window_h`` (hours from 00:00 of day 0; default
    the whole run). ``covariates``: patients also carry the covariates a virtual trial draws for them
    (:mod:`oxysim.trials.covariates`: sex, age, trait anxiety, OXTR genotype, adversity), so a clinical arm is
    the population a ``run_trial`` calibration trial enrols, not the bare parameter draws.
    """

    subtype: str
    regimen: str
    days: float
    patients: int = 1
    interval_min: float = 1.0
    window_h: tuple[float, float] | None = None
    factors: tuple[tuple[str, float], ...] = ()
    covariates: bool = False

    def simulate(self, hypotheses: Mapping[str, str], parameters: Mapping[str, float],
                 patients: int | None = None) -> xr.Dataset:
        """Run this arm under a hypothesis choice and parameter overrides (declared units)."""
        population = self.patients > 1
        n = (patients or self.patients) if population else 1
        start, stop = self.window_h or (0.0, self.days * 24.0)
        step = self.interval_min / 60.0
        times = np.arange(start, stop + step / 2, step)
        values = {**parameters, **self._scaled(hypotheses, parameters)}
        if population and self.covariates:
            drawn = draw_covariates(CovariateDistribution(), self.subtype, SEED, range(n))
            values |= covariate_parameters(drawn, self.subtype, hypotheses=hypotheses, overrides=values)
        return simulate(self.subtype, self.regimen, self.days, n_patients=n, seed=SEED if population else None,
                        hypotheses=dict(hypotheses), parameters=values, output_times_h=times[times <= self.days * 24.0])

    def _scaled(self, hypotheses: Mapping[str, str], parameters: Mapping[str, float]) -> dict[str, float]:
        """The ``factors`` applied to each parameter's value after default, profile and override."""
        if not self.factors:
            return {}
        declared = {p.name: p.value for p in build_model(dict(hypotheses)).parameters}
        base = {**declared, **get_profile(self.subtype).parameters, **parameters}
        return {name: base[name] * factor for name, factor in self.factors}


@dataclass(frozen=True)
class Target:
    """The published value and the band a prediction must fall in (``low <= predicted <= high``).

    ``low`` or ``high`` may be infinite (one-sided findings) or equal to ``value`` (a bound). The
    normalised error is the distance from ``value`` divided by the width of the band on that side,
    so it is at most 1 inside the band; beyond a zero-width side it is ``1 + distance / scale``
    (``scale`` defaults to ``|value|``). ``basis`` says where the tolerance comes from.
    """

    value: float
    low: float
    high: float
    basis: str
    scale: float | None = None

    def __post_init__(self) -> None:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"target value {self.value} outside its band [{self.low}, {self.high}]")

    @property
    def tolerance(self) -> tuple[float, float]:
        """Distance from the value to the lower and to the upper edge of the band."""
        return self.value - self.low, self.high - self.value

    def contains(self, predicted: float) -> bool:
        """Whether ``predicted`` lies in the band (edges included)."""
        return self.low <= predicted <= self.high

    def normalised_error(self, predicted: float) -> float:
        """|predicted - value| in units of the band's half-width on that side (<= 1 inside the band)."""
        distance = abs(predicted - self.value)
        if distance == 0:
            return 0.0
        width = self.tolerance[1] if predicted > self.value else self.tolerance[0]
        if width > 0:
            return distance / width
        scale = self.scale or abs(self.value)
        return 1.0 + distance / scale if scale > 0 else math.inf


@dataclass(frozen=True)
class Experiment:
    """A finding made executable: protocol, simulated arms, measurement, target and provenance."""

    id: str
    finding: str
    quantity: str
    protocol: str
    arms: Mapping[str, Arm]
    predict: Prediction
    units: str
    target: Target
    confidence: str
    source: str
    hypothesis: str | None = None
    verification: str = ""


@dataclass(frozen=True)
class NotRunnable:
    """A finding, or one quantity of it, that the model cannot speak to, and why."""

    finding: str
    quantity: str
    reason: str
