"""Run a fit problem end to end: estimate, profile, compare the findings before and after, write everything.

``oxysim fit PROBLEM --out DIR`` calls :func:`run_fit`. Files (each written atomically): ``fit_record.yaml``
(the record to copy into ``oxysim/evidence/fits/`` when the defaults are to follow it), ``starts.csv``,
``profiles.csv``, ``intervals.csv``, ``findings.csv`` (each finding's prediction with the previous defaults and
with the fit) and ``profiles.png``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oxysim.fitting.estimate import Estimate, estimate
from oxysim.fitting.problem import FitProblem
from oxysim.fitting.record import make_record, write_record
from oxysim.report.canvas import new_figure, png_bytes
from oxysim.report.tables import atomic_path, write_table_atomic


@dataclass(frozen=True)
class FitRun:
    """The estimate, its record and the findings table (predictions before and after the fit)."""

    estimate: Estimate
    record: dict[str, Any]
    findings: pd.DataFrame


def findings_table(problem: FitProblem, before: dict[str, float], after: dict[str, float]) -> pd.DataFrame:
    """Each experiment's target band and its prediction (and verdict) with ``before`` and ``after`` values; a
    contested finding has one row per hypothesis variant."""
    rows = {}
    for label, values in (("before", before), ("after", after)):
        for r in problem.results(values):
            row = rows.setdefault((r.id, r.variant), {"id": r.id, "variant": r.variant, "target": r.target,
                                                      "low": r.low, "high": r.high, "units": r.units})
            row.update({f"predicted_{label}": r.predicted, f"passed_{label}": r.passed,
                        f"normalised_error_{label}": r.normalised_error})
    return pd.DataFrame(list(rows.values()))


def profile_figure(result: Estimate) -> bytes:
    """PNG: each parameter's profile likelihood ratio with the 95 % threshold and the estimate."""
    from pypesto.profile import chi2_quantile_to_ratio

    names = list(result.names)
    fig = new_figure((3.6 * len(names), 3.0))
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name, best in zip(axes, names, result.best, strict=True):
        points = result.profiles[result.profiles["parameter"] == name]
        ax.plot(10.0 ** points["log10_value"], points["ratio"], marker=".", color="#4477aa")
        ax.axhline(chi2_quantile_to_ratio(0.95), color="#cc6677", linestyle="--", linewidth=1)
        ax.axvline(10.0 ** best, color="#999999", linewidth=1)
        ax.set_xscale("log")
        ax.set_xlabel(name, fontsize=8)
        ax.set_ylim(0, 1.05)
    axes[0].set_ylabel("likelihood ratio")
    return png_bytes(fig)


def run_fit(problem: FitProblem, out_dir: str | Path, *, starts: int = 4, seed: int = 0,
            profile: bool = True, profile_evaluations: int | None = None, workers: int = 1) -> FitRun:
    """Fit ``problem`` from its current defaults and ``starts - 1`` random starts, profile, and write the files.

    ``workers`` processes share the starts and then the profiles (one profile per parameter).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nominal = problem.nominal()
    guess = np.log10([nominal[name] for name in problem.names])
    lower, upper = problem.log10_bounds
    result = estimate(problem.names, lower, upper, problem.negative_log_likelihood, guess=guess, starts=starts,
                      seed=seed, profile=profile, profile_evaluations=profile_evaluations, workers=workers)
    record = make_record(problem, result, problem.negative_log_likelihood(guess), starts=starts, seed=seed)
    findings = findings_table(problem, nominal, result.values)
    write_record(record, out / "fit_record.yaml")
    write_table_atomic(result.starts, out / "starts.csv")
    write_table_atomic(findings, out / "findings.csv")
    if result.profiles is not None:
        write_table_atomic(result.profiles, out / "profiles.csv")
        write_table_atomic(result.intervals, out / "intervals.csv")
        with atomic_path(out / "profiles.png") as tmp:
            tmp.write_bytes(profile_figure(result))
    return FitRun(result, record, findings)
