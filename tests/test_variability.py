"""Correlated inter-individual variability (the OMEGA block): draws, invariances and clear errors."""

import numpy as np
import pytest

from oxysim.errors import InputError
from oxysim.population.variability import Correlation, Variability, correlation_factor, draw_parameters
from oxysim.trials.spec import StudySpec

VARIABILITY = (Variability("a", 0.3, "test"), Variability("b", 0.5, "test"), Variability("c", 0.2, "test"))
BASE = {"a": 1.0, "b": 2.0, "c": 3.0}


def _etas(correlations=(), n=20000, seed=7):
    params = draw_parameters(BASE, range(n), seed, variability=VARIABILITY, correlations=correlations)
    return np.column_stack([np.log(params[name] / BASE[name]) for name in BASE])


def test_correlated_random_effects_have_the_requested_correlation_and_variances():
    etas = _etas((Correlation("a", "b", 0.6, "test"), Correlation("b", "c", -0.4, "test")))
    r = np.corrcoef(etas.T)
    assert r[0, 1] == pytest.approx(0.6, abs=0.02)
    assert r[1, 2] == pytest.approx(-0.4, abs=0.02)
    assert abs(r[0, 2]) < 0.02  # a pair not given is uncorrelated
    omegas = np.sqrt(np.log1p(np.array([0.3, 0.5, 0.2]) ** 2))
    np.testing.assert_allclose(etas.std(axis=0), omegas, rtol=0.03)


def test_without_correlations_the_patients_are_the_independent_ones():
    np.testing.assert_array_equal(_etas((), n=50), _etas((Correlation("a", "b", 0.0, "test"),), n=50))
    # the first random effect is unchanged by correlations (lower-triangular factor), patient for patient
    np.testing.assert_allclose(_etas((Correlation("a", "b", 0.9, "test"),), n=50)[:, 0], _etas((), n=50)[:, 0])


@pytest.mark.parametrize("correlations, message", [
    ((Correlation("a", "zz", 0.5, "t"),), "zz has no between-patient variability"),
    ((Correlation("a", "a", 0.5, "t"),), "two different parameters"),
    ((Correlation("a", "b", 0.5, "t"), Correlation("b", "a", 0.2, "t")), "given twice"),
    ((Correlation("a", "b", 0.9, "t"), Correlation("b", "c", 0.9, "t"), Correlation("a", "c", -0.9, "t")),
     "not positive definite"),
])
def test_bad_correlations_are_refused_with_the_reason(correlations, message):
    with pytest.raises(InputError, match=message):
        correlation_factor(VARIABILITY, correlations)


SPEC = """
name: v
seed: 3
subtype: SAD
arms: [{name: placebo, regimen: "placebo in q24h x 7 @08:00"}, {name: ot, regimen: "oxytocin 24 IU in q24h x 7 @08:00"}]
control: placebo
n_per_arm: 2
duration_weeks: 1
"""


def test_a_study_spec_states_variability_with_sources_and_refuses_what_it_cannot_use():
    spec = StudySpec.from_yaml(SPEC + """
variability:
  cv: {oxtr_ec50: 0.6, ot_transit_time: 0.2}
  cv_source: "assumption: wider OXTR potency spread for a sensitivity run"
  correlations: [{parameters: [oxtr_ec50, ot_fraction_brain], rho: 0.3, source: "assumption: test"}]
""")
    variability, correlations = spec.variability.resolved()
    cvs = {v.parameter: v.cv for v in variability}
    assert cvs["oxtr_ec50"] == 0.6 and cvs["ot_transit_time"] == 0.2 and cvs["ssri_clearance"] == 0.38
    assert [v.parameter for v in variability][-1] == "ot_transit_time"  # added last: old draws keep their order
    assert correlations == (Correlation("oxtr_ec50", "ot_fraction_brain", 0.3, "assumption: test"),)
    with pytest.raises(InputError, match="cv_source"):
        StudySpec.from_yaml(SPEC + "variability: {cv: {oxtr_ec50: 0.6}}")
    with pytest.raises(InputError, match="unknown parameter"):
        StudySpec.from_yaml(SPEC + "variability: {cv: {oxtr_ec5: 0.6}, cv_source: x}")
    with pytest.raises(InputError, match="no between-patient variability"):
        StudySpec.from_yaml(SPEC + "variability: {correlations: [{parameters: [oxtr_ec50, csf_volume], rho: 0.2, "
                                   "source: x}]}")


def test_trial_patients_draw_the_variability_of_their_spec():
    from oxysim.trials.run import run_trial

    usual = run_trial(StudySpec.from_yaml(SPEC)).visits
    fixed = run_trial(StudySpec.from_yaml(SPEC + "variability: {cv: {placebo_strength: 0}, "
                                                 "cv_source: 'assumption: test'}")).visits
    week = {w: (usual[usual["week"] == w]["score"].to_numpy(), fixed[fixed["week"] == w]["score"].to_numpy())
            for w in (0, 1)}
    np.testing.assert_array_equal(*week[0])  # before treatment the placebo strength acts on nobody
    assert not np.allclose(*week[1])  # after a week every patient's expectancy response has its new size


def test_a_spec_starts_from_its_subtypes_spread_and_its_own_cvs_win():
    panic = SPEC.replace("subtype: SAD", "subtype: PD")
    profile_cv = {v.parameter: v.cv for v in StudySpec.from_yaml(panic).variability.resolved("PD")[0]}
    assert profile_cv["vulnerability"] > 1.0 and profile_cv["ssri_clearance"] == 0.38
    spec = StudySpec.from_yaml(panic + "variability: {cv: {vulnerability: 0.5}, cv_source: 'assumption: narrower'}")
    variability, _ = spec.variability.resolved(spec.subtype)
    chosen = next(v for v in variability if v.parameter == "vulnerability")
    assert chosen.cv == 0.5 and chosen.source == "study spec: assumption: narrower"
    defaults = StudySpec.from_yaml(SPEC).variability.resolved()[0]
    assert [v.parameter for v in variability] == [v.parameter for v in defaults]  # same draw columns


def test_with_cvs_replaces_in_place_and_appends_new_parameters():
    from oxysim.population.variability import with_cvs

    base = (Variability("a", 0.1, "x"), Variability("b", 0.2, "y"))
    changed = with_cvs(base, [Variability("c", 0.3, "new"), Variability("a", 0.5, "wider")])
    assert changed == (Variability("a", 0.5, "wider"), Variability("b", 0.2, "y"), Variability("c", 0.3, "new"))
