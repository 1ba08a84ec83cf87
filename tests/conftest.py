"""Shared helpers for the simulation tests: cached scenario runs and value look-ups."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import xarray as xr

from oxysim.fitting.claim_constraints import at  # noqa: F401 - the typical patient's value at an hour, for tests
from oxysim.model import compile_model
from oxysim.simulation import patient_parameters, rest_state, simulate


@lru_cache(maxsize=None)
def run(subtype: str, regimen: str, days: float, interval_min: float = 5.0,
        overrides: tuple[tuple[str, float], ...] = (), hypotheses: tuple[tuple[str, str], ...] = ()) -> xr.Dataset:
    """A cached single-patient simulation (the typical patient of ``subtype``)."""
    return simulate(subtype, regimen, days, output_interval_min=interval_min,
                    parameters=dict(overrides), hypotheses=dict(hypotheses))


def window(ds: xr.Dataset, variable: str, start_h: float, stop_h: float) -> np.ndarray:
    """Values of ``variable`` for patient 0 on start_h <= t <= stop_h."""
    series = ds[variable].isel(patient=0)
    return series.sel(time=slice(start_h, stop_h)).values


def auc(ds: xr.Dataset, variable: str, start_h: float, stop_h: float) -> float:
    """Area under ``variable`` with respect to ground over [start_h, stop_h] (AUCg, Pruessner 2003)."""
    series = ds[variable].isel(patient=0).sel(time=slice(start_h, stop_h))
    return float(np.trapezoid(series.values, series.time.values))


@lru_cache(maxsize=None)
def rest(subtype: str, overrides: tuple[tuple[str, float], ...] = ()) -> dict[str, float]:
    """The pre-equilibrated rest state and observables of one typical patient."""
    compiled = compile_model()
    params = patient_parameters(compiled, subtype, 1, None, dict(overrides))
    y = rest_state(compiled, params, 1)
    clock = params["circadian_peak_time"] + params["circadian_period"] / 4
    inputs = {i.name: i.default for i in compiled.model.inputs}
    values = compiled.assignments(clock, y, params, inputs)
    values.update({name: y[:, i] for i, name in enumerate(compiled.model.state_names)})
    return {k: float(np.asarray(v)[0]) for k, v in values.items()}
