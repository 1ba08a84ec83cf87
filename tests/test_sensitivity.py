"""Global sensitivity analysis (oxysim.sensitivity): SALib wiring checked against analytic references,
and a tiny real run whose indices must respect what the model can and cannot change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami
from typer.testing import CliRunner

from oxysim.cli import app
from oxysim.sensitivity import FILES, SensitivityResult, indices, run_sensitivity
from oxysim.sensitivity.design import ENDPOINTS
from oxysim.trials.spec import StudySpec

TINY = {"name": "tiny", "seed": 1, "subtype": "SAD", "n_per_arm": 2, "duration_weeks": 1, "control": "placebo",
        "arms": [{"name": "placebo", "regimen": "placebo in q24h x 7 @08:00"},
                 {"name": "oxytocin", "regimen": "oxytocin 24 IU in q24h x 7 @08:00"}]}
SCREENED = ["ssri_clearance", "ot_amygdala_attenuation", "lsas_patient", "oxtr_ec50"]


def test_sobol_wrapper_recovers_the_analytic_ishigami_indices() -> None:
    """Ishigami (a = 7, b = 0.1): S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244) (Saltelli et al. 2008)."""
    names, bounds = ["x1", "x2", "x3"], [(-np.pi, np.pi)] * 3
    table = indices.sobol(names, bounds, lambda x: pd.DataFrame({"y": Ishigami.evaluate(x)}), samples=1024, seed=3)
    for column, truth in (("S1", [0.3139, 0.4424, 0.0]), ("ST", [0.5576, 0.4424, 0.2437])):
        error = np.abs(table[column].to_numpy() - truth)
        assert np.all(error <= table[f"{column}_conf"].to_numpy() + 0.02), (column, table)


def test_morris_wrapper_gives_the_slopes_of_a_linear_model() -> None:
    """For y = sum a_i x_i every elementary effect equals a_i: mu = a, mu* = |a|, sigma = 0."""
    slopes = np.array([2.0, -0.5, 0.0])
    table = indices.morris(["a", "b", "c"], [(0.0, 1.0)] * 3, lambda x: pd.DataFrame({"y": x @ slopes}),
                           trajectories=6, seed=1)
    np.testing.assert_allclose(table["mu"], slopes, atol=1e-12)
    np.testing.assert_allclose(table["mu_star"], np.abs(slopes), atol=1e-12)
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-12)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> SensitivityResult:
    out = tmp_path_factory.mktemp("sensitivity")
    return run_sensitivity(StudySpec(**TINY), morris_trajectories=2, sobol_samples=8, top=2, parameters=SCREENED,
                           out_dir=out)


def test_tiny_run_writes_finite_indices(tiny: SensitivityResult) -> None:
    assert tiny.out_dir is not None
    assert all((tiny.out_dir / name).is_file() for name in FILES.values())
    assert set(tiny.morris["endpoint"]) == set(ENDPOINTS) == set(tiny.sobol["endpoint"])
    assert len(tiny.morris) == len(ENDPOINTS) * len(SCREENED) and len(tiny.sobol) == len(ENDPOINTS) * 2
    assert np.isfinite(tiny.morris[["mu", "mu_star", "mu_star_conf", "sigma"]].to_numpy()).all()
    assert np.isfinite(tiny.sobol[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    saved = json.loads((tiny.out_dir / FILES["json"]).read_text(encoding="utf-8"))
    assert [p["parameter"] for p in saved["top_parameters"]] == list(tiny.top["parameter"])
    assert all(p["basis"].startswith(("source: ", "assumption: ")) for p in saved["top_parameters"])


def test_tiny_run_separates_inert_from_influential_parameters(tiny: SensitivityResult) -> None:
    """No arm takes an SSRI, so its clearance changes nothing; the patient scale anchor moves every change,
    and the oxytocin amygdala route separates oxytocin from placebo."""
    mu_star = tiny.morris.set_index(["endpoint", "parameter"])["mu_star"]
    assert (mu_star.xs("ssri_clearance", level="parameter") == 0).all()
    assert mu_star["change_active", "lsas_patient"] > 1.0
    assert mu_star["change_vs_control", "ot_amygdala_attenuation"] > 0
    assert "ssri_clearance" not in set(tiny.top["parameter"])


def test_cli_sensitivity_prints_one_json_object(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(json.dumps(TINY), encoding="utf-8")  # JSON is YAML
    result = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "out"), "--trajectories",
                                      "2", "--samples", "4", "--top", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["design"]["parameters_screened"] > 100 and len(payload["top_parameters"]) == 1
    assert (tmp_path / "out" / FILES["figure"]).is_file()


def test_cli_sensitivity_refuses_bad_sizes(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(json.dumps(TINY), encoding="utf-8")
    result = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path), "--samples", "6"])
    assert result.exit_code == 2 and "power of 2" in result.stderr
