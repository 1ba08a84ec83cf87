"""The report of a virtual trial: one self-contained HTML page, with its figures also saved as PNG files.

Figures are drawn with matplotlib's Agg canvas, mathtext off so that user labels print as typed; every
user-supplied string in the page is HTML-escaped. Files are written atomically and only after everything has
been rendered, so a failure leaves no partial file. The report describes virtual patients of a mechanistic
model and states that it is not dosing advice for any person.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from scipy import stats

from oxysim import RESEARCH_USE_NOTICE
from oxysim.errors import InputError
from oxysim.report.canvas import new_figure, png_bytes
from oxysim.report.tables import atomic_path
from oxysim.trials.analysis import FLOW_STAGES, require_columns

REPORT_FILE = "report.html"
FIGURE_DIR = "figures"
FIGURES = {"flow": "flow.png", "trajectories": "trajectories.png", "forest": "forest.png", "power": "power.png",
           "sensitivity": "sensitivity.png"}
NOT_COMPUTED = "<p>Not computed for this run.</p>"
SIGN_NOTE = ("Differences are arm minus control (or last visit minus baseline): on anxiety scales a negative value "
             "is a larger reduction of symptoms in virtual patients.")
TWIN_NOTE = ("Every patient of an active arm was also simulated under the control arm (its in-silico twin). The mean "
             "paired difference of the noise-free primary change is the model's average effect in these patients, "
             "free of the between-arm sampling, rater error and dropout that the primary analysis carries; when the "
             "two disagree, the primary contrast is mostly chance. p_holm in the primary table adjusts for the number "
             "of arms compared with one control.")
SENSITIVITY_NOTE = ("Morris screening of every model parameter over its range, then Sobol indices of the top "
                    "ones, for the first active arm against the control with one typical patient each: the "
                    "parameters whose uncertainty moves this trial's answer most, and the source or assumption "
                    "each rests on.")
STYLE = """body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}
.notice{border:2px solid #c90;background:#fff8e1;padding:.8em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}td.text{text-align:left;white-space:pre-wrap}img{max-width:100%}"""


# --- figures ---------------------------------------------------------------------------------------------


def _box(ax: Axes, text: str, at: tuple[float, float], parent: Annotation | None = None) -> Annotation:
    """A rounded box of ``text`` centred at the data point ``at``, with an arrow from the bottom of ``parent``'s box."""
    style = {"ha": "center", "va": "center", "fontsize": 9, "bbox": {"boxstyle": "round", "fc": "white", "ec": "0.3"}}
    if parent is None:
        return ax.annotate(text, at, **style)
    return ax.annotate(text, xy=(0.5, 0), xycoords=parent.get_bbox_patch(), xytext=at, textcoords="data",
                       arrowprops={"arrowstyle": "<-", "color": "0.3"}, **style)


def _flow_figure(flow: pd.DataFrame) -> Figure:
    """CONSORT-style boxes: assessed, randomised, then per group allocated, completed/dropped out, analysed."""
    n = {(stage, str(arm)): int(count) for stage, arm, count in flow[["stage", "arm", "n"]].itertuples(index=False)}
    groups = [str(arm) for arm in flow.loc[flow["stage"] == "allocated", "arm"]]
    fig = new_figure((max(6.0, 3.2 * len(groups)), 6.0))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set(xlim=(0, len(groups)), ylim=(0.2, 5))
    assessed = _box(ax, f"Assessed for eligibility\nn = {n['assessed', '']}", (len(groups) / 2, 4.6))
    randomised = _box(ax, f"Randomised\nn = {n['randomised', '']}", (len(groups) / 2, 3.7), assessed)
    for i, group in enumerate(groups):
        allocated = _box(ax, f"Allocated to {group}\nn = {n['allocated', group]}", (i + 0.5, 2.7), randomised)
        followed = _box(ax, f"Completed n = {n['completed', group]}\nDropped out n = {n['dropped_out', group]}",
                        (i + 0.5, 1.7), allocated)
        _box(ax, f"Analysed\nn = {n['analysed', group]}", (i + 0.5, 0.7), followed)
    return fig


def _trajectory_figure(visits: pd.DataFrame) -> Figure:
    """Mean score per arm and week with its 95 % t confidence band (patients observed at that visit)."""
    summary = visits.dropna(subset=["score"]).groupby(["arm", "week"])["score"].agg(["mean", "std", "count"])
    half = stats.t.ppf(0.975, summary["count"] - 1) * summary["std"] / np.sqrt(summary["count"])
    fig = new_figure((7.5, 4.5))
    ax = fig.add_subplot()
    for arm, group in summary.assign(half=half).reset_index().groupby("arm"):
        (line,) = ax.plot(group["week"], group["mean"], marker="o", label=str(arm))
        ax.fill_between(group["week"], group["mean"] - group["half"], group["mean"] + group["half"],
                        color=line.get_color(), alpha=0.2, lw=0)
    scale = ", ".join(map(str, visits["scale"].unique()))
    ax.set(xlabel="week", ylabel=f"{scale} score", title="Mean score by arm (band: 95 % CI of the mean)")
    ax.legend(frameon=False)
    return fig


def _forest_figure(primary: pd.DataFrame) -> Figure:
    """Each contrast's estimate with its 95 % CI (labelled with its analysis, if named) against no difference."""
    fig = new_figure((7.5, 1.5 + 0.5 * len(primary)))
    ax = fig.add_subplot()
    y = np.arange(len(primary))[::-1]
    estimate = primary["estimate"].to_numpy(float)
    errors = [estimate - primary["ci_low"].to_numpy(float), primary["ci_high"].to_numpy(float) - estimate]
    ax.errorbar(estimate, y, xerr=errors, fmt="o", capsize=4, color="0.2")
    ax.axvline(0, color="0.5", ls="--", lw=1)
    labels = primary["contrast"].astype(str)
    if "analysis" in primary:
        labels += " (" + primary["analysis"].astype(str) + ")"
    ax.set_yticks(y, labels.tolist())
    ax.set(ylim=(-0.7, len(primary) - 0.3), xlabel="difference (95 % CI); negative = larger reduction")
    return fig


def _power_figure(power: pd.DataFrame) -> Figure:
    """Power against patients per arm, with Wilson CIs and the conventional 80 % line."""
    fig = new_figure((7.0, 4.0))
    ax = fig.add_subplot()
    level = power["power"].to_numpy(float)
    errors = [level - power["ci_low"].to_numpy(float), power["ci_high"].to_numpy(float) - level]
    ax.errorbar(power["n_per_arm"], level, yerr=errors, fmt="o-", capsize=3)
    ax.axhline(0.8, color="0.5", ls="--", lw=1)
    ax.set(ylim=(0, 1.02), xlabel="virtual patients per arm", ylabel="power (95 % CI)")
    return fig


def _render_figures(flow: pd.DataFrame, visits: pd.DataFrame, primary: pd.DataFrame,
                    power: pd.DataFrame | None) -> dict[str, bytes]:
    """PNG bytes of every figure of the report, keyed like :data:`FIGURES`."""
    drawers = {"flow": (_flow_figure, flow), "trajectories": (_trajectory_figure, visits),
               "forest": (_forest_figure, primary), "power": (_power_figure, power)}
    with mpl.rc_context({"text.parse_math": False}):
        return {name: png_bytes(draw(table)) for name, (draw, table) in drawers.items() if table is not None}


# --- HTML ------------------------------------------------------------------------------------------------


def _format_p(value: float) -> str:
    """A p-value as printed in trial reports: '<0.001' below one in a thousand."""
    return "" if pd.isna(value) else "<0.001" if value < 0.001 else f"{value:.3f}"


def _table(frame: pd.DataFrame | None) -> str:
    """An escaped HTML table of ``frame`` with 4 significant digits, or the not-computed note."""
    if frame is None:
        return NOT_COMPUTED
    formatters = {column: _format_p for column in frame.columns if column in ("p_value", "p_holm")}
    return frame.to_html(index=False, escape=True, border=0, na_rep="", float_format=lambda x: f"{x:.4g}",
                         formatters=formatters)


def _mapping_table(mapping: Mapping[str, Any]) -> str:
    """A two-column escaped HTML table of keys and values (non-strings as JSON)."""
    rows = "".join(
        f'<tr><th>{escape(str(key))}</th><td class="text">'
        f"{escape(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))}</td></tr>"
        for key, value in mapping.items())
    return f"<table>{rows}</table>" if rows else "<p>None given.</p>"


def _image(png: bytes, alt: str) -> str:
    """The PNG embedded as a base64 data URI, so the page needs no other file."""
    return f'<p><img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}"></p>'


def _assumption_table(assumptions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The assumptions as rows of name, value, unit and basis; each item needs a source or an assumption."""
    rows = []
    for i, item in enumerate(assumptions):
        missing = [key for key in ("name", "value", "unit") if key not in item]
        basis = [key for key in ("source", "assumption") if str(item.get(key) or "").strip()]
        if missing or not basis:
            lacking = ", ".join(missing) or "a source or an assumption"
            raise InputError(f"Assumption {i} ({item.get('name', '?')!r}) lacks {lacking}; "
                             "each needs name, value, unit and a source or an assumption.")
        rows.append({"name": item["name"], "value": item["value"], "unit": item["unit"],
                     "basis": f"{basis[0]}: {item[basis[0]]}"})
    return pd.DataFrame(rows, columns=["name", "value", "unit", "basis"])


def _check_tables(flow: pd.DataFrame, visits: pd.DataFrame, primary: pd.DataFrame, power: pd.DataFrame | None,
                  optional: Mapping[str, pd.DataFrame | None]) -> None:
    """InputErrors for tables the figures cannot draw from: a missing column, stage or a non-DataFrame."""
    require_columns(flow, ("stage", "arm", "n"), "The flow table")
    missing = [stage for stage in FLOW_STAGES if stage not in set(flow["stage"])]
    if missing:
        raise InputError(f"The flow table lacks the stage(s) {', '.join(missing)}; "
                         f"it has: {', '.join(map(str, flow['stage'].unique()))}.")
    require_columns(visits, ("arm", "week", "scale", "score"), "The visit table")
    require_columns(primary, ("contrast", "estimate", "ci_low", "ci_high"), "The primary analysis table")
    if power is not None:
        require_columns(power, ("n_per_arm", "power", "ci_low", "ci_high"), "The power table")
    for what, frame in optional.items():
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise InputError(f"The {what} table must be a pandas DataFrame or None, not {type(frame).__name__}.")


def _page(title: str, sections: Sequence[tuple[str, str]]) -> str:
    """The whole HTML document: escaped title, the sections in order, the notice again at the end."""
    body = "\n".join(f"<section>\n<h2>{escape(heading)}</h2>\n{content}\n</section>" for heading, content in sections)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{escape(title)}</h1>\n{body}\n"
            f'<footer><p class="notice">{escape(RESEARCH_USE_NOTICE)}</p></footer>\n</body>\n</html>\n')


def _write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through :func:`~oxysim.report.tables.atomic_path`; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_report(out_dir: str | Path, *, title: str, design: Mapping[str, Any], flow: pd.DataFrame,
                 visits: pd.DataFrame, primary: pd.DataFrame, effect_sizes: pd.DataFrame | None,
                 responders: pd.DataFrame | None, power: pd.DataFrame | None, mechanistic: pd.DataFrame | None,
                 assumptions: Sequence[Mapping[str, Any]], hypotheses: Mapping[str, str],
                 metadata: Mapping[str, Any], counterfactual: pd.DataFrame | None = None,
                 sensitivity: tuple[pd.DataFrame, bytes] | None = None) -> Path:
    """Write ``report.html`` and ``figures/*.png`` of a virtual trial into ``out_dir``; return the HTML path.

    ``flow`` is :func:`oxysim.trials.analysis.consort_flow`'s table, ``primary`` one with contrast, estimate,
    ci_low and ci_high (e.g. :func:`~oxysim.trials.analysis.ancova`), ``power`` :func:`~oxysim.trials.analysis.
    power_curve`'s, ``counterfactual`` :func:`~oxysim.trials.analysis.counterfactual_effects`'s; the other
    tables are shown as given, None meaning not computed. ``sensitivity`` is the top-parameter table and
    figure of :func:`oxysim.sensitivity.run_sensitivity` (its ``top`` and :func:`~oxysim.sensitivity.figure`).
    ``assumptions`` items have name, value, unit and a source or an assumption; ``hypotheses`` maps each
    hypothesis to its variant and evidence.
    """
    optional = {"effect size": effect_sizes, "responder": responders, "mechanistic": mechanistic,
                "counterfactual": counterfactual}
    _check_tables(flow, visits, primary, power, optional)
    assumption_rows = _assumption_table(assumptions)
    images = _render_figures(flow, visits, primary, power)
    if sensitivity is not None:
        images["sensitivity"] = sensitivity[1]
    notice = (f'<p class="notice">{escape(RESEARCH_USE_NOTICE)} Every number in this report describes simulated '
              "virtual patients; none is a recommendation for treating or dosing a person.</p>")
    power_section = NOT_COMPUTED if power is None else _image(images["power"], "power curve") + _table(power)
    sections = [
        ("Research use only", notice),
        ("Design", _mapping_table(design)),
        ("Participant flow", _image(images["flow"], "participant flow") + _table(flow)),
        ("Trajectories by arm", _image(images["trajectories"], "score trajectories by arm")),
        ("Primary analysis", f"<p>{escape(SIGN_NOTE)}</p>" + _table(primary)
         + _image(images["forest"], "forest plot of the primary contrasts")),
        ("Model effect with in-silico twins", f"<p>{escape(TWIN_NOTE)}</p>" + _table(counterfactual)
         if counterfactual is not None else NOT_COMPUTED),
        ("Effect sizes", _table(effect_sizes)),
        ("Responders", _table(responders)),
        ("Power", power_section),
        ("Mechanistic endpoints", _table(mechanistic)),
        ("Parameters behind the answer", NOT_COMPUTED if sensitivity is None else
         f"<p>{escape(SENSITIVITY_NOTE)}</p>" + _table(sensitivity[0])
         + _image(images["sensitivity"], "Morris and Sobol indices of the top parameters")),
        ("Assumptions and hypotheses", "<h3>Assumptions</h3>" + _table(assumption_rows)
         + "<h3>Hypothesis variants</h3>" + _mapping_table(hypotheses)),
        ("Metadata", _mapping_table(metadata)),
    ]
    page = _page(title, sections)
    out_dir = Path(out_dir)
    (out_dir / FIGURE_DIR).mkdir(parents=True, exist_ok=True)
    for name, png in images.items():
        _write_atomic(out_dir / FIGURE_DIR / FIGURES[name], png)
    return _write_atomic(out_dir / REPORT_FILE, page.encode("utf-8"))

