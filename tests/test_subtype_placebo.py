"""The GAD placebo strength: the profile holds the calibrated value, and fresh virtual trials (another seed,
300 patients per subtype) keep the three placebo findings it was balanced on inside their 95 % intervals.

Definitions, targets and trials are those of scripts/calibrate_subtype_placebo.py. ~40 s on 2 cores.
"""

from __future__ import annotations

import runpy
from importlib import resources
from pathlib import Path

import pytest
import yaml

from oxysim.population.subtypes import get_profile

CAL = runpy.run_path(str(Path(__file__).resolve().parents[1] / "scripts" / "calibrate_subtype_placebo.py"))
SEED = CAL["SEED"] + 1
N = 300


def test_the_gad_profile_holds_the_recorded_placebo_strength() -> None:
    record = yaml.safe_load((resources.files("oxysim") / "evidence" / "calibrations" / "subtype_placebo.yaml")
                            .read_text(encoding="utf-8"))
    assert record["profile"] == "GAD"
    for name, entry in record["parameters"].items():
        assert get_profile("GAD").parameters[name] == entry["value"], name
    assert set(record["achieved"]) == set(CAL["TARGETS"])
    # the other subtypes keep the common strength solved on SAD (calibrate_treatment.py)
    assert all(CAL["PARAMETER"] not in get_profile(s).parameters for s in ("SAD", "PD", "SP"))


@pytest.fixture(scope="module")
def measured() -> dict[str, float]:
    gad = CAL["placebo_visits"]("GAD", N, SEED)
    sad_g = CAL["prepost_g"](CAL["placebo_visits"]("SAD", N, SEED))
    pd_g = CAL["prepost_g"](CAL["placebo_visits"]("PD", N, SEED))
    return CAL["calibration_measures"](gad, sad_g, pd_g)


@pytest.mark.parametrize("name", ["gad_placebo_response", "gad_minus_sad_g", "gad_minus_pd_g"])
def test_fresh_trials_keep_each_placebo_finding_inside_its_interval(measured: dict[str, float], name: str) -> None:
    assert CAL["TARGETS"][name].within(measured[name]), measured[name]


def test_gad_responds_more_to_placebo_than_sad_and_pd(measured: dict[str, float]) -> None:
    """CL-18's direction (Motta 2023): placebo responses are larger in GAD than in social anxiety and panic."""
    assert measured["gad_minus_sad_g"] > 0 and measured["gad_minus_pd_g"] > 0


def test_a_target_error_is_in_units_of_the_half_interval_on_its_side() -> None:
    target = CAL["TARGETS"]["gad_minus_sad_g"]  # 0.34 (-0.07 to 0.75)
    assert target.error(0.75) == pytest.approx(1.0)
    assert target.error(-0.07) == pytest.approx(-1.0)
    assert target.error(0.34) == 0.0
