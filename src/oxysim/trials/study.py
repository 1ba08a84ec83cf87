"""From a study spec to a statistician's report: run the trial, analyse it, write tables and report.html.

This is what ``oxysim trial SPEC.yaml --out DIR`` runs. The trial's shards live in ``DIR/trial`` (and
``DIR/power`` when the spec asks for a power curve), so a killed study resumes where it stopped.
Everything it writes describes virtual patients of a mechanistic model: research use only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from oxysim import RESEARCH_USE_NOTICE, __version__
from oxysim.errors import InputError
from oxysim.model import build_model
from oxysim.report.tables import write_table_atomic
from oxysim.trials import analysis
from oxysim.trials.covariates import COVARIATE_EFFECTS
from oxysim.trials.report import write_report
from oxysim.trials.run import TrialResult, run_power, run_trial
from oxysim.trials.spec import StudySpec


@dataclass(frozen=True)
class StudyOutputs:
    """The analysed study: the trial tables, each analysis table, and the report path."""

    trial: TrialResult
    primary: pd.DataFrame
    effect_sizes: pd.DataFrame
    responders: pd.DataFrame
    mechanistic: pd.DataFrame | None
    power: pd.DataFrame | None
    report: Path
    counterfactual: pd.DataFrame | None = None


def primary_visits(result: TrialResult) -> pd.DataFrame:
    """Visits of the primary scale over the treatment weeks (follow-up visits left out)."""
    spec = result.spec
    visits = result.visits
    return visits[(visits["scale"] == spec.primary_scale) & (visits["week"] <= spec.duration_weeks)]


def assumption_records(spec: StudySpec) -> list[dict[str, Any]]:
    """Every model parameter and covariate effect the result rests on, with its source or assumption."""
    model = build_model(spec.hypotheses)
    records = [{"name": p.name, "value": p.value, "unit": p.unit,
                **({"source": p.source} if p.source else {"assumption": p.assumption})} for p in model.parameters]
    for effect in COVARIATE_EFFECTS:
        records.append({"name": f"{effect.covariate} -> {effect.parameter}", "value": effect.magnitude,
                        "unit": effect.how, "source": effect.source})
    variability, correlations = spec.variability.resolved(spec.subtype)
    records += [{"name": f"between-patient CV of {v.parameter}", "value": v.cv, "unit": "log-normal CV",
                 **({"assumption": v.source.removeprefix("assumption: ")} if v.source.startswith("assumption")
                    else {"source": v.source})} for v in variability]
    records += [{"name": f"correlation of {c.first} and {c.second} random effects", "value": c.rho,
                 "unit": "correlation", "source": c.source} for c in correlations]
    return records


def _analyses(spec: StudySpec, result: TrialResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Primary analysis, effect sizes, and response (plus relapse when there is follow-up)."""
    visits = primary_visits(result)
    if spec.design.type == "crossover":
        primary = analysis.crossover(visits, spec.control)
        return primary, pd.DataFrame(), pd.DataFrame()
    binary = [analysis.responders(visits, spec.control, threshold=spec.endpoints.response_reduction,
                                  remission_below=spec.endpoints.remission_below)]
    if spec.follow_up_weeks:
        everything = result.visits[result.visits["scale"] == spec.primary_scale]
        try:
            binary.append(analysis.relapse(everything, spec.control, spec.duration_weeks,
                                          spec.endpoints.response_reduction, after=spec.endpoints.relapse_after,
                                          remission_below=spec.endpoints.remission_below))
        except InputError as exc:  # e.g. no control remitter with follow-up: the report shows response only
            warnings.warn(f"Relapse is not reported: {exc}", UserWarning, stacklevel=2)
    return (analysis.ancova(visits, spec.control), analysis.effect_sizes(visits, spec.control),
            pd.concat(binary, ignore_index=True))


