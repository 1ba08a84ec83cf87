"""Trial design: allocation groups, stratified randomisation, schedules, dropout and inclusion screening.

Everything here is a deterministic function of the spec, the seed and per-patient random streams, so a
trial's allocation, visits and dropouts do not depend on how its patients are split into shards.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from oxysim.model import build_model
from oxysim.regimen import Regimen, parse_regimen
from oxysim.trials.covariates import patient_stream
from oxysim.trials.spec import Arm, StudySpec

DROPOUT_STREAM = 2
"""Third word of a patient's dropout stream (seed, index, 2)."""

RANDOMISATION_KEY = 2
"""First spawn-key word of a trial's randomisation stream; spawn keys never equal a patient stream."""

SCREENING_LIMIT = 20
"""Candidates screened per place at most (assumption: > 95 % screen failures means the inclusion threshold
lies outside the subtype's baseline distribution, so the spec, not the luck of the draw, is at fault)."""

AGE_CUT_YEARS = 40.0
"""Age stratum boundary (assumption: splits the usual 18-65 trial range near its middle; a fixed cut, not
the sample median, keeps a patient's stratum independent of who else enrols)."""

FACES_AT = "09:00"
"""Clock time of the faces probe on the day after the last treatment day (assumption: a morning scan)."""

FACES_BLOCK_MIN = (2, 10)
"""Minutes of the 10-min faces block averaged for the amygdala response (circuit time constant 1 min, so
activity has settled after 2 min); the pre-task sample is 5 min before onset."""

TSST_AT = "14:00"
"""Clock time of the TSST probe (assumption: afternoon testing, when cortisol is low and flat, as usual
for the TSST; HPA-16)."""

TSST_AUC_H = 1.5
"""Hours of cortisol after TSST onset in the AUC (HPA-16: back to baseline ~60-90 min after onset)."""

TSST_SAMPLE_H = 5 / 60
"""Cortisol sampling interval within the TSST window (assumption: 5 min, finer than TSST protocols sample)."""


def allocation_groups(spec: StudySpec) -> tuple[str, ...]:
    """What patients are randomised to: the arm names, or the sequences AB and BA of a crossover."""
    return ("AB", "BA") if spec.design.type == "crossover" else tuple(arm.name for arm in spec.arms)


def period_arms(spec: StudySpec, group: str) -> tuple[Arm, ...]:
    """The arm of each period for an allocation group (AB: arms[0] then arms[1]; BA: the reverse)."""
    if spec.design.type == "crossover":
        return spec.arms if group == "AB" else spec.arms[::-1]
    return tuple(arm for arm in spec.arms if arm.name == group)


def block_size(spec: StudySpec) -> int:
    """The randomisation block: as given, else twice the number of allocation groups."""
    return spec.randomisation.block_size or 2 * len(allocation_groups(spec))


def stratum_labels(covariates: pd.DataFrame, strata: Sequence[str]) -> pd.Series:
    """Each patient's stratum, e.g. 'sex=F|age>=40'; 'all' without strata.

    Continuous covariates split at fixed cuts: age at :data:`AGE_CUT_YEARS`, trait anxiety at the model's
    ``trait_anxiety_reference`` (the typical anxious patient of claim N3).
    """
    cuts = {"age": AGE_CUT_YEARS,
            "trait_anxiety": next(p.value for p in build_model().parameters if p.name == "trait_anxiety_reference")}
    parts = []
    for name in strata:
        values = covariates[name]
        if name in cuts:
            parts.append(np.where(values >= cuts[name], f"{name}>={cuts[name]:g}", f"{name}<{cuts[name]:g}"))
        else:
            parts.append(f"{name}=" + values.astype(str).to_numpy(dtype=object))
    labels = ["|".join(row) for row in zip(*parts, strict=True)] if parts else ["all"] * len(covariates)
    return pd.Series(labels, index=covariates.index, name="stratum", dtype=str)


