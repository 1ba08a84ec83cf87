"""The registry of validation experiments and of the findings (or parts) the model cannot speak to.

Experiment ids are ``FINDING.name`` (``PK-04.iv_half_life``); a selection may name a finding (all its
experiments and not-runnable entries) or one experiment.
"""

from __future__ import annotations

from collections.abc import Iterable

from oxysim.errors import InputError
from oxysim.validation import clinical, hpa, neural, pk
from oxysim.validation.experiment import Experiment, NotRunnable

EXPERIMENTS: tuple[Experiment, ...] = pk.EXPERIMENTS + hpa.EXPERIMENTS + neural.EXPERIMENTS + clinical.EXPERIMENTS
NOT_RUNNABLE: tuple[NotRunnable, ...] = pk.NOT_RUNNABLE + hpa.NOT_RUNNABLE + neural.NOT_RUNNABLE + clinical.NOT_RUNNABLE


def finding_ids() -> list[str]:
    """Every finding with an experiment or a not-runnable entry, in registry order."""
    return list(dict.fromkeys([e.finding for e in EXPERIMENTS] + [n.finding for n in NOT_RUNNABLE]))


def select(ids: Iterable[str] | None = None) -> tuple[list[Experiment], list[NotRunnable]]:
    """The experiments and not-runnable entries for finding or experiment ``ids`` (all when None).

    An unknown id is an InputError that lists the known finding and experiment ids.
    """
    if ids is None:
        return list(EXPERIMENTS), list(NOT_RUNNABLE)
    wanted = list(dict.fromkeys(ids))
    known = set(finding_ids()) | {e.id for e in EXPERIMENTS}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise InputError(f"unknown finding or experiment id(s) {', '.join(unknown)}; known findings: "
                         f"{', '.join(finding_ids())}; known experiments: {', '.join(e.id for e in EXPERIMENTS)}.")
    experiments = [e for e in EXPERIMENTS if e.id in wanted or e.finding in wanted]
    skipped = [n for n in NOT_RUNNABLE if n.finding in wanted]
    return experiments, skipped
