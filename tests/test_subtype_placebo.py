"""The GAD and PD placebo strengths: the profiles hold the calibrated values, and fresh virtual trials (another
seed, 300 patients per subtype) keep the three placebo findings they were solved on inside their 95 % intervals.

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


def test_the_gad_and_pd_profiles_hold_the_recorded_placebo_strengths() -> None:
    record = yaml.safe_load((resources.files("oxysim") / "evidence" / "calibrations" / "subtype_placebo.yaml")
                            .read_text(encoding="utf-8"))
    assert set(record["profiles"]) == {"GAD", "PD"}
    for code, parameters in record["profiles"].items():
        for name, entry in parameters.items():
            assert get_profile(code).parameters[name] == entry["value"], (code, name)
    assert set(record["achieved"]) == set(CAL["TARGETS"])
    # the other subtypes keep the common strength solved on SAD (calibrate_treatment.py)
    assert all(CAL["PARAMETER"] not in get_profile(s).parameters for s in ("SAD", "SP"))


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


def test_a_panic_trial_reproduces_the_published_placebo_to_drug_ratio() -> None:
    """Not fitted: Liebowitz et al. 2009 (J Clin Psychiatry, abstract seen; 10 weeks) report PDSS changes of -7.5 on
    placebo and -9.3 on venlafaxine ER, a ratio of 0.81; an SSRI stands in for the SNRI (Pollack et al. 2007,
    abstract seen: venlafaxine ER -12.58 vs paroxetine -11.87). With the common placebo strength and the default
    severity spread the virtual ratio was 0.59 (docs/provenance.md, PD sections)."""
    from oxysim.trials.run import arm_visits
    from oxysim.trials.spec import StudySpec

    spec = StudySpec(name="PD 10-week SSRI vs placebo", seed=SEED, subtype="PD", n_per_arm=N, control="placebo",
                     arms=[{"name": "placebo", "regimen": "placebo in q24h x 70 @08:00"},
                           {"name": "ssri", "regimen": "ssri 10 mg po q24h x 70 @08:00"}],
                     duration_weeks=10, visits_weeks=(0, 10))
    change = {}
    for arm in ("placebo", "ssri"):
        visits = arm_visits(spec, arm)
        rows = visits[(visits["arm"] == arm) & (visits["week"] == 10) & (visits["scale"] == "pdss")]
        change[arm] = (rows["score"] - rows["baseline"]).mean()
    assert change["ssri"] < change["placebo"] < 0
    assert 0.65 < change["placebo"] / change["ssri"] < 0.95