def randomise(strata: pd.Series, groups: Sequence[str], size: int, seed: int, trial: int) -> pd.Series:
    """Permuted-block allocation within each stratum, patients taking places in index order.

    Each stratum gets its own run of blocks of ``size`` places, every group ``size / len(groups)`` times in
    random order, so the groups are balanced within each stratum up to one incomplete block. The stream
    is the trial's (seed, spawn key (2, trial)); strata are served in sorted order.
    """
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(RANDOMISATION_KEY, int(trial))))
    block = np.repeat(np.asarray(groups, dtype=object), size // len(groups))
    allocation = pd.Series("", index=strata.index, name="group", dtype=str)
    for label in sorted(strata.unique()):
        members = strata.index[strata == label]
        places = np.concatenate([rng.permutation(block) for _ in range(-(-len(members) // size))])
        allocation[members] = places[: len(members)]
    return allocation


def screen(eligible: pd.Series, needed: int) -> tuple[pd.Index, int]:
    """The first ``needed`` eligible candidates (index order; ``eligible`` is boolean), and how many candidates
    were assessed to find them (all of them when too few qualify)."""
    chosen = eligible.index[eligible.to_numpy(bool)][:needed]
    assessed = eligible.index.get_loc(chosen[-1]) + 1 if len(chosen) == needed else len(eligible)
    return chosen, int(assessed)


def visit_schedule(spec: StudySpec) -> pd.DataFrame:
    """Every visit: period (from 1), week within the period (follow-up after the treatment weeks), hour."""
    weeks = np.array([*spec.visits_weeks, *(spec.duration_weeks + w for w in spec.follow_up_weeks)])
    return pd.DataFrame([
        {"period": period, "week": float(week), "hour": 24.0 * start + 168.0 * week}
        for period, start in enumerate(spec.period_start_days, 1) for week in weeks
    ])


def probe_hours(spec: StudySpec, period: int) -> dict[str, np.ndarray]:
    """Output hours of the end-of-treatment read-outs of ``period``: the end of treatment (extinction),
    the pre-task and block samples of the faces task and the TSST cortisol window."""
    day0 = 24.0 * (spec.period_start_days[period - 1] + spec.treatment_days)
    faces_at, tsst_at = day0 + _hours(FACES_AT), day0 + _hours(TSST_AT)
    faces = faces_at + np.arange(FACES_BLOCK_MIN[0], FACES_BLOCK_MIN[1] + 1) / 60
    tsst = tsst_at + np.arange(round(TSST_AUC_H / TSST_SAMPLE_H) + 1) * TSST_SAMPLE_H
    return {"end_of_treatment": np.array([day0]), "faces_before": np.array([faces_at - 5 / 60]),
            "faces": faces, "tsst": tsst}


def output_hours(spec: StudySpec) -> np.ndarray:
    """Every hour a trial simulation must report: the visits and, if asked, the probe read-outs."""
    hours = [visit_schedule(spec)["hour"].to_numpy()]
    if spec.endpoints.mechanistic:
        hours += [h for period in range(1, len(spec.period_start_days) + 1) for h in probe_hours(spec, period).values()]
    return np.unique(np.concatenate(hours))


def group_regimen(spec: StudySpec, group: str) -> Regimen:
    """The whole protocol of an allocation group: each period's arm from its start day, then the probes."""
    regimen = Regimen()
    for arm, start in zip(period_arms(spec, group), spec.period_start_days, strict=True):
        regimen += _shifted(parse_regimen(arm.regimen), start)
    if spec.endpoints.mechanistic:
        regimen += parse_regimen("; ".join(
            f"faces x 1 @{FACES_AT} day {day}; tsst x 1 @{TSST_AT} day {day}"
            for day in (start + spec.treatment_days for start in spec.period_start_days)))
    return regimen


def _hours(clock: str) -> float:
    """'14:30' -> 14.5."""
    hours, minutes = clock.split(":")
    return int(hours) + int(minutes) / 60


def _shifted(regimen: Regimen, days: int) -> Regimen:
    """``regimen`` starting ``days`` later (period 2 of a crossover)."""
    return Regimen(elements=tuple(e.model_copy(update={"start_day": e.start_day + days}) for e in regimen.elements))


def dropout_uniforms(seed: int, patients: Sequence[int], n_visits: int) -> np.ndarray:
    """One uniform per visit and patient from the patient's dropout stream, shape (patients, visits)."""
    return np.array([patient_stream(seed, index, DROPOUT_STREAM).random(n_visits) for index in patients]).reshape(
        -1, n_visits)


def dropout_visits(scores: np.ndarray, baselines: np.ndarray, weeks: np.ndarray, weekly_rate: float,
                   slope: float, uniforms: np.ndarray) -> np.ndarray:
    """Index of each patient's first missed visit (the number of visits when none is missed).

    Between visits k-1 and k (``weeks`` apart, washout included) a patient leaves with probability
    1 - exp(-h dt), the weekly hazard h = -ln(1 - weekly_rate) exp(slope x worsening) rising with the
    fractional worsening of the score at visit k-1 over its period's baseline (missing at random given the
    observed score). ``scores``, ``baselines`` and ``uniforms`` have shape (patients, visits) in time order.
    The baseline visit is never missed; once a visit is missed, every later one is.
    """
    worsening = (scores[:, :-1] - baselines[:, :-1]) / baselines[:, :-1]
    hazard = -np.log1p(-weekly_rate) * np.exp(slope * worsening)
    leaves = uniforms[:, 1:] < -np.expm1(-hazard * np.diff(weeks))
    return np.where(leaves.any(axis=1), leaves.argmax(axis=1) + 1, scores.shape[1])
