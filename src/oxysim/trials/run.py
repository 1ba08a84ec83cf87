"""Run a virtual trial: enrol and screen, randomise, simulate every allocation group in shards, tabulate.

With ``out_dir`` each shard (one allocation group, a chunk of its patients, one replicate trial) is written
atomically as Parquet beside a manifest (seed, full spec, oxysim version, hypothesis variants); a killed run
resumes without redoing finished shards and refuses a changed spec. ``workers > 1`` or ``cluster`` runs the
shards on dask.distributed; a patient's results never depend on the worker that simulated it.
The tables describe virtual patients of a mechanistic model, never dosing advice for any person.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from oxysim import RESEARCH_USE_NOTICE, __version__
from oxysim.errors import InputError
from oxysim.model import build_model
from oxysim.population.selection import acceptance_probabilities
from oxysim.report.tables import write_table_atomic
from oxysim.shards import MANIFEST, check_manifest
from oxysim.simulation import simulate
from oxysim.trials import analysis
from oxysim.trials.covariates import COVARIATES, covariate_parameters, draw_covariates, patient_stream
from oxysim.trials.design import (
    SCREENING_LIMIT,
    allocation_groups,
    block_size,
    dropout_uniforms,
    dropout_visits,
    group_regimen,
    output_hours,
    period_arms,
    probe_hours,
    randomise,
    screen,
    stratum_labels,
    visit_schedule,
)
from oxysim.trials.observation import observe
from oxysim.trials.spec import StudySpec

VISIT_COLUMNS = ("trial", "patient", "arm", "period", "sequence", "stratum", "week", "scale", "score", "baseline",
                 *COVARIATES)
MECHANISTIC_ENDPOINTS = ("amygdala_threat_response", "cortisol_auc", "extinction_retention")
PATIENT_COLUMNS = ("trial", "patient", "arm", "period", *MECHANISTIC_ENDPOINTS, "dropped_out_week", "true_change",
                   "control_twin_change")
FLOW_COLUMNS = ("trial", "stage", "arm", "n")
TRIAL_STRIDE = 10_000_000
"""Patient indices reserved per replicate trial: trial t enrols from index t x 10^7, so replicates never
share patients (the largest screening pool is SCREENING_LIMIT x 2 arms x MAX_PATIENTS_PER_ARM = 4 x 10^6)."""
DEFAULT_SHARD_SIZE = 50
"""Patients per shard: a shard simulates in seconds to a minute, so a kill loses little."""

Analyse = Callable[[pd.DataFrame, str], pd.DataFrame]


@dataclass(frozen=True)
class TrialResult:
    """The tables of a trial (or of all replicate trials) and the manifest that reproduces them.

    ``visits``: one row per patient, visit and scale (:data:`VISIT_COLUMNS`; scores observed with rater error,
    :mod:`oxysim.trials.observation`; score NaN after dropout).
    ``patients``: one row per patient and period (:data:`PATIENT_COLUMNS`): amygdala response to the faces
    probe (activity, task minus pre-task), cortisol AUC over the TSST (increase over onset, nmol/L x h),
    extinction retention (extinction / fear memory at the end of treatment), week of the first missed visit, the
    change of the true (noise-free) primary score from baseline to the end of treatment, and, with
    ``endpoints.counterfactual_control``, the same patient's true change under the control arm (NaN otherwise).
    ``flow``: CONSORT counts (:data:`FLOW_COLUMNS`). ``enrolment``: every screened candidate.
    """

    spec: StudySpec
    visits: pd.DataFrame
    patients: pd.DataFrame
    flow: pd.DataFrame
    enrolment: pd.DataFrame
    manifest: dict[str, Any]
    out_dir: Path | None = None


@dataclass(frozen=True)
class Shard:
    """One unit of work: patients of one allocation group of one trial, with their covariates."""

    key: str
    spec: StudySpec
    group: str
    members: pd.DataFrame


# --- enrolment --------------------------------------------------------------------------------------------


SELECTION_STREAM = 4
"""Random stream of a candidate's acceptance draw in virtual-population selection."""
REFERENCE_FIRST = 9_000_000
"""First patient index of the selection's reference pool: inside trial 0's stride, beyond any enrolment."""


