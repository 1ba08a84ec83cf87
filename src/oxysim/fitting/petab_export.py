"""PEtab v1 export of a fit problem (Schmiester et al. 2021, PLoS Comput Biol 17:e1008646), so that other tools
(pyPESTO with AMICI, COPASI, Data2Dynamics) can refit it.

PEtab v1 measures model observables at time points. The findings a problem rests on are partly such points
(serum cortisol at 08:00, plasma ACTH at TSST onset) and partly summaries of a trajectory (the time of a peak, a
recovery time, a ratio, a daily mean), which PEtab v1 cannot state. The export therefore writes the point
findings as a PEtab problem (model.xml, conditions, observables, measurements, parameters with priors,
problem.yaml; it passes PEtab's linter) and lists the summary findings beside it in
``summary_statistics.tsv`` with their targets and the oxysim function that measures them. A refit that uses
the PEtab files alone sees only the point findings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from oxysim.errors import InputError
from oxysim.fitting.problem import FitProblem
from oxysim.interop.sbml import patient_sbml
from oxysim.report.tables import atomic_path
from oxysim.trials.analysis import Z_95
from oxysim.validation.registry import select


@dataclass(frozen=True)
class PetabPoint:
    """A finding that is one observable at one time of one condition."""

    experiment: str
    condition: str
    observable: str
    time_h: float


@dataclass(frozen=True)
class PetabLayout:
    """How a problem maps onto PEtab v1: the simulated protocol, its conditions and its point findings.

    ``conditions`` map a condition id to parameter overrides (e.g. stressor gains of 0 switch a stress task off
    exactly, since the stressor only acts through them).
    """

    subtype: str
    regimen: str
    days: float
    conditions: dict[str, dict[str, float]]
    points: tuple[PetabPoint, ...]


def _write_tsv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, sep="\t", index=False)


def _typical_values(subtype: str) -> dict[str, float]:
    """Parameter values of the typical patient of ``subtype`` (model defaults and the subtype profile)."""
    from oxysim.model import build_model
    from oxysim.population.subtypes import get_profile

    return {**{p.name: float(p.value) for p in build_model().parameters}, **get_profile(subtype).parameters}


def _log_sigma(low: float, high: float, value: float) -> float:
    """SD of a log-normal noise model whose 95 % interval is the band (or the half-band around the value)."""
    if low > 0 and math.isfinite(high):
        return math.log(high / low) / (2 * Z_95)
    if low > 0:
        return math.log(value / low) / Z_95
    raise InputError(f"a point finding needs a positive lower band edge for log-normal noise; got {low}")


def export_petab(problem: FitProblem, layout: PetabLayout, out_dir: str | Path) -> Path:
    """Write ``problem`` as a PEtab v1 problem plus ``summary_statistics.tsv`` into ``out_dir``; return the YAML."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    experiments = {e.id: e for e in select(problem.experiments)[0]}
    missing = [p.experiment for p in layout.points if p.experiment not in experiments]
    if missing:
        raise InputError(f"PEtab points name experiments outside problem {problem.name}: {', '.join(missing)}")
    with atomic_path(out / "model.xml") as tmp:
        tmp.write_text(patient_sbml(layout.subtype, layout.regimen, layout.days), encoding="utf-8")
    overridden = sorted({name for overrides in layout.conditions.values() for name in overrides})
    typical = _typical_values(layout.subtype)
    conditions = pd.DataFrame([{"conditionId": cid, **{name: overrides.get(name, typical[name]) for name in overridden}}
                               for cid, overrides in layout.conditions.items()])
    observables = sorted({p.observable for p in layout.points})
    measurements = pd.DataFrame([{
        "observableId": f"obs_{p.observable}", "simulationConditionId": p.condition, "time": p.time_h,
        "measurement": experiments[p.experiment].target.value,
        "noiseParameters": _log_sigma(experiments[p.experiment].target.low, experiments[p.experiment].target.high,
                                      experiments[p.experiment].target.value),
        "datasetId": p.experiment} for p in layout.points])
    observable_table = pd.DataFrame([{"observableId": f"obs_{name}", "observableFormula": name,
                                      "noiseFormula": f"noiseParameter1_obs_{name}", "noiseDistribution": "normal",
                                      "observableTransformation": "log"} for name in observables])
    nominal = problem.nominal()
    parameters = pd.DataFrame([{
        "parameterId": p.name, "parameterScale": "log10", "lowerBound": p.lower, "upperBound": p.upper,
        "nominalValue": nominal[p.name], "estimate": 1,
        "objectivePriorType": "parameterScaleNormal" if p.prior else "",
        "objectivePriorParameters": (f"{np.mean(np.log10(p.prior)):.6g};"
                                     f"{np.log10(p.prior[1] / p.prior[0]) / (2 * Z_95):.6g}") if p.prior else "",
    } for p in problem.parameters])
    points = {p.experiment for p in layout.points}
    summaries = pd.DataFrame([{
        "id": e.id, "quantity": e.quantity, "target": e.target.value, "low": e.target.low, "high": e.target.high,
        "units": e.units, "protocol": e.protocol, "measured_by": f"{e.predict.__module__}.{e.predict.__qualname__}",
        "why_not_petab": "a summary of a trajectory (peak, recovery, ratio or mean), which PEtab v1 observables "
                         "cannot state"} for e in experiments.values() if e.id not in points])
    for frame, name in ((conditions, "conditions.tsv"), (observable_table, "observables.tsv"),
                        (measurements, "measurements.tsv"), (parameters, "parameters.tsv"),
                        (summaries, "summary_statistics.tsv")):
        _write_tsv(frame, out / name)
    yaml_text = "\n".join([
        "format_version: 1", "parameter_file: parameters.tsv", "problems:", "- condition_files: [conditions.tsv]",
        "  measurement_files: [measurements.tsv]", "  observable_files: [observables.tsv]",
        "  sbml_files: [model.xml]", ""])
    with atomic_path(out / "problem.yaml") as tmp:
        tmp.write_text(yaml_text, encoding="utf-8")
    return out / "problem.yaml"
