"""Events: the discontinuities a regimen imposes (bolus doses and input switches) at known times.

Engines integrate between consecutive event times and apply each event exactly at its time, so a
dose is never hidden inside the right-hand side (mrgsolve / diffrax ``jump_ts`` style).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Event:
    """At ``time`` (hours): add ``bolus`` amounts to states and set ``inputs`` to new levels."""

    time: float
    bolus: Mapping[str, float | np.ndarray] = field(default_factory=dict)
    inputs: Mapping[str, float] = field(default_factory=dict)
    label: str = ""


def group_by_time(events: Sequence[Event]) -> list[tuple[float, list[Event]]]:
    """Events sorted by time and grouped, so that simultaneous events apply together."""
    groups: dict[float, list[Event]] = {}
    for event in sorted(events, key=lambda e: e.time):
        groups.setdefault(float(event.time), []).append(event)
    return sorted(groups.items())


def segment_starts(events: Sequence[Event], t_end: float) -> list[tuple[float, list[Event]]]:
    """Event groups up to ``t_end``, starting with t = 0 (an empty group when nothing happens then).

    Engines integrate from each start to the next (the last one to ``t_end``), applying the group
    at its start.
    """
    starts = [(t, group) for t, group in group_by_time(events) if t <= t_end]
    if not starts or starts[0][0] > 0.0:
        starts.insert(0, (0.0, []))
    return starts


def input_levels(
    events: Sequence[Event], defaults: Mapping[str, float], times: np.ndarray
) -> dict[str, np.ndarray]:
    """The right-continuous level of every input at each of ``times``."""
    levels = {name: np.full(times.shape, float(value)) for name, value in defaults.items()}
    for time, group in group_by_time(events):
        after = times >= time
        for event in group:
            for name, value in event.inputs.items():
                levels[name][after] = value
    return levels
