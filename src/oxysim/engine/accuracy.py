"""One definition of agreement between two trajectories, shared by tests and benchmarks."""

from __future__ import annotations

import numpy as np

from oxysim.model.compile import CompiledModel


def max_relative_error(result: np.ndarray, reference: np.ndarray, compiled: CompiledModel, floor: float = 1e-3) -> float:
    """Largest |result - reference| / max(|reference|, floor * scale) over every state and time.

    Arrays end with the state axis. The floor (a fraction of each state's declared typical scale)
    keeps states that decay towards zero from dominating with meaningless relative errors.
    """
    scale = np.array([s.scale for s in compiled.model.states])
    return float(np.max(np.abs(result - reference) / np.maximum(np.abs(reference), floor * scale)))
