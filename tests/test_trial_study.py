"""The study pipeline and `oxysim trial`: from a spec to tables and a self-contained report."""

import json

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from oxysim.cli import app
from oxysim.trials.spec import StudySpec
from oxysim.trials.study import _analyses, assumption_records, run_study

SPEC = dict(
    name="tiny", seed=3, subtype="SAD", control="placebo", n_per_arm=6, duration_weeks=2, visits_weeks=[0, 1, 2],
    arms=[{"name": "placebo", "regimen": "placebo in q24h x 14 @08:00; cbt q96h x 4 @08:45 for 60 min"},
          {"name": "oxytocin", "regimen": "oxytocin 24 IU in q24h x 14 @08:00; cbt q96h x 4 @08:45 for 60 min"}],
    endpoints={"mechanistic": True, "remission_below": 60.0, "counterfactual_control": True},
)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return run_study(StudySpec(**SPEC), tmp_path_factory.mktemp("study"))


def test_the_report_has_every_section_and_the_tables_are_written(study):
    html = study.report.read_text(encoding="utf-8")
    for heading in ("Design", "flow", "Trajectories", "Primary analysis", "Forest", "in-silico twins", "Assumptions"):
        assert heading.lower() in html.lower(), heading
    out = study.report.parent
    for name in ("visits", "patients", "flow", "primary", "effect_sizes", "responders", "mechanistic", "counterfactual"):
        assert (out / f"{name}.csv").exists(), name
    assert (out / "figures" / "forest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "not dosing advice" in html


def test_the_primary_analysis_compares_each_active_arm_with_control(study):
    primary = study.primary
    assert primary["contrast"].tolist() == ["oxytocin vs placebo"]
    row = primary.iloc[0]
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
    # the report's numbers are the analysis of the written visit table, not a separate computation
    visits = pd.read_csv(study.report.parent / "visits.csv")
    assert set(visits["arm"]) == {"placebo", "oxytocin"}


def test_remission_is_reported_with_the_spec_cutoff(study):
    remission = study.responders[study.responders["endpoint"] == "remission"].set_index("arm")
    visits = study.trial.visits
    final = visits[(visits["week"] == 2) & (visits["scale"] == "lsas")]
    expected = final.assign(remitted=final["score"] < 60.0).groupby("arm")["remitted"].sum()
    for arm in ("placebo", "oxytocin"):
        assert remission.loc[arm, "events"] == expected[arm]


@pytest.mark.parametrize("cut", [0.29, 0.5])
def test_response_is_counted_with_the_spec_criterion(study, cut):
    spec = StudySpec(**{**SPEC, "endpoints": {**SPEC["endpoints"], "response_reduction": cut}})
    _, _, binary = _analyses(spec, study.trial)
    response = binary[binary["endpoint"] == "response"].set_index("arm")
    visits = study.trial.visits
    final = visits[(visits["week"] == 2) & (visits["scale"] == "lsas")].dropna(subset=["score"])
    expected = final.assign(hit=(final["baseline"] - final["score"]) / final["baseline"] >= cut).groupby("arm")["hit"]
    for arm in ("placebo", "oxytocin"):
        assert response.loc[arm, "events"] == expected.sum()[arm]


def test_a_relapse_that_cannot_be_computed_is_reported_not_dropped_silently(study):
    spec = StudySpec(**{**SPEC, "follow_up_weeks": [4], "endpoints": {"remission_below": 20.0,
                                                                       "relapse_after": "remission"}})
    with pytest.warns(UserWarning, match="Relapse is not reported: .*follow-up visit"):
        _, _, binary = _analyses(spec, study.trial)  # this trial ran without its follow-up visits
    assert set(binary["endpoint"]) == {"response", "remission"}


def test_the_report_names_the_top_parameters_behind_the_answer(tmp_path):
    arms = [{"name": "placebo", "regimen": "placebo in q24h x 7 @08:00"},
            {"name": "oxytocin", "regimen": "oxytocin 24 IU in q24h x 7 @08:00"}]
    spec = StudySpec(**{**SPEC, "arms": arms, "n_per_arm": 2, "duration_weeks": 1, "visits_weeks": [0, 1],
                        "endpoints": {}, "sensitivity": {"trajectories": 2, "samples": 4, "top": 2}})
    outputs = run_study(spec, tmp_path)
    html = outputs.report.read_text(encoding="utf-8")
    top = pd.read_json(tmp_path / "sensitivity" / "sensitivity.json", typ="series")["top_parameters"]
    assert "Parameters behind the answer" in html and len(top) == 2
    for row in top:
        assert row["parameter"] in html and row["basis"][:40] in html
    assert (tmp_path / "figures" / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"


def test_every_assumption_has_a_source_or_a_stated_assumption():
    records = assumption_records(StudySpec(**SPEC))
    assert len(records) > 100
    assert all(bool(r.get("source")) != bool(r.get("assumption")) for r in records)


def test_cli_runs_a_spec_and_resumes_without_recomputing(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    out = tmp_path / "out"
    first = CliRunner().invoke(app, ["trial", str(spec), "--out", str(out), "--json"])
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)
    assert result["primary"][0]["contrast"] == "oxytocin vs placebo"
    shards = sorted((out / "trial" / "shards").glob("*.parquet"))
    stamps = [p.stat().st_mtime_ns for p in shards]
    again = CliRunner().invoke(app, ["trial", str(spec), "--out", str(out), "--resume", "--json"])
    assert again.exit_code == 0, again.output
    assert [p.stat().st_mtime_ns for p in shards] == stamps
    assert json.loads(again.stdout)["primary"] == result["primary"]


def test_cli_names_the_bad_field_of_a_spec(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({**SPEC, "n_per_arm": -3}), encoding="utf-8")
    result = CliRunner().invoke(app, ["trial", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "n_per_arm" in result.output and "-3" in result.output
