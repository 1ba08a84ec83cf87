"""What every engine takes and returns: checked output times, per-patient arrays, tolerances, results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from oxysim.model.compile import CompiledModel


@dataclass(frozen=True)
class Trajectory:
    """States of N patients at the output times: ``states`` has shape ``(N, T, n_states)``;
    ``steps`` is each patient's number of accepted solver steps where the engine counts them."""

    times: np.ndarray
    states: np.ndarray
    state_names: tuple[str, ...]
    steps: np.ndarray | None = None


def checked_output_times(output_times: np.ndarray) -> np.ndarray:
    """``output_times`` as a float array, refused unless non-empty, strictly increasing and >= 0."""
    times = np.asarray(output_times, dtype=float)
    if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) <= 0):
        raise ValueError("output_times must be a non-empty, strictly increasing 1-D array.")
    if times[0] < 0:
        raise ValueError("output_times must start at or after t = 0.")
    return times


def patient_arrays(params: Mapping[str, float | np.ndarray], n_patients: int) -> dict[str, np.ndarray]:
    """Every parameter as an array of shape ``(N,)`` (scalars broadcast)."""
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (n_patients,)) for k, v in params.items()}


def absolute_tolerance(compiled: CompiledModel, atol_scale: float) -> np.ndarray:
    """Absolute tolerance of each state: ``atol_scale`` times its declared typical scale."""
    return atol_scale * np.array([s.scale for s in compiled.model.states])
