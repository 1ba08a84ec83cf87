"""Validation report files: ``validation.json``, ``validation.csv`` and figures, each written atomically.

``figures/<finding>.png`` shows every experiment of a finding: the target band (shaded), the published
value (line) and the prediction of each hypothesis variant (green inside the band, red outside).
``figures/summary.png`` shows the normalised error of every result against the pass line at 1.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from oxysim import RESEARCH_USE_NOTICE, __version__
from oxysim.report.canvas import new_figure, png_bytes
from oxysim.report.tables import atomic_path, write_table_atomic
from oxysim.validation.experiment import NotRunnable
from oxysim.validation.runner import Result

PASS_COLOUR, FAIL_COLOUR, BAND_COLOUR = "tab:green", "tab:red", "0.85"
ERROR_AXIS_MAX = 5.0
"""Normalised errors above this are drawn at the edge of the summary figure (the value is printed)."""


def summary(results: Sequence[Result], not_run: Sequence[NotRunnable]) -> dict[str, Any]:
    """The JSON report: every result, every not-runnable entry, counts and the research-use notice."""
    return {
        "findings": [r.record() for r in results],
        "not_run": [asdict(n) for n in not_run],
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "oxysim_version": __version__,
        "notice": RESEARCH_USE_NOTICE,
    }


def write_report(results: Sequence[Result], not_run: Sequence[NotRunnable], out_dir: Path) -> dict[str, Path]:
    """Write the JSON, the CSV, one figure per finding and the summary figure into ``out_dir``."""
    figures = out_dir / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "validation.json", "csv": out_dir / "validation.csv"}
    with atomic_path(paths["json"]) as tmp:
        tmp.write_text(json.dumps(summary(results, not_run), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_table_atomic(_table(results), paths["csv"])
    for finding in dict.fromkeys(r.finding for r in results):
        figure = _finding_figure([r for r in results if r.finding == finding])
        paths[finding] = _save(figure, figures / f"{finding}.png")
    if results:
        paths["summary"] = _save(_summary_figure(results), figures / "summary.png")
    return paths


def _table(results: Sequence[Result]) -> pd.DataFrame:
    """One row per result; the tolerance as two columns and the hypothesis set as JSON text."""
    rows = []
    for r in results:
        row = r.record()
        below, above = row.pop("tolerance")
        rows.append({**row, "tolerance_below": below, "tolerance_above": above,
                     "hypotheses": json.dumps(row["hypotheses"], sort_keys=True)})
    return pd.DataFrame(rows)


def _save(fig: Figure, path: Path) -> Path:
    data = png_bytes(fig, dpi=100)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _finding_figure(results: Sequence[Result]) -> Figure:
    """One panel per experiment of a finding: band, published value, prediction per variant."""
    experiments = list(dict.fromkeys(r.id for r in results))
    fig = new_figure((8, 1.0 + 1.3 * len(experiments)))
    axes = np.atleast_1d(fig.subplots(len(experiments), 1, squeeze=False).ravel())
    for ax, experiment in zip(axes, experiments, strict=True):
        _panel(ax, [r for r in results if r.id == experiment])
    fig.suptitle(f"{results[0].finding}: model prediction against published data", fontsize=11)
    return fig


def _panel(ax: Axes, results: Sequence[Result]) -> None:
    first = results[0]
    shown = [v for v in (first.low, first.high, first.target, *(r.predicted for r in results)) if math.isfinite(v)]
    span = (max(shown) - min(shown)) or max(abs(first.target), 1.0)
    left, right = min(shown) - 0.15 * span, max(shown) + 0.4 * span
    ax.axvspan(max(first.low, left), min(first.high, right), color=BAND_COLOUR, label="target band")
    ax.axvline(first.target, color="0.3", lw=1, ls="--", label="published value")
    for row, r in enumerate(results):
        label = f"model ({r.variant})" if r.variant else "model"
        ax.plot([r.predicted], [row], "o", color=PASS_COLOUR if r.passed else FAIL_COLOUR, ms=8)
        ax.annotate(f"{label}: {r.predicted:.3g}", (r.predicted, row), xytext=(6, 4), textcoords="offset points",
                    fontsize=8)
    ax.set(xlim=(left, right), ylim=(-0.8, len(results) - 0.2), yticks=[],
           xlabel="" if first.units == "dimensionless" else first.units)
    ax.set_title(f"{first.id}: {first.quantity} [{first.confidence}]", fontsize=9, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _summary_figure(results: Sequence[Result]) -> Figure:
    """Normalised error of every result (capped at ERROR_AXIS_MAX), with the pass line at 1."""
    labels = [r.id + (f" [{r.variant}]" if r.variant else "") for r in results]
    errors = np.array([r.normalised_error for r in results], dtype=float)
    fig = new_figure((9, 1.5 + 0.22 * len(results)))
    ax = fig.subplots()
    rows = np.arange(len(results))[::-1]
    capped = np.nan_to_num(np.minimum(errors, ERROR_AXIS_MAX), nan=ERROR_AXIS_MAX)
    colours = [PASS_COLOUR if r.passed else FAIL_COLOUR for r in results]
    ax.barh(rows, capped, color=colours)
    ax.scatter(capped, rows, s=14, color=colours, zorder=3)
    for row, error, shown in zip(rows, errors, capped, strict=True):
        if not error <= ERROR_AXIS_MAX:
            ax.text(shown, row, f" {error:.3g}", va="center", fontsize=7)
    ax.axvline(1.0, color="0.3", ls="--", lw=1)
    ax.set(yticks=rows, xlim=(0, ERROR_AXIS_MAX * 1.15),
           xlabel="normalised error (|predicted - published| / band half-width on that side; <= 1 passes)")
    ax.set_yticklabels(labels, fontsize=7)
    passed = sum(r.passed for r in results)
    ax.set_title(f"Validation: {passed} of {len(results)} results inside the published band", fontsize=11)
    return fig
