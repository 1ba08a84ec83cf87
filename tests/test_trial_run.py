"""Running virtual trials: table layout, screening, dropout, probes, resume, dask and power."""

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import oxysim.trials.run as trial_run
from oxysim.errors import InputError
from oxysim.shards import MANIFEST
from oxysim.trials.analysis import ancova
from oxysim.trials.run import (FLOW_COLUMNS, PATIENT_COLUMNS, VISIT_COLUMNS, arm_visits, load_trial, run_power,
                               run_trial)
from oxysim.trials.spec import StudySpec

SPEC = dict(
    name="small", seed=7, subtype="SAD", control="placebo", n_per_arm=4, duration_weeks=2,
    arms=[{"name": "placebo", "regimen": "placebo in q48h x 7 @08:00"},
          {"name": "oxytocin", "regimen": "oxytocin 24 IU in q48h x 7 @08:00"}],
    randomisation={"strata": ["sex"]}, dropout={"weekly_rate": 0.15, "outcome_dependent_slope": 1.0},
    inclusion={"min_baseline": 85.0}, endpoints={"mechanistic": True}, follow_up_weeks=[1],
)
ONE_WEEK = dict(duration_weeks=1, visits_weeks=[0, 1], follow_up_weeks=[], inclusion={}, dropout={},
                arms=[{"name": "placebo", "regimen": "placebo in q48h x 4 @08:00"},
                      {"name": "oxytocin", "regimen": "oxytocin 24 IU in q48h x 4 @08:00"}])
