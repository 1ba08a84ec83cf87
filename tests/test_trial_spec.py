"""Trial spec, covariates and design: refusals name the field, draws and allocations are reproducible."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from oxysim.errors import InputError
from oxysim.model import compile_model
from oxysim.trials.covariates import (
    COVARIATE_EFFECTS,
    COVARIATES,
    CovariateDistribution,
    covariate_parameters,
    draw_covariates,
)
from oxysim.trials.design import dropout_visits, group_regimen, randomise, screen, stratum_labels, visit_schedule
from oxysim.trials.spec import StudySpec

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.yaml"))
SPEC = """
name: small
seed: 7
subtype: SAD
arms:
  - {name: placebo, regimen: "placebo in q48h x 7 @08:00"}
  - {name: oxytocin, regimen: "oxytocin 24 IU in q48h x 7 @08:00"}
control: placebo
n_per_arm: 4
duration_weeks: 2
"""


def spec_with(**changes) -> str:
    """SPEC as YAML with top-level fields replaced."""
    return yaml.safe_dump({**yaml.safe_load(SPEC), **changes})


def test_a_valid_spec_fills_its_defaults():
    spec = StudySpec.from_yaml(SPEC)
    assert spec.visits_weeks == (0, 1, 2)
    assert spec.primary_scale == "lsas" and spec.scales == ("lsas",)
    assert spec.design.type == "parallel" and spec.total_days == 14
    assert spec.arms[1].regimen == "oxytocin 24 IU in q48h x 7 @08:00 day 0"
    assert StudySpec(**yaml.safe_load(SPEC)) == spec


@pytest.mark.parametrize(("changes", "fragments"), [
    ({"subtype": "XYZ"}, ["subtype", "'XYZ'", "SAD (Social anxiety disorder)"]),
    ({"design": "latin"}, ["design.type", "'latin'", "'parallel' or 'crossover'"]),
    ({"bogus": 1}, ["unknown field 'bogus'", "allowed fields there:", "n_per_arm"]),
    ({"arms": [{"name": "placebo", "regimen": "none", "dose": 3}, {"name": "b", "regimen": "none"}]},
     ["unknown field 'arms[0].dose'", "name, regimen, parameters"]),
    ({"arms": [{"name": "placebo", "regimen": "oxytocn 24 IU"}, {"name": "b", "regimen": "none"}]},
     ["arms[0].regimen", "'oxytocn 24 IU'", "use one of oxytocin"]),
    ({"arms": [{"name": "placebo", "regimen": "none", "parameters": {"foo": 1}}, {"name": "b", "regimen": "none"}]},
     ["arms[0].parameters", "'foo'", "oxysim params"]),
    ({"arms": [{"name": "placebo", "regimen": "oxytocin 24 IU in q48h x 70 @08:00"}, {"name": "b", "regimen": ""}]},
     ["arms[0].regimen", "'placebo'", "2-week treatment period", "duration_weeks"]),
    ({"arms": [{"name": "placebo", "regimen": "none"}]}, ["arms", "at least 2 items"]),
    ({"control": "nope"}, ["control", "'nope'", "choose one of: placebo, oxytocin"]),
    ({"visits_weeks": [1, 2]}, ["visits_weeks", "[1, 2]", "include 0"]),
    ({"visits_weeks": [0, 3]}, ["visits_weeks", "[0, 3]", "2-week treatment period"]),
    ({"hypotheses": {"dose_response": "flat"}}, ["hypotheses", "'flat'", "inverted_u, monotonic"]),
    ({"randomisation": {"strata": ["height"]}}, ["randomisation.strata", "height", "sex, age, trait_anxiety"]),
    ({"randomisation": {"block_size": 3}}, ["randomisation.block_size", "3", "multiple of the 2 arms"]),
    ({"dropout": {"weekly_rate": 1.5}}, ["dropout.weekly_rate", "1.5", "less than 1"]),
    ({"covariates": {"female_share": 2}}, ["covariates.female_share", "2", "less than or equal to 1"]),
    ({"endpoints": {"primary": "bdi"}}, ["endpoints.primary", "'bdi'", "'lsas', 'ham_a', 'pdss', 'stai' or 'fsq'"]),
    ({"n_per_arm": 0}, ["n_per_arm", "0", "greater than or equal to 1"]),
    ({"power": {"n_per_arm": [1], "replicates": 2}}, ["power.n_per_arm", "[1]", "from 2 to"]),
    ({"design": {"type": "crossover"}, "follow_up_weeks": [4]}, ["follow_up_weeks", "parallel designs"]),
    ({"design": {"type": "crossover"}, "endpoints": {"mechanistic": True}}, ["design.washout_days = 0"]),
    ({"sensitivity": {"samples": 24}}, ["sensitivity.samples", "power of 2"]),
    ({"endpoints": {"relapse_after": "remission"}}, ["endpoints", "needs remission_below", "30 for the LSAS"]),
    ({"endpoints": {"relapse_after": "recovery"}}, ["endpoints.relapse_after", "'recovery'", "'response' or 'remission'"]),
    ({"design": {"type": "crossover"}, "endpoints": {"counterfactual_control": True}}, ["counterfactual_control", "parallel designs"]),
])
def test_a_wrong_field_names_its_path_value_and_what_is_allowed(changes, fragments):
    with pytest.raises(InputError) as caught:
        StudySpec.from_yaml(spec_with(**changes))
    message = str(caught.value)
    assert message.startswith("study spec: ")
    for fragment in fragments:
        assert fragment in message


def test_unreadable_yaml_and_missing_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="line 2"):
        StudySpec.from_yaml("name: a\n  seed: [1\n")
    with pytest.raises(InputError, match="mapping"):
        StudySpec.from_yaml("- a\n- b\n")
    with pytest.raises(InputError, match="does not exist"):
        StudySpec.from_yaml(tmp_path / "absent.yaml")
    with pytest.raises(InputError, match="missing field 'control'"):
        StudySpec(**{k: v for k, v in yaml.safe_load(SPEC).items() if k != "control"})


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_loads(path):
    spec = StudySpec.from_yaml(path)
    assert spec.control in {arm.name for arm in spec.arms}


def test_the_examples_cover_the_four_research_questions():
    assert {p.stem for p in EXAMPLES} >= {"dose_frequency_timing", "augmentation", "mechanism_dissection",
                                          "personalisation"}


# --- covariates ----------------------------------------------------------------------------------------------


def test_every_covariate_effect_names_a_model_parameter_and_a_source():
    names = set(compile_model().model.parameter_names)
    for effect in COVARIATE_EFFECTS:
        assert effect.covariate in COVARIATES
        assert effect.parameter in names, effect
        assert re.search(r"\b[A-Z]{1,3}-?\d+\b|assumption:", effect.source), effect


def test_every_covariate_default_states_its_basis():
    for name, field in CovariateDistribution.model_fields.items():
        assert field.description and re.search(r"assumption|\(|[A-Z]{2}-\d+", field.description), name


TYPICAL = {"sex": "M", "age": 40.0, "trait_anxiety": 45.0, "oxtr_rs53576": "AA", "oxtr_rs2254298": "AA",
           "early_adversity": False}


def _two_patients(covariate: str, low, high) -> pd.DataFrame:
    """Two typical patients who differ only in ``covariate``."""
    return pd.DataFrame([{**TYPICAL, covariate: low}, {**TYPICAL, covariate: high}])


@pytest.mark.parametrize("effect", COVARIATE_EFFECTS, ids=lambda e: f"{e.covariate}->{e.parameter}")
def test_a_covariate_moves_its_parameter_in_the_stated_direction(effect):
    low, high = (TYPICAL[effect.covariate], effect.levels[0]) if effect.how == "times_if" else (30.0, 60.0)
    value = covariate_parameters(_two_patients(effect.covariate, low, high), "SAD")[effect.parameter]
    expected_up = effect.how == "set" or effect.magnitude > 1
    assert (value[1] > value[0]) == expected_up, (effect, value)


def test_covariate_parameters_start_from_the_profile_and_the_arm():
    table = _two_patients("early_adversity", False, True)
    gad = covariate_parameters(table, "GAD")["hpa_drive"]
    assert gad[0] == pytest.approx(1.3) and gad[1] == pytest.approx(1.3 * 1.2)  # GAD profile hpa_drive 1.3
    arm = covariate_parameters(table, "GAD", overrides={"hpa_drive": 2.0})["hpa_drive"]
    assert arm[0] == pytest.approx(2.0)


def test_covariates_are_the_same_patients_whatever_the_batch():
    whole = draw_covariates(CovariateDistribution(), "SAD", 3, range(0, 12))
    part = draw_covariates(CovariateDistribution(), "SAD", 3, [9, 4, 11])
    pd.testing.assert_frame_equal(part, whole.loc[[9, 4, 11]])
    assert not draw_covariates(CovariateDistribution(), "SAD", 4, range(0, 12)).equals(whole)
    assert list(whole.columns) == list(COVARIATES)


def test_covariate_draws_follow_their_distribution():
    table = draw_covariates(CovariateDistribution(female_share=0.7, early_adversity_prevalence=0.2), "SAD", 1,
                            range(2000))
    assert (table["sex"] == "F").mean() == pytest.approx(0.7, abs=0.04)
    assert table["early_adversity"].mean() == pytest.approx(0.2, abs=0.03)
    assert table["age"].between(18, 65).all() and table["trait_anxiety"].mean() == pytest.approx(52, abs=1)
    assert (table["oxtr_rs53576"] == "AA").mean() == pytest.approx(0.4**2, abs=0.03)  # Hardy-Weinberg


# --- design --------------------------------------------------------------------------------------------------


def test_randomisation_is_balanced_within_strata_and_reproducible():
    covariates = draw_covariates(CovariateDistribution(), "SAD", 5, range(203))
    strata = stratum_labels(covariates, ["sex", "age"])
    assert set(strata) <= {"sex=F|age<40", "sex=F|age>=40", "sex=M|age<40", "sex=M|age>=40"}
    allocation = randomise(strata, ["a", "b", "c"], 6, seed=5, trial=0)
    counts = pd.crosstab(strata, allocation)
    assert (counts.max(axis=1) - counts.min(axis=1) <= 2).all()  # at most one incomplete block of 2 each
    pd.testing.assert_series_equal(allocation, randomise(strata, ["a", "b", "c"], 6, seed=5, trial=0))
    assert not allocation.equals(randomise(strata, ["a", "b", "c"], 6, seed=5, trial=1))
    assert not allocation.equals(randomise(strata, ["a", "b", "c"], 6, seed=6, trial=0))


def test_screening_takes_the_first_eligible_candidates():
    scores = pd.Series([50.0, 70.0, 40.0, 90.0, 80.0, 65.0], index=[10, 11, 12, 13, 14, 15])
    chosen, assessed = screen(scores >= 60.0, 3)
    assert list(chosen) == [11, 13, 14] and assessed == 5
    assert list(screen(scores > 0, 2)[0]) == [10, 11]
    none, assessed = screen(scores >= 100.0, 1)
    assert len(none) == 0 and assessed == 6


def test_dropout_increases_with_the_weekly_rate_and_with_worsening():
    rng = np.random.default_rng(0)
    uniforms, weeks = rng.random((4000, 5)), np.arange(5.0)
    flat = np.full((4000, 5), 50.0)
    left = {rate: (dropout_visits(flat, flat, weeks, rate, 0.0, uniforms) < 5).mean() for rate in (0.0, 0.05, 0.2)}
    assert left[0.0] == 0 < left[0.05] < left[0.2]
    assert left[0.2] == pytest.approx(1 - 0.8**4, abs=0.03)
    worse = flat * np.array([1.0, 1.2, 1.4, 1.6, 1.8])
    assert (dropout_visits(worse, flat, weeks, 0.05, 2.0, uniforms) < 5).mean() > left[0.05]
    first = dropout_visits(worse, flat, weeks, 0.2, 2.0, uniforms)
    assert first.min() >= 1  # the baseline visit is never missed


def test_a_crossover_schedules_both_periods_after_a_washout():
    spec = StudySpec.from_yaml(spec_with(design={"type": "crossover", "washout_days": 7}))
    schedule = visit_schedule(spec)
    assert schedule["period"].tolist() == [1, 1, 1, 2, 2, 2]
    assert schedule["hour"].tolist() == [0, 168, 336, 504, 672, 840]  # period 2 starts on day 14 + 7
    ab, ba = (group_regimen(spec, g) for g in ("AB", "BA"))
    assert ab.dose_times("oxytocin")[0] == 21 * 24 + 8 and ba.dose_times("oxytocin")[0] == 8
