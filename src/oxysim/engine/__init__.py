"""Engines that integrate a compiled model for a batch of patients, all with the same contract.

``reference``: scipy BDF on the whole batch (readable, the ground truth of the tests).
``fast``: compiled Rodas5P per patient in parallel threads (the default for simulations).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from oxysim.errors import InputError


class Engine(NamedTuple):
    """An engine's two entry points: ``simulate(compiled, params, events, output_times, *, n_patients,
    rtol, atol_scale, y0)`` and ``preequilibrate(compiled, params, *, n_patients, frozen_time, ...)``."""

    simulate: Callable
    preequilibrate: Callable


ENGINE_NAMES = ("fast", "reference")


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (``fast`` or ``reference``)."""
    if name == "fast":
        from oxysim.engine.fast import preequilibrate_fast, simulate_fast

        return Engine(simulate_fast, preequilibrate_fast)
    if name == "reference":
        from oxysim.engine.reference import preequilibrate, simulate_batch

        return Engine(simulate_batch, preequilibrate)
    raise InputError(f"Unknown engine {name!r}; choose one of: {', '.join(ENGINE_NAMES)}.")