def run_study(
    spec: StudySpec,
    out_dir: str | Path,
    *,
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> StudyOutputs:
    """Run ``spec`` (and its power replicates when it has a ``power`` section), analyse, and report.

    ``progress(stage, done, total)`` is called after each shard of the ``trial`` and ``power`` stages.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def stage(name: str) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, total: progress(name, done, total))

    result = run_trial(spec, out / "trial", workers=workers, cluster=cluster, resume=resume, progress=stage("trial"))
    visits = primary_visits(result)
    primary, effects, responders = _analyses(spec, result)
    mechanistic = (analysis.mechanistic_endpoints(result.patients[result.patients["period"] == 1], spec.control)
                   if spec.endpoints.mechanistic and spec.design.type == "parallel" else None)
    counterfactual = (analysis.counterfactual_effects(result.patients, spec.control)
                      if spec.endpoints.counterfactual_control else None)
    sensitivity = _sensitivity(spec, out / "sensitivity") if spec.sensitivity is not None else None
    power = None
    if spec.power is not None:
        replicates = run_power(spec, out / "power", workers=workers, cluster=cluster, resume=resume,
                               progress=stage("power"))
        power = analysis.power_curve(replicates)
        write_table_atomic(replicates, out / "power_replicates.csv")
    tables = {"visits": result.visits, "patients": result.patients, "flow": result.flow, "primary": primary,
              "effect_sizes": effects, "responders": responders, "mechanistic": mechanistic, "power": power,
              "counterfactual": counterfactual}
    for name, table in tables.items():
        if table is not None and not table.empty:
            write_table_atomic(table, out / f"{name}.csv")
    assessed = int(result.flow.loc[result.flow["stage"] == "assessed", "n"].sum())
    report = write_report(
        out, title=spec.name, design=_design_summary(spec), flow=analysis.consort_flow(visits, assessed),
        visits=visits, primary=primary,
        effect_sizes=effects if not effects.empty else None, responders=responders if not responders.empty else None,
        power=power, mechanistic=mechanistic, counterfactual=counterfactual, sensitivity=sensitivity,
        assumptions=assumption_records(spec),
        hypotheses=result.manifest["hypotheses"],
        metadata={"seed": spec.seed, "oxysim_version": __version__, "notice": RESEARCH_USE_NOTICE,
                  "spec": yaml.safe_dump(spec.model_dump(mode="json"), sort_keys=False)})
    return StudyOutputs(result, primary, effects, responders, mechanistic, power, report, counterfactual)


def _sensitivity(spec: StudySpec, out: Path) -> tuple[pd.DataFrame, bytes]:
    """Run the spec's sensitivity analysis into ``out``; its top-parameter table and figure for the report."""
    from oxysim.sensitivity import figure, run_sensitivity  # sensitivity builds on the trial modules

    settings = spec.sensitivity
    result = run_sensitivity(spec, morris_trajectories=settings.trajectories, sobol_samples=settings.samples,
                             top=settings.top, seed=settings.seed, out_dir=out)
    return result.top, figure(result)


def _design_summary(spec: StudySpec) -> dict[str, Any]:
    return {"subtype": spec.subtype, "design": spec.design.type, "arms": ", ".join(a.name for a in spec.arms),
            "control": spec.control, "patients per arm": spec.n_per_arm, "treatment weeks": spec.duration_weeks,
            "visits (weeks)": ", ".join(f"{w:g}" for w in spec.visits_weeks or []),
            "primary scale": spec.primary_scale,
            "virtual population": "as drawn" if spec.virtual_population is None else
            (f"selected to baseline {spec.primary_scale} {spec.virtual_population.baseline_mean:g} +- "
             f"{spec.virtual_population.baseline_sd:g} (Allen et al. 2016)"),
            "primary analysis":
                "ANCOVA of change from baseline, adjusted for baseline" if spec.design.type == "parallel"
                else "crossover mixed model (treatment, period, sequence)"}
