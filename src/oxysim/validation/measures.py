"""Measurements on simulated arms, as the published studies took them: windows, peaks, effect sizes, rates.

Every function reads per-patient values from an xarray Dataset of :func:`oxysim.simulate`; times are
hours from 00:00 of day 0, as in the Dataset. Scale scores can be observed with rater error
(:func:`oxysim.trials.observation.observe`), as a trial would see them.
"""

from __future__ import annotations

import numpy as np
import pint
import xarray as xr

from oxysim.model.units import ureg
from oxysim.trials.covariates import COVARIATE_EFFECTS
from oxysim.trials.observation import observe
from oxysim.validation.experiment import SEED

HOURS_PER_WEEK = 168.0


def clock(text: str, day: int = 1) -> float:
    """Hours from 00:00 of day 0 of clock time ``text`` ('09:45') on ``day``."""
    hours, minutes = (int(part) for part in text.split(":"))
    return 24.0 * day + hours + minutes / 60.0


def quantity(value: float | np.ndarray, units: str) -> pint.Quantity:
    """``value`` as a pint quantity in ``units`` (a Dataset variable's ``units`` attribute or a unit name)."""
    return ureg.Quantity(np.asarray(value, dtype=float), units)


def units_of(ds: xr.Dataset, variable: str) -> str:
    """The unit of a Dataset variable."""
    return ds[variable].attrs["units"]


def values(ds: xr.Dataset, variable: str, start_h: float, stop_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Times (h) and values, shape (patients, times), of ``variable`` on start_h <= t <= stop_h."""
    part = ds[variable].sel(time=slice(start_h, stop_h))
    return part["time"].values, part.transpose("patient", "time").values


def at(ds: xr.Dataset, variable: str, hour: float) -> np.ndarray:
    """Per-patient value of ``variable`` at the output time nearest ``hour``."""
    return ds[variable].sel(time=hour, method="nearest").values


def window_mean(ds: xr.Dataset, variable: str, start_h: float, stop_h: float) -> np.ndarray:
    """Per-patient mean of ``variable`` over start_h <= t <= stop_h."""
    return values(ds, variable, start_h, stop_h)[1].mean(axis=1)


def peak_time_min(ds: xr.Dataset, variable: str, onset_h: float, stop_h: float) -> np.ndarray:
    """Per-patient minutes from ``onset_h`` to the maximum of ``variable`` before ``stop_h``.

    The peak is placed between output times by the vertex of the parabola through the largest sample and its
    two neighbours (exact for a locally quadratic peak), so the measure moves continuously with the parameters
    instead of in output-grid steps, which a fit needs.
    """
    times, series = values(ds, variable, onset_h, stop_h)
    peaks = np.argmax(series, axis=1)
    result = times[peaks].astype(float)
    for row, k in enumerate(peaks):
        if 0 < k < times.size - 1:
            left, middle, right = series[row, k - 1:k + 2]
            curvature = left - 2 * middle + right
            if curvature < 0:
                result[row] += 0.5 * (left - right) / curvature * (times[k + 1] - times[k - 1]) / 2
    return (result - onset_h) * 60.0


def evoked(task: xr.Dataset, rest: xr.Dataset, variable: str, onset_h: float, duration_min: float) -> np.ndarray:
    """Per-patient task response: mean of ``variable`` during the task minus the same run without the task.

    The contrast of a block-design fMRI task with its control condition: anything the drug does to the
    resting level (and its drift during the task) cancels, leaving the response to the task itself.
    """
    stop = onset_h + duration_min / 60.0
    return window_mean(task, variable, onset_h, stop) - window_mean(rest, variable, onset_h, stop)


def recovery_min(ds: xr.Dataset, variable: str, onset_h: float, end_h: float, stop_h: float,
                 fraction: float = 0.1) -> np.ndarray:
    """Per-patient minutes from ``end_h`` until ``variable`` is back within ``fraction`` of its rise.

    The rise is the peak after ``onset_h`` minus the value at ``onset_h``; "back" is the first time after
    the peak that the excess over the onset value falls below ``fraction`` of it (NaN if not by ``stop_h``),
    interpolated linearly between the two output times around the crossing.
    """
    times, series = values(ds, variable, onset_h, stop_h)
    excess = series - series[:, :1]
    result = np.full(series.shape[0], np.nan)
    for row, trace in enumerate(excess):
        peak = int(np.argmax(trace))
        level = fraction * trace[peak]
        back = np.nonzero(trace[peak:] < level)[0]
        if back.size:
            after = peak + back[0]
            before = after - 1
            share = (trace[before] - level) / (trace[before] - trace[after])
            result[row] = (times[before] + share * (times[after] - times[before]) - end_h) * 60.0
    return result


def hedges_g(x: np.ndarray, y: np.ndarray) -> float:
    """Hedges' g of mean(x) - mean(y): pooled SD, small-sample factor J (Hedges & Olkin 1985)."""
    n1, n0 = len(x), len(y)
    pooled = np.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n0 - 1) * np.var(y, ddof=1)) / (n1 + n0 - 2))
    return float((1 - 3 / (4 * (n1 + n0) - 9)) * (np.mean(x) - np.mean(y)) / pooled)


def prepost_g(before: np.ndarray, after: np.ndarray) -> float:
    """Pre-post g: mean reduction / SD of baseline with J (Becker 1988); a reduction counts positive.

    The sign follows the calibration findings (CL-11 quotes improvements as positive effect sizes).
    """
    n = len(before)
    return float((1 - 3 / (4 * (n - 1) - 1)) * np.mean(before - after) / np.std(before, ddof=1))


def responders(before: np.ndarray, after: np.ndarray, reduction: float) -> np.ndarray:
    """Whether each patient's score fell by at least ``reduction`` (a fraction) from baseline."""
    return (before - after) >= reduction * before


def observed_scores(ds: xr.Dataset, scale: str, weeks: tuple[float, ...]) -> np.ndarray:
    """Scale scores at ``weeks`` (patients, weeks) as rated: with the rater error of the trial module.

    The noise of patient k at week w comes from its own stream (:data:`SEED`, k, visit), so arms of one
    validation share it, and a week's rating is the one a trial with the same seed gives at that week.
    """
    hours = [w * HOURS_PER_WEEK for w in weeks]
    true = np.stack([at(ds, scale, h) for h in hours], axis=1)
    return observe(true[:, :, None], [scale], SEED, ds["patient"].values, hours)[:, :, 0]


def covariate_factors(covariate: str, level: str) -> tuple[tuple[str, float], ...]:
    """Parameter factors that a covariate level applies in virtual trials (``times_if`` effects only).

    Reuses :data:`oxysim.trials.covariates.COVARIATE_EFFECTS`, so the validation checks the effects
    the trials use rather than a copy of them.
    """
    return tuple((e.parameter, e.magnitude) for e in COVARIATE_EFFECTS
                 if e.covariate == covariate and e.how == "times_if" and level in e.levels)
