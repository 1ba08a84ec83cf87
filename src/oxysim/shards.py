"""Large populations in shards: bounded memory, atomic Parquet files, resumable after a kill.

A population of N patients is simulated ``shard_size`` patients at a time; each shard's tidy table
is written to ``shard-00000.parquet`` etc. by an atomic rename, so a file that exists is complete.
``manifest.json`` records the run's specification (subtype, regimen, days, seed, hypotheses, model
version); resuming with a different specification is refused instead of mixing results. Patient k
always draws from the stream (seed, k), so the shards equal one large run patient for patient.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from oxysim import __version__
from oxysim.errors import InputError
from oxysim.regimen import parse_regimen
from oxysim.report.tables import atomic_path, tidy_table, write_table_atomic
from oxysim.simulation import simulate

MANIFEST = "manifest.json"


def shard_name(index: int) -> str:
    """File name of shard ``index``."""
    return f"shard-{index:05d}.parquet"


def _specification(subtype: str, regimen: str, days: float, n_patients: int, seed: int, shard_size: int,
                   hypotheses: Mapping[str, str], parameters: Mapping[str, float], output_interval_min: float,
                   variables: Sequence[str] | None) -> dict[str, Any]:
    return {"subtype": subtype, "regimen": regimen, "days": days, "n_patients": n_patients, "seed": seed,
            "shard_size": shard_size, "hypotheses": dict(sorted(hypotheses.items())),
            "parameters": dict(sorted(parameters.items())), "output_interval_min": output_interval_min,
            "variables": list(variables) if variables is not None else None, "oxysim_version": __version__}


def check_manifest(out: Path, spec: dict[str, Any], resume: bool) -> None:
    """Write ``spec`` as the run's manifest in ``out``, or check that a resumed run has the same one."""
    path = out / MANIFEST
    if path.exists():
        if not resume:
            raise InputError(f"{str(out)!r} already holds a run; pass resume=True (--resume) or choose another folder.")
        previous = json.loads(path.read_text(encoding="utf-8"))
        if previous != spec:
            changed = sorted(k for k in spec.keys() | previous.keys() if spec.get(k) != previous.get(k))
            raise InputError(f"{str(out)!r} holds a run with a different {', '.join(changed)}; "
                             "resume only with the same specification, or choose another folder.")
        return
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")


def simulate_sharded(
    out: str | Path,
    subtype: str,
    regimen: str,
    days: float,
    *,
    n_patients: int,
    seed: int,
    shard_size: int = 100,
    hypotheses: Mapping[str, str] | None = None,
    parameters: Mapping[str, float] | None = None,
    output_interval_min: float = 15.0,
    variables: Sequence[str] | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Simulate ``n_patients`` in shards into ``out``; return the shard paths (existing ones kept).

    ``progress(done, total)`` is called after each shard. With ``resume`` a folder with the same
    specification is completed: finished shards are not recomputed.
    """
    if shard_size < 1 or n_patients < 1:
        raise InputError("n_patients and shard_size must both be at least 1.")
    out = Path(out)
    text = parse_regimen(regimen).to_text()
    spec = _specification(subtype, text, days, n_patients, seed, shard_size, hypotheses or {}, parameters or {},
                          output_interval_min, variables)
    check_manifest(out, spec, resume)
    starts = range(0, n_patients, shard_size)
    paths = []
    for index, first in enumerate(starts):
        path = out / shard_name(index)
        if not path.exists():
            ds = simulate(subtype, text, days, n_patients=min(shard_size, n_patients - first), seed=seed,
                          hypotheses=hypotheses, parameters=parameters, output_interval_min=output_interval_min,
                          first_patient=first)
            write_table_atomic(tidy_table(ds, variables), path)
        paths.append(path)
        if progress is not None:
            progress(index + 1, len(starts))
    return paths


def load_shards(out: str | Path) -> pd.DataFrame:
    """All finished shards of a run as one tidy table (patient, time_h, day, variable, value, unit)."""
    out = Path(out)
    if not (out / MANIFEST).exists():
        raise InputError(f"{str(out)!r} holds no sharded run (no {MANIFEST}).")
    files = sorted(out.glob("shard-*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
