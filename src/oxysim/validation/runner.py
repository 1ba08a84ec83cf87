"""Run validation experiments and compare each prediction with its published target.

Arms shared by several experiments are simulated once per hypothesis choice. A contested finding (an
experiment naming a hypothesis) is run under every variant of that hypothesis, one result each, and the
results say which variant the data favour: the one with the smaller normalised error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import xarray as xr

from oxysim.model import build_model
from oxysim.validation.experiment import Arm, Experiment
from oxysim.validation.registry import select


@dataclass(frozen=True)
class Result:
    """One experiment under one hypothesis choice: prediction, target band, verdict and provenance.

    ``tolerance`` is (below, above): the distances from the target to the band's edges (``inf`` for a
    one-sided finding). ``hypotheses`` is the full variant set the model ran with; for a contested
    finding ``hypothesis`` and ``variant`` name the variant of this result and ``favoured`` the variant
    with the smallest normalised error (None when they tie).
    """

    id: str
    finding: str
    quantity: str
    passed: bool
    predicted: float
    target: float
    low: float
    high: float
    tolerance: tuple[float, float]
    normalised_error: float
    units: str
    confidence: str
    hypotheses: dict[str, str]
    tolerance_basis: str
    protocol: str
    source: str
    verification: str = ""
    hypothesis: str | None = None
    variant: str | None = None
    favoured: str | None = None

    def record(self) -> dict[str, Any]:
        """The result as JSON-safe plain data (infinite or undefined numbers become None)."""
        return {key: _plain(value) for key, value in asdict(self).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def run_validation(ids: Iterable[str] | None = None, out_dir: str | Path | None = None, *,
                   parameters: Mapping[str, float] | None = None, patients: int | None = None) -> list[Result]:
    """Run the experiments of finding or experiment ``ids`` (all when None) and return one result each.

    ``out_dir``: also write ``validation.json``, ``validation.csv`` and ``figures/`` there (atomically).
    ``parameters`` overrides model parameters (declared units) in every arm, e.g. to see whether a
    candidate calibration still meets the published numbers. ``patients`` resizes the virtual
    populations (default: each experiment's own size); smaller is faster and noisier.
    A failing finding is a result with ``passed=False``, never an exception.
    """
    experiments, not_run = select(ids)
    cache: dict[tuple, xr.Dataset] = {}
    overrides = dict(parameters or {})
    results: list[Result] = []
    for experiment in experiments:
        group = [_evaluate(experiment, choice, overrides, patients, cache) for choice in _choices(experiment)]
        results += _with_favoured(group)
    if out_dir is not None:
        from oxysim.validation.report import write_report  # here, so that plain runs skip matplotlib

        write_report(results, not_run, Path(out_dir))
    return results


def _choices(experiment: Experiment) -> list[dict[str, str]]:
    """The hypothesis choices to run: every variant of a contested finding's hypothesis, else the defaults."""
    if experiment.hypothesis is None:
        return [{}]
    hypothesis = next(h for h in build_model().hypotheses if h.name == experiment.hypothesis)
    return [{hypothesis.name: v.name} for v in hypothesis.variants]


def _evaluate(experiment: Experiment, choice: dict[str, str], parameters: dict[str, float], patients: int | None,
              cache: dict[tuple, xr.Dataset]) -> Result:
    runs = {name: _run(arm, choice, parameters, patients, cache) for name, arm in experiment.arms.items()}
    predicted = float(experiment.predict(runs).to(experiment.units).magnitude)
    target = experiment.target
    return Result(
        id=experiment.id, finding=experiment.finding, quantity=experiment.quantity,
        passed=target.contains(predicted), predicted=predicted, target=target.value, low=target.low,
        high=target.high, tolerance=target.tolerance, normalised_error=target.normalised_error(predicted),
        units=experiment.units, confidence=experiment.confidence, hypotheses=build_model(choice).chosen_variants,
        tolerance_basis=target.basis, protocol=experiment.protocol, source=experiment.source,
        verification=experiment.verification, hypothesis=experiment.hypothesis,
        variant=choice.get(experiment.hypothesis) if experiment.hypothesis else None,
    )


def _run(arm: Arm, choice: dict[str, str], parameters: dict[str, float], patients: int | None,
         cache: dict[tuple, xr.Dataset]) -> xr.Dataset:
    key = (arm, tuple(sorted(choice.items())), tuple(sorted(parameters.items())), patients)
    if key not in cache:
        cache[key] = arm.simulate(choice, parameters, patients)
    return cache[key]


def _with_favoured(group: list[Result]) -> list[Result]:
    """The variant results of one experiment, each naming the variant with the smallest normalised error."""
    if len(group) < 2:
        return group
    comparable = [r for r in group if not math.isnan(r.normalised_error)]
    best = min((r.normalised_error for r in comparable), default=math.nan)
    winners = [r.variant for r in comparable if r.normalised_error == best]
    favoured = winners[0] if len(winners) == 1 else None
    return [replace(r, favoured=favoured) for r in group]