def _screening_scores(spec: StudySpec, covariates: pd.DataFrame) -> pd.Series:
    """Each candidate's primary-scale score at rest (t = 0, before any treatment); NaN when nothing uses it."""
    if spec.inclusion.min_baseline is None and spec.virtual_population is None:
        return pd.Series(np.nan, index=covariates.index)
    # a one-hour run without treatment: its only output, t = 0, is each candidate's rest state
    variability, correlations = spec.variability.resolved(spec.subtype)
    ds = simulate(spec.subtype, "", 1 / 24, patients=covariates.index.to_numpy(), seed=spec.seed,
                  hypotheses=spec.hypotheses, output_times_h=[0.0], variability=variability, correlations=correlations,
                  parameters=covariate_parameters(covariates, spec.subtype, hypotheses=spec.hypotheses))
    return pd.Series(ds[spec.primary_scale].values[:, 0], index=covariates.index)


def _eligible(spec: StudySpec, scores: pd.Series, reference: np.ndarray | None) -> pd.DataFrame:
    """Per candidate: the selection probability (1 without virtual_population) and whether it is included."""
    eligible = pd.Series(True, index=scores.index) if spec.inclusion.min_baseline is None \
        else scores >= spec.inclusion.min_baseline
    probability = pd.Series(1.0, index=scores.index)
    if spec.virtual_population is not None:
        target = spec.virtual_population
        probability[:] = acceptance_probabilities(reference, scores.to_numpy(), target.baseline_mean,
                                                  target.baseline_sd)
        draws = np.array([patient_stream(spec.seed, index, SELECTION_STREAM).random() for index in scores.index])
        eligible &= draws < probability.to_numpy()
    return pd.DataFrame({"selection_probability": probability, "eligible": eligible})


def _reference_scores(spec: StudySpec) -> np.ndarray | None:
    """Baselines of the selection's reference pool of plausible patients (those passing inclusion.min_baseline)."""
    if spec.virtual_population is None:
        return None
    pool = range(REFERENCE_FIRST, REFERENCE_FIRST + spec.virtual_population.reference_pool)
    scores = _screening_scores(spec, draw_covariates(spec.covariates, spec.subtype, spec.seed, pool))
    minimum = spec.inclusion.min_baseline
    return scores.to_numpy() if minimum is None else scores[scores >= minimum].to_numpy()


def enrol(spec: StudySpec, trial: int = 0, reference: np.ndarray | None = None) -> pd.DataFrame:
    """Every candidate assessed for ``trial``: covariates, screening score, selection probability, inclusion,
    stratum and group.

    Candidates are patients ``trial x TRIAL_STRIDE, ...`` in order; those below ``inclusion.min_baseline``, or
    not kept by the virtual-population selection (``virtual_population``: a candidate is kept with its selection
    probability, drawn from its own stream), are screened out and replaced by the next ones until
    ``n_per_arm`` per group are included, who are then randomised by permuted blocks within strata. Excluded
    candidates have stratum and group "". ``reference``: the pool's baselines if already computed.
    """
    groups = allocation_groups(spec)
    needed, first = spec.n_per_arm * len(groups), trial * TRIAL_STRIDE
    if reference is None:
        reference = _reference_scores(spec)
    covariates, scores, checks, chosen = [], [], [], pd.Index([])
    while len(chosen) < needed:
        assessed = sum(len(part) for part in covariates)
        if assessed >= SCREENING_LIMIT * needed:
            raise InputError(f"only {len(chosen)} of {assessed} candidates pass inclusion.min_baseline = "
                             f"{spec.inclusion.min_baseline} and the virtual_population selection on "
                             f"{spec.primary_scale}; lower the threshold or move the target towards the model's "
                             "plausible patients")
        batch = range(first + assessed, first + min(SCREENING_LIMIT * needed, max(needed, 2 * assessed)))
        covariates.append(draw_covariates(spec.covariates, spec.subtype, spec.seed, batch))
        scores.append(_screening_scores(spec, covariates[-1]))
        checks.append(_eligible(spec, scores[-1], reference))
        chosen, n_assessed = screen(pd.concat(checks)["eligible"], needed)
    table = pd.concat(covariates).iloc[:n_assessed].assign(
        screening_score=pd.concat(scores).iloc[:n_assessed],
        selection_probability=pd.concat(checks)["selection_probability"].iloc[:n_assessed])
    strata = stratum_labels(table.loc[chosen], spec.randomisation.strata)
    allocation = randomise(strata, groups, block_size(spec), spec.seed, trial)
    table = table.assign(trial=trial, included=table.index.isin(chosen),
                         stratum=strata.reindex(table.index, fill_value=""),
                         group=allocation.reindex(table.index, fill_value=""))
    return table.reset_index()[["trial", "patient", "included", "screening_score", "selection_probability", "stratum",
                                "group", *COVARIATES]]


