"""Figures of a simulation, drawn with matplotlib's Agg canvas (no display, no global pyplot state)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oxysim.regimen import parse_regimen
from oxysim.report.tables import atomic_path


def _panels(ds: xr.Dataset) -> list[tuple[str, tuple[str, ...]]]:
    """(title, variables) of each panel, following the chain from dose to symptom."""
    scale = ds.attrs["primary_scale"]
    return [
        ("Plasma oxytocin", ("ot_plasma",)),
        ("CSF oxytocin (exogenous)", ("ot_csf_pg",)),
        ("OXTR signalling", ("ot_signal",)),
        ("Cortisol", ("cortisol_nmol",)),
        ("Amygdala activity", ("amygdala",)),
        ("Fear and extinction memory", ("fear_memory", "extinction_memory")),
        (f"Primary scale: {scale.replace('_', '-').upper()}", (scale,)),
        ("Latent severity", ("severity",)),
    ]


def administration_days(ds: xr.Dataset) -> list[float]:
    """Days of every administration or session start of the Dataset's regimen, within its time span."""
    end = float(ds["time"].values[-1])
    elements = parse_regimen(ds.attrs["regimen"]).elements
    return sorted(t / 24.0 for element in elements for t in element.times() if t <= end)


def _draw(ax: Axes, da: xr.DataArray, label: str) -> None:
    """The median over patients as a line, with the 10-90th percentile band when there are several."""
    days, values = da["day"].values, da.transpose("patient", "time").values
    (line,) = ax.plot(days, np.median(values, axis=0), lw=1.2, label=label)
    if values.shape[0] > 1:
        low, high = np.percentile(values, [10, 90], axis=0)
        ax.fill_between(days, low, high, color=line.get_color(), alpha=0.2, lw=0)


def plot_trajectories(ds: xr.Dataset, path: str | Path) -> Path:
    """Save a multi-panel PNG of oxytocin exposure, OXTR signalling, cortisol, amygdala, memories and symptoms.

    Thin grey lines mark administrations, so exposure peaks and downstream responses can be read
    against the schedule. The research-use notice is printed on the figure and in its metadata.
    """
    fig = Figure(figsize=(11, 12), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(4, 2, sharex=True).ravel()
    doses = administration_days(ds)
    for ax, (title, names) in zip(axes, _panels(ds), strict=True):
        for name in names:
            _draw(ax, ds[name], name)
        unit = ds[names[0]].attrs.get("units", "")
        ax.set(title=title, ylabel="" if unit == "dimensionless" else unit)
        for day in doses:
            ax.axvline(day, color="0.6", lw=0.5, alpha=0.6, zorder=0)
        if len(names) > 1:
            ax.legend(fontsize=8, frameon=False)
    for ax in axes[-2:]:
        ax.set_xlabel("day")
    n = ds.sizes["patient"]
    spread = f"median and 10-90th percentile of {n} patients" if n > 1 else "1 patient"
    regimen = parse_regimen(ds.attrs["regimen"]).describe()
    fig.suptitle(textwrap.fill(f"{ds.attrs['subtype']} - {regimen} ({spread})", 110), fontsize=11)
    notice = ds.attrs.get("notice", "")
    fig.text(0.5, -0.01, notice, ha="center", va="top", fontsize=8, style="italic")
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight",
                    metadata={"Description": notice, "Software": f"oxysim {ds.attrs.get('oxysim_version', '')}"})
    return path
