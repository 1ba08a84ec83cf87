"""The ``oxysim`` command line (oxysim.cli) and the report files it writes (oxysim.report)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from oxysim import RESEARCH_USE_NOTICE
from oxysim.cli import OUTPUT_FILES, app
from oxysim.model import build_model
from oxysim.report.tables import TIDY_COLUMNS, write_table_atomic

REGIMEN = "oxytocin 24 IU in q24h x 2 @08:00"
SHORT = ["--days", "2", "--interval-min", "60"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def json_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """One short single-patient run with --json and a non-default hypothesis variant."""
    out = tmp_path_factory.mktemp("json") / "new" / "folder"
    result = invoke("simulate", "--subtype", "SAD", "--regimen", REGIMEN, *SHORT, "--out", str(out),
                    "--hypothesis", "dose_response=monotonic", "--json")
    return result, out


@pytest.fixture(scope="module")
def cohort_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """One short run of three varied GAD patients, with the rich (non-JSON) summary."""
    out = tmp_path_factory.mktemp("cohort")
    result = invoke("simulate", "--subtype", "GAD", "--regimen", REGIMEN, "--days", "1", "--interval-min", "60",
                    "--patients", "3", "--seed", "7", "--out", str(out))
    return result, out


# --- simulate ------------------------------------------------------------------------------------


def test_simulate_writes_exactly_the_listed_files(json_run: tuple[Result, Path]) -> None:
    result, out = json_run
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES.values())  # no temporary files left


def test_trajectories_are_tidy_with_units(json_run: tuple[Result, Path]) -> None:
    _, out = json_run
    table = pd.read_parquet(out / "trajectories.parquet")
    assert tuple(table.columns) == TIDY_COLUMNS
    assert table.attrs["notice"] == RESEARCH_USE_NOTICE
    units = table.groupby("variable", observed=True)["unit"].unique()
    assert all(len(u) == 1 for u in units), "each variable has one unit"
    expected = {"ot_plasma": "pg/mL", "ot_csf_pg": "pg/mL", "cortisol_nmol": "nmol/L", "amygdala": "dimensionless",
                "ot_signal": "dimensionless", "fear_memory": "dimensionless", "lsas": "dimensionless"}
    assert {name: units[name][0] for name in expected} == expected
    assert set(table["time_h"]) == {float(h) for h in range(49)}
    assert (table.groupby("variable", observed=True).size() == 49).all()
    csv = pd.read_csv(out / "trajectories.csv")
    assert tuple(csv.columns) == TIDY_COLUMNS and len(csv) == len(table)


def test_oxytocin_peaks_after_each_dose_in_the_table(json_run: tuple[Result, Path]) -> None:
    _, out = json_run
    table = pd.read_parquet(out / "trajectories.parquet")
    plasma = table[table["variable"] == "ot_plasma"].set_index("time_h")["value"]
    assert plasma[9.0] > 2 * plasma[7.0] and plasma[33.0] > 2 * plasma[31.0]


def test_summary_has_one_row_per_patient(json_run: tuple[Result, Path], cohort_run: tuple[Result, Path]) -> None:
    single = pd.read_csv(json_run[1] / "summary.csv")
    cohort = pd.read_csv(cohort_run[1] / "summary.csv")
    assert list(single["patient"]) == [0] and list(cohort["patient"]) == [0, 1, 2]
    assert set(single["primary_scale"]) == {"lsas"} and set(cohort["primary_scale"]) == {"ham_a"}
    for row in (single, cohort):
        assert (row["scale_change"] == row["scale_end"] - row["scale_baseline"]).all()
        assert (row["cortisol_mean_nmol_L"] > 0).all()
    assert cohort["scale_baseline"].nunique() == 3, "a seed draws different patients"


def test_run_json_records_the_run_and_the_notice(json_run: tuple[Result, Path]) -> None:
    _, out = json_run
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["notice"] == RESEARCH_USE_NOTICE
    assert meta["subtype"] == "SAD" and meta["days"] == 2.0 and meta["seed"] is None and meta["patients"] == 1
    assert meta["regimen"].startswith("oxytocin 24 IU in q24h x 2 @08:00")
    assert meta["hypotheses"]["dose_response"] == "monotonic"
    assert set(meta["hypotheses"]) == {"dose_response", "amygdala_single_dose", "cingulate"}
    assert meta["files"] == list(OUTPUT_FILES.values())
    assert meta["oxysim_version"]


def test_figure_is_a_png(json_run: tuple[Result, Path], cohort_run: tuple[Result, Path]) -> None:
    for _, out in (json_run, cohort_run):
        data = (out / "trajectories.png").read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 20_000


def test_json_output_is_one_object_on_stdout(json_run: tuple[Result, Path]) -> None:
    result, out = json_run
    data = json.loads(result.stdout)
    assert data["notice"] == RESEARCH_USE_NOTICE
    assert {Path(p).name for p in data["files"].values()} == set(OUTPUT_FILES.values())
    assert all(Path(p).is_file() and Path(p).parent == out.resolve() for p in data["files"].values())
    assert len(data["summary"]) == 1 and data["summary"][0]["primary_scale"] == "lsas"
    assert RESEARCH_USE_NOTICE in result.stderr


def test_rich_summary_prints_the_notice(cohort_run: tuple[Result, Path]) -> None:
    result, _ = cohort_run
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "Research use only" in text and "not dosing advice" in text
    assert "ham_a_baseline" in text and "3 patients" in text


def test_write_table_atomic_refuses_unknown_formats(tmp_path: Path) -> None:
    from oxysim.errors import InputError

    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        write_table_atomic(pd.DataFrame({"a": [1]}), tmp_path / "table.xlsx")
    assert list(tmp_path.iterdir()) == []


# --- user errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--subtype", "XYZ"], "Unknown subtype 'XYZ'"),
        (["--regimen", "oxytocin 24 lbs in q24h"], "unknown unit 'lbs'"),
        (["--regimen", "aspirin 100 mg po"], "unknown agent 'aspirin'"),
        (["--hypothesis", "dose_response"], "must be written name=variant"),
        (["--hypothesis", "dose_response=nope"], "no variant 'nope'"),
        (["--hypothesis", "nonsense=x"], "Unknown hypothesis 'nonsense'"),
        (["--days", "0"], "--days) must be"),
        (["--days", "-3"], "--days) must be"),
        (["--patients", "0"], "at least 1"),
        (["--engine", "warp"], "Unknown engine 'warp'"),
    ],
)
def test_user_errors_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "never"
    result = invoke("simulate", "--out", str(out), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert not out.exists(), "nothing is written when the input is wrong"


def test_both_engines_give_the_same_patient(tmp_path: Path) -> None:
    runs = {}
    for engine in ("fast", "reference"):
        result = invoke("simulate", "--out", str(tmp_path / engine), "--days", "1", "--interval-min", "60",
                        "--regimen", "oxytocin 24 IU in x 1 @08:00", "--engine", engine, "--json")
        assert result.exit_code == 0, result.output
        runs[engine] = json.loads(result.stdout)
        assert runs[engine]["engine"] == engine
    fast, reference = (pd.DataFrame(runs[e]["summary"]).drop(columns="primary_scale") for e in ("fast", "reference"))
    np.testing.assert_allclose(fast.to_numpy(float), reference.to_numpy(float), rtol=1e-4)


def test_unwritable_output_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = invoke("simulate", "--out", str(blocker / "sub"), "--days", "0.1", "--interval-min", "60")
    assert result.exit_code == 2 and result.stderr.startswith("error: cannot write")
    assert "Traceback" not in result.output


def test_missing_out_is_a_usage_error() -> None:
    assert invoke("simulate", "--days", "1").exit_code == 2


# --- catalogues ----------------------------------------------------------------------------------


def test_params_json_lists_every_parameter_with_unit_and_one_basis() -> None:
    result = invoke("params", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["name"] for r in records] == [p.name for p in build_model().parameters]
    modules = {m.name for m in build_model().modules}
    for r in records:
        assert r["unit"].strip() and r["description"].strip() and r["module"] in modules
        assert isinstance(r["value"], float)
        assert len({"source", "assumption"} & set(r)) == 1, r["name"]
        assert (r.get("source") or r.get("assumption")).strip()


def test_hypotheses_json_lists_variants_defaults_and_claims() -> None:
    result = invoke("hypotheses", "--json")
    assert result.exit_code == 0, result.output
    records = {r["name"]: r for r in json.loads(result.stdout)}
    assert {"dose_response", "amygdala_single_dose", "cingulate"} <= set(records)
    for r in records.values():
        assert r["default"] in [v["name"] for v in r["variants"]] and len(r["variants"]) >= 2
        assert r["claims"]
    assert {v["name"] for v in records["dose_response"]["variants"]} == {"inverted_u", "monotonic"}


def test_claims_json_follows_the_registry_contract() -> None:
    result = invoke("claims", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records
    for r in records:
        assert {"id", "status", "processes", "tests"} <= set(r)
        assert r["status"] in ("implemented", "out of scope")
        assert isinstance(r["processes"], list) and isinstance(r["tests"], list)
        if r["status"] == "out of scope":
            assert r["reason"]


@pytest.mark.parametrize("command", ["params", "hypotheses", "claims"])
def test_tables_print_with_the_notice(command: str) -> None:
    result = invoke(command)
    assert result.exit_code == 0, result.output
    assert "Research use only" in result.stdout