"""The small trial shortened to one week without screening, dropout or follow-up."""


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The small trial run once in one process, kept on disk in two shards (one per arm)."""
    out = tmp_path_factory.mktemp("trial")
    return run_trial(StudySpec(**SPEC), out, shard_size=4)


def test_one_arm_alone_has_the_visits_the_whole_trial_gives_it(finished):
    """arm_visits (used by the calibration scripts) simulates only one arm, with the same patients, dropout and
    rater error as run_trial gives that arm."""
    alone = arm_visits(StudySpec(**SPEC), "oxytocin").sort_values(["patient", "week"]).reset_index(drop=True)
    whole = finished.visits[finished.visits["arm"] == "oxytocin"].sort_values(["patient", "week"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, whole, check_dtype=False)


def test_the_tables_have_the_promised_columns(finished):
    assert tuple(finished.visits.columns) == VISIT_COLUMNS
    assert tuple(finished.patients.columns) == PATIENT_COLUMNS
    assert tuple(finished.flow.columns) == FLOW_COLUMNS
    visits = finished.visits
    assert visits["week"].unique().tolist() == [0.0, 1.0, 2.0, 3.0]  # 2 treatment weeks, 1 follow-up week
    assert (visits["sequence"] == "").all() and (visits["period"] == 1).all() and (visits["scale"] == "lsas").all()
    assert visits["stratum"].isin(["sex=F", "sex=M"]).all()
    assert visits.groupby("patient")["arm"].nunique().eq(1).all()
    baseline = visits[visits["week"] == 0]
    np.testing.assert_array_equal(baseline["score"], baseline["baseline"])


def test_screening_replaces_patients_below_the_threshold(finished):
    enrolment, flow = finished.enrolment, finished.flow.set_index(["stage", "arm"])["n"]
    included = enrolment[enrolment["included"]]
    assert len(included) == 8 and (included["screening_score"] >= 85).all()
    assert (enrolment.loc[~enrolment["included"], "screening_score"] < 85).all()
    assert flow[("assessed", "")] == len(enrolment) == flow[("screened_out", "")] + 8
    assert enrolment["patient"].tolist() == list(range(len(enrolment)))  # replacements are the next indices
    assert sorted(finished.visits["patient"].unique()) == sorted(included["patient"])
    assert flow[("allocated", "placebo")] == flow[("allocated", "oxytocin")] == 4


def test_dropout_leaves_scores_missing_from_the_first_missed_visit(finished):
    visits, patients = finished.visits, finished.patients.set_index("patient")
    for patient, rows in visits.groupby("patient"):
        missing = rows["score"].isna().to_numpy()
        assert not missing[0] and (np.diff(missing.astype(int)) >= 0).all()  # never back after leaving
        left = rows.loc[rows["score"].isna(), "week"].min() if missing.any() else np.nan
        expected = patients.loc[patient, "dropped_out_week"]
        assert left == expected or (np.isnan(left) and np.isnan(expected))
    flow = finished.flow.set_index(["stage", "arm"])["n"]
    dropped = patients["dropped_out_week"].notna().sum()
    assert flow[("dropped_out", "placebo")] + flow[("dropped_out", "oxytocin")] == dropped


def test_mechanistic_endpoints_are_measured_in_patients_still_in_the_trial(finished):
    patients = finished.patients
    present = patients["dropped_out_week"].isna() | (patients["dropped_out_week"] > 2)
    endpoints = patients[["amygdala_threat_response", "cortisol_auc", "extinction_retention"]]
    assert endpoints[present].notna().all().all() and endpoints[~present].isna().all().all()
    assert (patients.loc[present, "amygdala_threat_response"] > 0).all()  # faces raise amygdala activity
    assert (patients.loc[present, "cortisol_auc"] > 0).all()  # the TSST raises cortisol


def test_the_manifest_reproduces_the_run(finished):
    manifest = finished.manifest
    assert manifest["seed"] == 7 and StudySpec(**manifest["spec"]) == finished.spec
    assert manifest["hypotheses"]["dose_response"] == "inverted_u" and manifest["oxysim_version"]
    loaded = load_trial(finished.out_dir)
    pd.testing.assert_frame_equal(loaded.visits, finished.visits)
    pd.testing.assert_frame_equal(loaded.patients, finished.patients)


def test_resume_recomputes_only_the_missing_shard_and_refuses_a_changed_spec(finished, tmp_path, monkeypatch):
    out = tmp_path / "copy"
    shutil.copytree(finished.out_dir, out)
    shards = sorted((out / "shards").glob("*.parquet"))
    kept = {p: p.stat().st_mtime_ns for p in shards if "g01" not in p.name}
    (out / "shards" / "visits-t00000-g01-c00000.parquet").unlink()  # as if killed while writing shard g01
    (out / "flow.parquet").unlink()
    simulated = []
    original = trial_run.simulate_shard
    monkeypatch.setattr(trial_run, "simulate_shard", lambda shard: simulated.append(shard.key) or original(shard))
    resumed = run_trial(StudySpec(**SPEC), out, shard_size=4, resume=True)
    assert simulated == ["t00000-g01-c00000"]
    assert {p: p.stat().st_mtime_ns for p in kept} == kept
    pd.testing.assert_frame_equal(resumed.visits, finished.visits)
    with pytest.raises(InputError, match="resume"):
        run_trial(StudySpec(**SPEC), out, shard_size=4)
    with pytest.raises(InputError, match="different spec"):
        run_trial(StudySpec(**{**SPEC, "n_per_arm": 5}), out, shard_size=4, resume=True)
    assert (out / MANIFEST).exists()


def test_two_dask_workers_give_the_same_patients_as_one_process(finished):
    parallel = run_trial(StudySpec(**SPEC), workers=2, shard_size=4)
    pd.testing.assert_frame_equal(parallel.visits, finished.visits)
    pd.testing.assert_frame_equal(parallel.patients, finished.patients)
    pd.testing.assert_frame_equal(parallel.flow, finished.flow)


KILL_MARKER = "OXYSIM_TEST_KILL_MARKER"


def _kill_the_worker_once(shard):
    """Simulate a shard, except that the first call anywhere kills its worker process mid-shard."""
    marker = Path(os.environ[KILL_MARKER])
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return trial_run.simulate_shard(shard)
    os._exit(1)


def test_a_shard_of_a_lost_worker_is_recomputed_not_lost(finished, tmp_path, monkeypatch):
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_MARKER, str(marker))  # set before the cluster starts, so its workers inherit it
    spec = StudySpec(**SPEC)
    shards = trial_run.shards_of(spec, finished.enrolment, shard_size=4)
    (tmp_path / "out" / "shards").mkdir(parents=True)
    tables = trial_run._execute(shards, tmp_path / "out", 2, None, None, simulate_one=_kill_the_worker_once)
    assert marker.exists()  # a worker did die
    visits, patients = trial_run._combined(tables)
    pd.testing.assert_frame_equal(visits, finished.visits)
    pd.testing.assert_frame_equal(patients, finished.patients)
    assert len(list((tmp_path / "out" / "shards").glob("visits-*.parquet"))) == len(shards)


def test_the_shard_size_changes_no_patient(finished):
    other = run_trial(StudySpec(**SPEC), shard_size=3)  # shards of 3 + 1 patients instead of 4 per arm
    exact = [c for c in VISIT_COLUMNS if c not in ("score", "baseline")]
    pd.testing.assert_frame_equal(other.visits[exact], finished.visits[exact])
    for column in ("score", "baseline"):  # equal up to the batch solver's tolerance
        np.testing.assert_allclose(other.visits[column], finished.visits[column], rtol=1e-5)


def test_a_crossover_gives_each_patient_both_arms_in_its_sequence():
    spec = StudySpec(**{**SPEC, **ONE_WEEK, "design": {"type": "crossover", "washout_days": 7}, "n_per_arm": 2})
    result = run_trial(spec)
    visits = result.visits
    assert sorted(visits["sequence"].unique()) == ["AB", "BA"]
    first = visits[visits["period"] == 1].groupby("patient")[["sequence", "arm"]].first()
    assert ((first["sequence"] == "AB") == (first["arm"] == "placebo")).all()
    assert visits.groupby("patient")["arm"].nunique().eq(2).all()
    period_two = visits[(visits["period"] == 2) & (visits["week"] == 0)]
    assert (period_two["score"] == period_two["baseline"]).all()
    assert set(result.flow.loc[result.flow["stage"] == "allocated", "arm"]) == {"AB", "BA"}
    assert len(result.patients) == 2 * len(first)


def test_a_twin_under_the_same_regimen_as_control_shows_no_effect():
    """With counterfactual_control, an arm identical to the control has exactly zero paired effect, the control's
    twins are the control patients themselves, and an active arm's twins differ from its patients."""
    arms = [*ONE_WEEK["arms"], {"name": "placebo_copy", "regimen": ONE_WEEK["arms"][0]["regimen"]}]
    spec = StudySpec(**{**SPEC, **ONE_WEEK, "arms": arms, "endpoints": {"counterfactual_control": True},
                        "randomisation": {}, "n_per_arm": 3})
    patients = run_trial(spec).patients.set_index("arm")
    copy, control, active = patients.loc["placebo_copy"], patients.loc["placebo"], patients.loc["oxytocin"]
    np.testing.assert_allclose(copy["true_change"], copy["control_twin_change"], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(control["true_change"], control["control_twin_change"])
    assert np.abs(active["true_change"] - active["control_twin_change"]).max() > 1e-3
    assert patients["true_change"].notna().all()
    assert run_trial(StudySpec(**{**SPEC, **ONE_WEEK, "n_per_arm": 2})).patients["control_twin_change"].isna().all()


def test_power_repeats_the_trial_with_fresh_patients():
    spec = StudySpec(**{**SPEC, **ONE_WEEK, "endpoints": {}, "randomisation": {},
                        "power": {"n_per_arm": [2, 3], "replicates": 1}})
    seen = []

    def analyse(visits: pd.DataFrame, control_arm: str) -> pd.DataFrame:
        seen.append(visits)
        return ancova(visits, control_arm)

    results = run_power(spec, analyse=analyse)
    assert results[["n_per_arm", "replicate", "trial"]].values.tolist() == [[2, 0, 0], [3, 0, 1]]
    assert results["p_value"].between(0, 1).all() and "estimate" in results
    assert [len(v["patient"].unique()) for v in seen] == [4, 6]
    assert not set(seen[0]["patient"]) & set(seen[1]["patient"])  # each replicate enrols new patients
    with pytest.raises(InputError, match="power"):
        run_power(StudySpec(**SPEC))


def test_a_rating_does_not_depend_on_the_other_visits_of_the_schedule():
    """Rater error is drawn per (patient, visit time): adding a mid-week visit leaves the baseline and week-1
    ratings of every patient unchanged (drawn per schedule, as before 2026-11-28, the week-1 rating changed)."""
    spec = StudySpec(**{**SPEC, **ONE_WEEK})
    wider = spec.model_copy(update={"visits_weeks": (0.0, 0.5, 1.0)})
    ratings = [run_trial(s).visits.query("week in (0.0, 1.0)").set_index(["patient", "week", "scale"])["score"]
               for s in (spec, wider)]
    pd.testing.assert_series_equal(ratings[0], ratings[1])