def shards_of(spec: StudySpec, enrolment: pd.DataFrame, shard_size: int = DEFAULT_SHARD_SIZE) -> list[Shard]:
    """The included patients of each trial and group, in chunks of ``shard_size`` (index order)."""
    shards = []
    for trial, enrolled in enrolment[enrolment["included"]].groupby("trial", sort=True):
        for g, group in enumerate(allocation_groups(spec)):
            members = enrolled[enrolled["group"] == group]
            shards += [Shard(f"t{trial:05d}-g{g:02d}-c{c:05d}", spec, group, members.iloc[start:start + shard_size])
                       for c, start in enumerate(range(0, len(members), shard_size))]
    return shards


# --- one shard --------------------------------------------------------------------------------------------


def arm_visits(spec: StudySpec, arm: str) -> pd.DataFrame:
    """The visit table of one arm of ``spec`` alone: the patients run_trial gives that arm, without simulating the
    others (calibration scripts solve one arm's target at a time)."""
    shards = [s for s in shards_of(spec, enrol(spec), shard_size=spec.n_per_arm) if s.group == arm]
    return pd.concat([simulate_shard(shard)[0] for shard in shards], ignore_index=True)


def _simulate_members(spec: StudySpec, members: pd.DataFrame, regimen: Any, overrides: dict[str, Any]) -> xr.Dataset:
    """The shard's patients (their own random streams and covariates) under ``regimen``."""
    variability, correlations = spec.variability.resolved(spec.subtype)
    return simulate(spec.subtype, regimen, spec.total_days, variability=variability, correlations=correlations,
                    patients=members["patient"].to_numpy(), seed=spec.seed, hypotheses=spec.hypotheses,
                    parameters={**overrides, **covariate_parameters(members, spec.subtype, hypotheses=spec.hypotheses,
                                                                    overrides=overrides)},
                    output_times_h=output_hours(spec))


def _true_changes(ds: xr.Dataset, spec: StudySpec, schedule: pd.DataFrame) -> np.ndarray:
    """Noise-free change of the primary score from each period's baseline to its end of treatment.

    Shape (patients, periods)."""
    changes = []
    for _, visits in schedule.groupby("period", sort=True):
        treatment = visits[visits["week"] <= spec.duration_weeks]
        start = treatment.loc[treatment["week"].idxmin(), "hour"]
        end = treatment.loc[treatment["week"].idxmax(), "hour"]
        changes.append(ds[spec.primary_scale].sel(time=end).values - ds[spec.primary_scale].sel(time=start).values)
    return np.stack(changes, axis=1)


