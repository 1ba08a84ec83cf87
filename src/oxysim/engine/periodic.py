"""Periodic steady state: each patient's state at 00:00 from which one circadian period returns to itself.

With the circadian clock running, an untreated patient at rest does not sit at a fixed point but on a
24-hour limit cycle, whose mean differs from the fixed point at mean drive where the nonlinear feedbacks
average the rhythm (with a 0.95 amplitude an untreated SAD patient drifts 8 % in severity over 12 weeks
from that fixed point). The start of the cycle is the fixed point of the period map P (one period of
simulation). Plain iteration of P converges at the pace of the slowest states (severity, gland masses:
weeks), so cycles of a few iterates are extrapolated with minimal polynomial extrapolation (MPE; Cabay &
Jackson 1976, SIAM J Numer Anal 13:734; Sidi, Ford & Smith 1986, SIAM J Numer Anal 23:178), the method
Skelboe 1980 (IEEE Trans Circuits Syst 27:161) introduced for the periodic steady state of stiff circuits.
Each patient is extrapolated and stopped on its own, so a patient's start is the same in any batch.
benchmarks/periodic_rest_state.py compares the cost with plain iteration and scipy's Anderson mixing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

RCOND = 1e-8
"""Relative cut-off of small singular values in MPE: the slow modes' differences are nearly collinear, and without a
cut-off the extrapolation amplifies integration noise into steps many times a state's size (1e-15: 1 of 106
patients unsettled after 12 cycles; 1e-8: none, and within 6e-5 of a 600-day iteration; measured 2026-11-28)."""
OVERSHOOT = 1e-3
"""Largest excursion beyond a state's bound, relative to its size, that an extrapolation may make and be clipped."""

PeriodMap = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``period_map(states, rows)``: the states of patient rows ``rows`` one period after ``states``."""


def minimal_polynomial_extrapolation(iterates: np.ndarray, rcond: float = 1e-15) -> np.ndarray:
    """The MPE limit of each patient's iterates ``x_0 .. x_{k+1}``, shape ``(k + 2, patients, states)``.

    With differences u_j = x_{j+1} - x_j, the coefficients c minimise |sum_{j<k} c_j u_j + u_k| (c_k = 1) and
    the limit is sum_j c_j x_j / sum_j c_j over j = 0..k: exact when the map is linear with at most k modes.
    """
    differences = np.diff(iterates, axis=0)
    basis = np.moveaxis(differences[:-1], 0, -1)  # (patients, states, k)
    coefficients = -np.einsum("pks,ps->pk", np.linalg.pinv(basis, rcond=rcond), differences[-1])
    coefficients = np.concatenate([coefficients, np.ones((coefficients.shape[0], 1))], axis=1)
    weights = coefficients / coefficients.sum(axis=1, keepdims=True)
    return np.einsum("pj,jps->ps", weights, iterates[:-1])


def periodic_start(
    period_map: PeriodMap,
    start: np.ndarray,
    scale: np.ndarray,
    *,
    lower: np.ndarray,
    upper: np.ndarray,
    order: int = 8,
    settle: int = 2,
    tol: float = 1e-6,
    max_cycles: int = 12,
) -> np.ndarray:
    """Each patient's state that one period maps to itself, to ``tol`` of each state's size.

    ``start`` (patients x states) is a guess, e.g. the rest state at mean drive; ``scale`` the states' typical
    sizes (a change is measured against max(|x|, scale)); ``lower``/``upper`` their bounds (an extrapolation
    beyond them by more than :data:`OVERSHOOT` falls back to the last iterate). A cycle runs ``settle`` periods
    (fast states join the cycle), then ``order + 1`` iterates that MPE extrapolates. A patient stops once one
    period moves no state by more than ``tol``; a patient still moving after ``max_cycles`` keeps its last
    iterate, with a warning.
    """
    states = np.array(start, dtype=float)
    active = np.arange(states.shape[0])
    for _ in range(max_cycles):
        x = states[active]
        for _ in range(settle):
            x = period_map(x, active)
        iterates = [x, period_map(x, active)]
        size = np.maximum(np.abs(iterates[0]), scale)
        settled = np.max(np.abs(iterates[1] - iterates[0]) / size, axis=1) < tol
        states[active[settled]] = iterates[1][settled]
        active, iterates, size = active[~settled], [x[~settled] for x in iterates], size[~settled]
        if active.size == 0:
            return states
        for _ in range(order):
            iterates.append(period_map(iterates[-1], active))
        limit = minimal_polynomial_extrapolation(np.stack(iterates) / size, RCOND) * size
        # a state resting at a bound may overshoot it by rounding (clipped); a real overshoot is refused
        overshoot = np.maximum(lower - limit, limit - upper) / size
        plausible = np.all(np.isfinite(limit) & (overshoot <= OVERSHOOT), axis=1)
        limit = np.clip(limit, lower, upper)
        states[active] = np.where(plausible[:, None], limit, iterates[-1])
    warnings.warn(f"{active.size} patient(s) did not reach a periodic steady state within {max_cycles} cycles of "
                  f"{settle + order + 1} periods; they start from their last iterate (a slow drift may remain).",
                  RuntimeWarning, stacklevel=2)
    return states
