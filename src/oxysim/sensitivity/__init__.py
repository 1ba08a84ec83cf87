"""Global sensitivity of a virtual trial's main endpoints to the model parameters (research use only).

Two stages, as usual when a model has more parameters than a variance decomposition can afford
(Campolongo, Cariboni & Saltelli 2007; Saltelli et al. 2010): Morris screening (Morris 1991) of every
varied parameter ranks them by μ*, then Sobol first-order and total indices are estimated for the ``top``
parameters only, all through SALib (Herman & Usher 2017). A design point is the spec's trial with one
typical patient per compared arm (see :mod:`oxysim.sensitivity.design`). μ* is in endpoint units per full
range of a parameter; parameters are ranked by their largest μ* across endpoints, each endpoint's μ* scaled
by its largest. Every top parameter is listed with its source or assumption: the answer rests on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oxysim import RESEARCH_USE_NOTICE, __version__
from oxysim.errors import InputError
from oxysim.report.tables import atomic_path, write_table_atomic
from oxysim.sensitivity import indices
from oxysim.sensitivity.design import ENDPOINTS, Factor, compared_arms, evaluate, factors
from oxysim.report.canvas import new_figure, png_bytes
from oxysim.trials.spec import StudySpec

FILES = {"morris": "sensitivity_morris.csv", "sobol": "sensitivity_sobol.csv", "json": "sensitivity.json",
         "figure": "sensitivity.png"}


@dataclass(frozen=True)
class SensitivityResult:
    """Morris and Sobol tables (one row per endpoint and parameter), the top parameters with their basis,
    and what was run."""

    morris: pd.DataFrame
    sobol: pd.DataFrame
    top: pd.DataFrame
    design: dict[str, Any]
    out_dir: Path | None = None


def rank(morris: pd.DataFrame) -> pd.Series:
    """Each parameter's largest μ* across endpoints, each endpoint's μ* scaled by its largest, descending."""
    scaled = morris["mu_star"] / morris.groupby("endpoint")["mu_star"].transform("max").replace(0.0, np.inf)
    return scaled.groupby(morris["parameter"], sort=False).max().sort_values(ascending=False, kind="stable")


def run_sensitivity(spec: StudySpec, *, morris_trajectories: int = 10, sobol_samples: int = 64, top: int = 8,
                    seed: int = 0, parameters: list[str] | None = None,
                    out_dir: str | Path | None = None) -> SensitivityResult:
    """Morris screening of ``parameters`` (default: every model parameter), then Sobol on the ``top`` by μ*.

    Costs 2 x (morris_trajectories x (k + 1) + sobol_samples x (top + 2)) typical-patient simulations for k
    varied parameters. ``sobol_samples`` must be a power of 2. With ``out_dir`` writes
    :data:`FILES` there atomically.
    """
    if morris_trajectories < 2 or top < 1 or sobol_samples < 2 or sobol_samples & (sobol_samples - 1):
        raise InputError("need morris_trajectories >= 2, top >= 1 and sobol_samples a power of 2 (>= 2); got "
                         f"{morris_trajectories}, {top} and {sobol_samples}.")
    varied = factors(spec, parameters)
    by_name = {f.name: f for f in varied}

    def model(chosen: list[Factor]) -> indices.Evaluate:
        return lambda points: evaluate(spec, chosen, points)

    unit = [(0.0, 1.0)] * len(varied)
    morris = indices.morris([f.name for f in varied], unit, model(varied), trajectories=morris_trajectories, seed=seed)
    ranking = rank(morris)
    leaders = [by_name[name] for name in ranking.index[:top]]
    sobol = indices.sobol([f.name for f in leaders], unit[:len(leaders)], model(leaders), samples=sobol_samples,
                          seed=seed)
    top_table = pd.DataFrame([{"parameter": f.name, "score": ranking[f.name], "nominal": f.nominal, "low": f.low,
                               "high": f.high, "unit": f.unit, "basis": f.basis} for f in leaders])
    active, control = compared_arms(spec)
    design = {"spec": spec.name, "subtype": spec.subtype, "active_arm": active.name, "control_arm": control.name,
              "primary_scale": spec.primary_scale, "endpoints": list(ENDPOINTS), "parameters_screened": len(varied),
              "morris_trajectories": morris_trajectories, "sobol_samples": sobol_samples, "top": len(leaders),
              "seed": seed, "design_point": "one typical patient per compared arm; no variability, covariates, "
              "observation noise, dropout or follow-up"}
    result = SensitivityResult(morris, sobol, top_table, design, None if out_dir is None else Path(out_dir))
    if result.out_dir is not None:
        write_outputs(result, result.out_dir)
    return result


def to_json(result: SensitivityResult) -> dict[str, Any]:
    """The result as one JSON-ready object (the content of sensitivity.json)."""
    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return json.loads(frame.to_json(orient="records"))

    return {"design": result.design, "top_parameters": records(result.top), "morris": records(result.morris),
            "sobol": records(result.sobol), "oxysim_version": __version__, "notice": RESEARCH_USE_NOTICE}


def write_outputs(result: SensitivityResult, out: Path) -> dict[str, Path]:
    """Write the tables, the JSON and the figure into ``out`` atomically; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {key: out / name for key, name in FILES.items()}
    write_table_atomic(result.morris, paths["morris"])
    write_table_atomic(result.sobol, paths["sobol"])
    with atomic_path(paths["json"]) as tmp:
        tmp.write_text(json.dumps(to_json(result), indent=2, ensure_ascii=False), encoding="utf-8")
    with atomic_path(paths["figure"]) as tmp:
        tmp.write_bytes(figure(result))
    return paths


def figure(result: SensitivityResult) -> bytes:
    """PNG: per endpoint (rows), Morris μ* (left) and Sobol ST with its CI (right) of the top parameters."""
    names = list(result.top["parameter"])
    fig = new_figure((11, 1.2 + 0.35 * len(names) * len(ENDPOINTS)))
    axes = fig.subplots(len(ENDPOINTS), 2, squeeze=False)
    y = np.arange(len(names))
    for row, endpoint in enumerate(ENDPOINTS):
        m = result.morris[result.morris["endpoint"] == endpoint].set_index("parameter").loc[names]
        s = result.sobol[result.sobol["endpoint"] == endpoint].set_index("parameter").loc[names]
        axes[row, 0].barh(y, m["mu_star"], xerr=m["mu_star_conf"], color="#4477aa")
        axes[row, 1].barh(y, s["ST"], xerr=s["ST_conf"], color="#cc6677")
        for col, label in enumerate(("Morris μ* (per full range)", "Sobol total index ST")):
            ax = axes[row, col]
            ax.set_yticks(y, names if col == 0 else [""] * len(names), fontsize=7)
            ax.invert_yaxis()
            ax.set_title(f"{endpoint}: {label}", fontsize=8)
            ax.tick_params(axis="x", labelsize=7)
    return png_bytes(fig)