def simulate_shard(shard: Shard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The visit and patient tables of one shard (a module-level function, so dask can ship it)."""
    spec, members = shard.spec, shard.members
    arms = period_arms(spec, shard.group)
    overrides = dict(arms[0].parameters)  # a crossover's arms have none (the spec refuses them)
    ds = _simulate_members(spec, members, group_regimen(spec, shard.group), overrides)
    schedule = visit_schedule(spec)
    true_scores = np.stack([ds[scale].sel(time=schedule["hour"].to_numpy()).values for scale in spec.scales], axis=2)
    values = observe(true_scores, spec.scales, spec.seed, members["patient"].to_numpy(), schedule["hour"].to_numpy())
    base = schedule.groupby("period")["week"].transform("idxmin").to_numpy()
    missed = dropout_visits(values[:, :, 0], values[:, base, 0], schedule["hour"].to_numpy() / 168.0,
                            spec.dropout.weekly_rate, spec.dropout.outcome_dependent_slope,
                            dropout_uniforms(spec.seed, members["patient"], len(schedule)))
    observed = np.arange(len(schedule))[None, :] < missed[:, None]
    scores = np.where(observed[:, :, None], values, np.nan)
    true_change = _true_changes(ds, spec, schedule)
    twin_change = np.full_like(true_change, np.nan)
    if spec.endpoints.counterfactual_control:
        if shard.group == spec.control:
            twin_change = true_change
        else:
            control = next(arm for arm in spec.arms if arm.name == spec.control)
            twin = _simulate_members(spec, members, group_regimen(spec, spec.control), dict(control.parameters))
            twin_change = _true_changes(twin, spec, schedule)
    return (_visit_rows(spec, shard, schedule, scores, scores[:, base, :]),
            _patient_rows(spec, shard, ds, schedule, missed, true_change, twin_change))


def _visit_rows(spec: StudySpec, shard: Shard, schedule: pd.DataFrame, scores: np.ndarray,
                baselines: np.ndarray) -> pd.DataFrame:
    """Visit table rows in patient, visit, scale order."""
    members, arms = shard.members, period_arms(spec, shard.group)
    per_patient, n_scales = scores.shape[1] * scores.shape[2], scores.shape[2]
    patient_wise = members.loc[:, ["trial", "patient", "stratum", *COVARIATES]]
    visit_wise = {"arm": schedule["period"].map(lambda p: arms[p - 1].name).to_numpy(),
                  "period": schedule["period"].to_numpy(), "week": schedule["week"].to_numpy()}
    rows = {
        **{name: np.repeat(patient_wise[name].to_numpy(), per_patient) for name in patient_wise},
        **{name: np.tile(np.repeat(v, n_scales), len(members)) for name, v in visit_wise.items()},
        "sequence": shard.group if spec.design.type == "crossover" else "",
        "scale": np.tile(np.asarray(spec.scales, dtype=object), len(members) * len(schedule)),
        "score": scores.ravel(), "baseline": baselines.ravel(),
    }
    return pd.DataFrame(rows)[list(VISIT_COLUMNS)]


def _patient_rows(spec: StudySpec, shard: Shard, ds: xr.Dataset, schedule: pd.DataFrame,
                  missed: np.ndarray, true_change: np.ndarray, twin_change: np.ndarray) -> pd.DataFrame:
    """Patient table rows: one per patient and period, with the period's dropout week and probe endpoints."""
    hours, weeks = schedule["hour"].to_numpy(), schedule["week"].to_numpy()
    left_at = np.append(hours, np.inf)[missed]  # hour of the first missed visit (inf: none)
    frames = []
    for period, arm in enumerate(period_arms(spec, shard.group), 1):
        visits = np.flatnonzero(schedule["period"].to_numpy() == period)
        first_missed = np.maximum(missed, visits[0])
        endpoints = probe_endpoints(ds, spec, period) if spec.endpoints.mechanistic else {}
        probed = left_at > probe_hours(spec, period)["end_of_treatment"][0]
        frames.append(pd.DataFrame({
            "trial": shard.members["trial"].to_numpy(), "patient": shard.members["patient"].to_numpy(),
            "arm": arm.name, "period": period,
            **{name: np.where(probed, endpoints.get(name, np.nan), np.nan) for name in MECHANISTIC_ENDPOINTS},
            "dropped_out_week": np.where(first_missed <= visits[-1], weeks[np.minimum(first_missed, visits[-1])],
                                         np.nan),
            "true_change": true_change[:, period - 1], "control_twin_change": twin_change[:, period - 1],
        }))
    return pd.concat(frames, ignore_index=True)[list(PATIENT_COLUMNS)]


def probe_endpoints(ds: xr.Dataset, spec: StudySpec, period: int) -> dict[str, np.ndarray]:
    """End-of-treatment probe read-outs of ``period`` for every patient of ``ds``."""
    at = probe_hours(spec, period)
    cortisol = ds["cortisol_nmol"].sel(time=at["tsst"]).values
    fear, extinction = (ds[name].sel(time=at["end_of_treatment"]).values[:, 0]
                        for name in ("fear_memory", "extinction_memory"))
    with np.errstate(divide="ignore", invalid="ignore"):
        retention = np.where(fear > 0, extinction / fear, np.nan)
    return {
        "amygdala_threat_response": ds["amygdala"].sel(time=at["faces"]).mean("time").values
        - ds["amygdala"].sel(time=at["faces_before"]).values[:, 0],
        "cortisol_auc": np.trapezoid(cortisol - cortisol[:, :1], at["tsst"], axis=1),
        "extinction_retention": retention,
    }


# --- execution --------------------------------------------------------------------------------------------


def _shard_paths(out: Path, key: str) -> tuple[Path, Path]:
    """The visit and patient files of a shard."""
    return out / "shards" / f"visits-{key}.parquet", out / "shards" / f"patients-{key}.parquet"


def _write_shard(out: Path, key: str, tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Write the patient file first: an existing visit file marks a finished shard."""
    for table, path in list(zip(tables, _shard_paths(out, key), strict=True))[::-1]:
        write_table_atomic(table, path)


@contextmanager
def _client(workers: int, cluster: str | None) -> Iterator[Any]:
    """A dask.distributed client: of the cluster at ``cluster``, else of a new local process cluster."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        message = "workers > 1 or cluster needs dask.distributed: pip install 'dask[distributed]>=2024.1'"
        raise InputError(message) from None
    if cluster is not None:
        with Client(cluster) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as local, \
            Client(local) as client:
        yield client


def _execute(shards: Sequence[Shard], out: Path | None, workers: int, cluster: str | None,
             progress: Callable[[int, int], None] | None,
             simulate_one: Callable[[Shard], tuple[pd.DataFrame, pd.DataFrame]] | None = None,
             ) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Every shard's tables in shard order: read if finished, else simulated here or on dask workers.

    On dask, a shard whose worker dies is rescheduled on another worker by the scheduler, and one that raises
    is retried twice; its tables are only written once a worker returns them. ``simulate_one`` defaults to
    :func:`simulate_shard`.
    """
    simulate_one = simulate_one or simulate_shard
    done: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    if out is not None:
        done = {s.key: tuple(pd.read_parquet(p) for p in _shard_paths(out, s.key)) for s in shards
                if _shard_paths(out, s.key)[0].exists()}

    def finish(key: str, tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
        if out is not None:
            _write_shard(out, key, tables)
        done[key] = tables
        if progress is not None:
            progress(len(done), len(shards))

    todo = [s for s in shards if s.key not in done]
    if workers == 1 and cluster is None:
        for shard in todo:
            finish(shard.key, simulate_one(shard))
    elif todo:
        from dask.distributed import as_completed

        with _client(workers, cluster) as client:
            futures = {client.submit(simulate_one, shard, retries=2, pure=False): shard.key for shard in todo}
            for future in as_completed(futures):
                finish(futures[future], future.result())
    return [done[s.key] for s in shards]


def _flow(spec: StudySpec, enrolment: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """CONSORT counts per trial: assessed, screened out, randomised; per group allocated, completed, dropped out.

    A group is an arm (parallel) or a sequence (crossover); completed means no missed visit in any period.
    """
    completed = patients.groupby(["trial", "patient"])["dropped_out_week"].apply(lambda w: bool(w.isna().all()))
    rows = []
    for trial, enrolled in enrolment.groupby("trial", sort=True):
        included = enrolled[enrolled["included"]]
        rows += [(trial, "assessed", "", len(enrolled)), (trial, "screened_out", "", len(enrolled) - len(included)),
                 (trial, "randomised", "", len(included))]
        for group in allocation_groups(spec):
            members = included[included["group"] == group]
            finished = int(completed.loc[[(trial, p) for p in members["patient"]]].sum())
            rows += [(trial, "allocated", group, len(members)), (trial, "completed", group, finished),
                     (trial, "dropped_out", group, len(members) - finished)]
    return pd.DataFrame(rows, columns=list(FLOW_COLUMNS))


def _combined(tables: Sequence[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shards' visit and patient tables as one of each, in trial, patient, period and week order."""
    visits = pd.concat([v for v, _ in tables], ignore_index=True).sort_values(
        ["trial", "patient", "period", "week"], kind="stable", ignore_index=True)
    patients = pd.concat([p for _, p in tables], ignore_index=True).sort_values(
        ["trial", "patient", "period"], kind="stable", ignore_index=True)
    return visits, patients


def _manifest(spec: StudySpec, kind: str, shard_size: int) -> dict[str, Any]:
    """What reproduces the run, as it reads back from JSON."""
    return json.loads(json.dumps({
        "kind": kind, "seed": spec.seed, "spec": spec.model_dump(mode="json"), "oxysim_version": __version__,
        "hypotheses": build_model(spec.hypotheses).chosen_variants, "shard_size": shard_size,
        "notice": RESEARCH_USE_NOTICE,
    }))


def _run(spec: StudySpec, trials: Sequence[StudySpec], kind: str, out_dir: str | Path | None, workers: int,
         cluster: str | None, resume: bool, progress: Callable[[int, int], None] | None,
         shard_size: int) -> TrialResult:
    """Enrol every trial (trial t is ``trials[t]``), run all their shards together, and tabulate."""
    if workers < 1 or shard_size < 1:
        raise InputError(f"workers and shard_size must be at least 1; got {workers} and {shard_size}.")
    out = None if out_dir is None else Path(out_dir)
    manifest = _manifest(spec, kind, shard_size)
    if out is not None:
        check_manifest(out, manifest, resume)
        (out / "shards").mkdir(exist_ok=True)
    enrolment_path = None if out is None else out / "enrolment.parquet"
    if enrolment_path is not None and enrolment_path.exists():
        enrolment = pd.read_parquet(enrolment_path)
    else:
        reference = _reference_scores(spec)  # one reference pool serves every replicate
        enrolment = pd.concat([enrol(trial_spec, t, reference) for t, trial_spec in enumerate(trials)],
                              ignore_index=True)
        if enrolment_path is not None:
            write_table_atomic(enrolment, enrolment_path)
    shards = [s for t, trial_spec in enumerate(trials)
              for s in shards_of(trial_spec, enrolment[enrolment["trial"] == t], shard_size)]
    visits, patients = _combined(_execute(shards, out, workers, cluster, progress))
    flow = _flow(spec, enrolment, patients)
    if out is not None:
        write_table_atomic(flow, out / "flow.parquet")
    return TrialResult(spec, visits, patients, flow, enrolment, manifest, out)


def run_trial(
    spec: StudySpec,
    out_dir: str | Path | None = None,
    *,
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> TrialResult:
    """Run one trial of ``spec`` (trial 0, patients from index 0) and return its tables.

    ``out_dir`` keeps the shards, enrolment, flow and manifest; ``resume`` completes a killed run there.
    ``workers > 1`` starts a local dask cluster of that many processes; ``cluster`` names the address of
    a running scheduler instead. ``progress(done, total)`` is called after each shard.
    """
    return _run(spec, [spec], "trial", out_dir, workers, cluster, resume, progress, shard_size)


def _primary_analysis(spec: StudySpec) -> Analyse:
    """The default primary analysis: ANCOVA (parallel) or the treatment term of the crossover model."""
    if spec.design.type == "parallel":
        return analysis.ancova

    def treatment(visits: pd.DataFrame, control_arm: str) -> pd.DataFrame:
        result = analysis.crossover(visits, control_arm)
        return result[result["term"] == "treatment"]

    return treatment


def run_power(
    spec: StudySpec,
    out_dir: str | Path | None = None,
    *,
    analyse: Analyse | None = None,
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> pd.DataFrame:
    """Repeat the trial ``power.replicates`` times for each ``power.n_per_arm``, with fresh patients each time.

    Returns one row per replicate trial and contrast: n_per_arm, replicate, trial and the columns of
    ``analyse(visits, control_arm)`` (default :func:`oxysim.trials.analysis.ancova`; the crossover model's
    treatment term for a crossover), applied to the primary scale over the treatment weeks.
    """
    if spec.power is None:
        raise InputError("the spec has no power section; add power: {n_per_arm: [20, 40], replicates: 100}")
    sizes = [(n, r) for n in spec.power.n_per_arm for r in range(spec.power.replicates)]
    endpoints = spec.endpoints.model_copy(update={"counterfactual_control": False})  # twins serve the main trial only
    result = _run(spec, [spec.model_copy(update={"n_per_arm": n, "endpoints": endpoints}) for n, _ in sizes], "power",
                  out_dir, workers, cluster, resume, progress, shard_size)
    visits = result.visits
    primary = visits[(visits["scale"] == spec.primary_scale) & (visits["week"] <= spec.duration_weeks)]
    analyse = analyse or _primary_analysis(spec)
    rows = [analyse(primary[primary["trial"] == trial], spec.control).assign(n_per_arm=n, replicate=r, trial=trial)
            for trial, (n, r) in enumerate(sizes)]
    table = pd.concat(rows, ignore_index=True)
    return table[["n_per_arm", "replicate", "trial", *(c for c in table.columns if c not in ("n_per_arm", "replicate",
                                                                                             "trial"))]]


def load_trial(out_dir: str | Path) -> TrialResult:
    """The tables of a finished run in ``out_dir`` (trial or power), read back from its shards."""
    out = Path(out_dir)
    if not (out / MANIFEST).exists() or not (out / "flow.parquet").exists():
        raise InputError(f"{str(out)!r} holds no finished trial run; run it (or resume it) first.")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    keys = sorted(p.name.removeprefix("visits-").removesuffix(".parquet") for p in (out / "shards").glob("visits-*"))
    visits, patients = _combined([tuple(pd.read_parquet(p) for p in _shard_paths(out, key)) for key in keys])
    return TrialResult(StudySpec(**manifest["spec"]), visits, patients, pd.read_parquet(out / "flow.parquet"),
                       pd.read_parquet(out / "enrolment.parquet"), manifest, out)
