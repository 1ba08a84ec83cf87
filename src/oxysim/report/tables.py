"""Tables of a simulation: tidy long trajectories, one summary row per patient, atomic file writes."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from oxysim.errors import InputError

TIDY_COLUMNS = ("patient", "time_h", "day", "variable", "value", "unit")


def default_variables(ds: xr.Dataset) -> list[str]:
    """Every state and observable of ``ds`` (inputs are regimen switches, not patient trajectories)."""
    return [name for name, var in ds.data_vars.items() if var.attrs.get("kind") in ("state", "observable")]


def tidy_table(ds: xr.Dataset, variables: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per variable, patient and time, with the value's unit: the long form that groups easily.

    ``variables`` defaults to every state and observable; inputs (time only) are repeated per patient.
    The frame's ``attrs`` carry the research-use notice, which parquet files keep in their metadata.
    """
    names = list(variables) if variables is not None else default_variables(ds)
    unknown = [name for name in names if name not in ds.data_vars]
    if unknown or not names:
        raise InputError(f"Unknown or no variables {unknown}; the Dataset has: {', '.join(ds.data_vars)}.")
    n_patients, n_times = ds.sizes["patient"], ds.sizes["time"]
    block = n_patients * n_times
    codes = np.repeat(np.arange(len(names)), block)
    values = [np.broadcast_to(ds[name].transpose(..., "time").values, (n_patients, n_times)) for name in names]
    frame = pd.DataFrame({
        "patient": np.tile(np.repeat(ds["patient"].values, n_times), len(names)),
        "time_h": np.tile(ds["time"].values, n_patients * len(names)),
        "day": np.tile(ds["day"].values, n_patients * len(names)),
        "variable": pd.Categorical.from_codes(codes, categories=names),
        "value": np.concatenate([v.ravel() for v in values]),
        "unit": pd.Categorical(np.array([ds[name].attrs.get("units", "") for name in names], dtype=object)[codes]),
    })
    frame.attrs.update(notice=ds.attrs.get("notice", ""), subtype=ds.attrs.get("subtype", ""),
                       regimen=ds.attrs.get("regimen", ""))
    return frame


def patient_summary(ds: xr.Dataset) -> pd.DataFrame:
    """One row per patient: primary scale at baseline (t = 0) and at the end, its change, and key means/peaks.

    Column names carry the unit where one applies, so the CSV reads without the Dataset.
    """
    scale = ds.attrs["primary_scale"]
    baseline, end = ds[scale].isel(time=0).values, ds[scale].isel(time=-1).values
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = 100.0 * (end - baseline) / baseline
    return pd.DataFrame({
        "patient": ds["patient"].values,
        "primary_scale": scale,
        "scale_baseline": baseline,
        "scale_end": end,
        "scale_change": end - baseline,
        "scale_change_pct": percent,
        "severity_baseline": ds["severity"].isel(time=0).values,
        "severity_end": ds["severity"].isel(time=-1).values,
        "cortisol_mean_nmol_L": ds["cortisol_nmol"].mean("time").values,
        "amygdala_mean": ds["amygdala"].mean("time").values,
        "ot_signal_mean": ds["ot_signal"].mean("time").values,
        "ot_plasma_peak_pg_mL": ds["ot_plasma"].max("time").values,
        "ot_csf_peak_pg_mL": ds["ot_csf_pg"].max("time").values,
        "fear_memory_end": ds["fear_memory"].isel(time=-1).values,
        "extinction_memory_end": ds["extinction_memory"].isel(time=-1).values,
    })


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary name beside ``path`` to write to; it replaces ``path`` only if the block succeeds.

    Readers never see a half-written file, and a failed write leaves the old file (if any) intact.
    The temporary name keeps the suffix, so writers that infer the format from it still work.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(6)}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_table_atomic(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to a ``.csv`` or ``.parquet`` file atomically (see :func:`atomic_path`); return the path."""
    path = Path(path)
    writers = {
        ".csv": lambda target: df.to_csv(target, index=False),
        ".parquet": lambda target: df.to_parquet(target, index=False),
    }
    if path.suffix not in writers:
        raise InputError(f"Cannot write a table to {path.name!r}; use a .csv or .parquet file name.")
    with atomic_path(path) as tmp:
        writers[path.suffix](tmp)
    return path
