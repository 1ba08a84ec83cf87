"""Each implemented FRAMEWORK.md claim shows its direction in simulation.

Every test compares the same virtual patient under two conditions (oxytocin vs placebo, a
disturbed vs an intact mechanism), so a change of sign anywhere in the chain makes it fail. The
``claim`` marker links a test to the claims it checks (see oxysim.evidence.claims).
"""

from __future__ import annotations

import pytest

from conftest import at, auc, rest, run, window
from oxysim.fitting import claim_constraints
from oxysim.fitting.claim_constraints import amygdala_effect

DOSE_H = 33.0  # day 1, 09:00
TASK_H = 33.75  # 45 min after the dose
OT24 = "oxytocin 24 IU in x 1 @09:00 day 1"
PLACEBO = "placebo in x 1 @09:00 day 1"
FACES = "faces x 1 @09:45 day 1"


def holds(margins: dict[str, float]) -> bool:
    """The protocols of K1-K4, K9 and E4's chronic part live in oxysim.fitting.claim_constraints, which fits also
    run as constraints; each margin is positive exactly when the claim's inequality holds."""
    return all(m > 0 for m in margins.values())


def faces(dose: str, subtype: str = "SAD", **kw) -> object:
    return run(subtype, f"{dose}; {FACES}", 1.6, 1.0, **kw)


def task_end(ds, variable: str) -> float:
    return at(ds, variable, TASK_H + 9 / 60)


# --- Figure 1: what drives anxiety (rest states of one patient, mechanism on vs off) -------------

def more_anxious(variable: str, disturbed: dict[str, float], subtype: str = "SAD") -> tuple[float, float]:
    return rest(subtype, tuple(disturbed.items()))[variable], rest(subtype)[variable]


@pytest.mark.claim("P1")
def test_lower_serotonergic_signalling_raises_amygdala_and_severity():
    for variable in ("amygdala", "severity"):
        low, normal = more_anxious(variable, {"serotonin_signalling": 0.6})
        assert low > normal


@pytest.mark.claim("P2")
def test_noradrenergic_overactivity_raises_amygdala():
    high, normal = more_anxious("amygdala", {"noradrenergic_tone": 1.5})
    assert high > normal


@pytest.mark.claim("P3")
def test_lower_gaba_tone_raises_amygdala_and_severity():
    for variable in ("amygdala", "severity"):
        low, normal = more_anxious(variable, {"gaba_capacity": 0.7})
        assert low > normal


@pytest.mark.claim("P4")
def test_amygdala_hyperactivity_lowers_social_attention_and_raises_severity():
    hyper, normal = more_anxious("social_attention", {"amygdala_bias": 3.0})
    assert hyper < normal
    hyper, normal = more_anxious("severity", {"amygdala_bias": 3.0})
    assert hyper > normal


@pytest.mark.claim("P5")
def test_hippocampal_dysfunction_raises_amygdala():
    impaired, normal = more_anxious("amygdala", {"hippocampus_bias": 2.2})
    assert impaired > normal


@pytest.mark.claim("P6")
def test_acc_is_more_active_in_patients_than_in_healthy_people():
    assert rest("SAD")["acc"] > rest("healthy")["acc"]


@pytest.mark.claim("P7")
def test_pfc_hypoactivity_raises_amygdala_and_weakens_extinction_recall():
    hypo, normal = more_anxious("amygdala", {"vmpfc_bias": 2.4})
    assert hypo > normal
    hypo, normal = more_anxious("extinction_retrieval", {"vmpfc_bias": 2.4})
    assert hypo < normal


@pytest.mark.claim("P8")
def test_vmpfc_inhibits_the_amygdala_and_is_weaker_in_patients():
    without, normal = more_anxious("amygdala", {"vmpfc_amygdala_weight": 0.0})
    assert without > normal
    assert rest("SAD")["vmpfc"] < rest("healthy")["vmpfc"]


@pytest.mark.claim("P9")
def test_weaker_hippocampal_coupling_raises_amygdala():
    weak, normal = more_anxious("amygdala", {"hippocampus_amygdala_weight": 0.2})
    assert weak > normal


@pytest.mark.claim("P10")
def test_hpa_overactivation_raises_cortisol_and_gland_masses():
    # With gland-mass turnover (Milo 2025) CRH and ACTH return to baseline at steady state
    # ("dynamical compensation"); the over-activation persists in cortisol and gland masses.
    for variable in ("cortisol", "pituitary_mass", "adrenal_mass"):
        high, normal = more_anxious(variable, {"hpa_drive": 1.5})
        assert high > normal
    assert rest("GAD")["cortisol_load"] > rest("healthy")["cortisol_load"]


@pytest.mark.claim("P12", "P15")
def test_pessimistic_appraisal_raises_amygdala_and_severity():
    for variable in ("amygdala", "severity"):
        biased, normal = more_anxious(variable, {"interpretation_bias": 1.6})
        assert biased > normal


@pytest.mark.claim("P13")
def test_repeated_stress_raises_severity():
    stressed = run("SAD", "tsst q24h x 14 @10:00", 14.0, 60.0)
    calm = run("SAD", "", 14.0, 60.0)
    assert at(stressed, "severity", 14 * 24) > at(calm, "severity", 14 * 24)
    assert at(stressed, "cortisol_load", 14 * 24) > at(calm, "cortisol_load", 14 * 24)


@pytest.mark.claim("P14")
def test_vulnerability_raises_severity():
    high, normal = more_anxious("severity", {"vulnerability": 0.6})
    assert high > normal


# --- Figure 2: cognitive effects ----------------------------------------------------------------

CONDITIONING = "conditioning x 1 @09:45 day 1"


@pytest.mark.claim("C1", "N1")
def test_oxytocin_slows_fear_acquisition_and_damps_amygdala_and_dacc():
    ot = run("healthy", f"{OT24}; {CONDITIONING}", 1.6, 1.0)
    pl = run("healthy", f"{PLACEBO}; {CONDITIONING}", 1.6, 1.0)
    end = TASK_H + 11 / 60
    assert at(ot, "fear_memory", end) < at(pl, "fear_memory", end)
    assert at(ot, "fear_expression", end) < at(pl, "fear_expression", end)
    for region in ("amygdala", "acc"):
        assert window(ot, region, TASK_H, end).mean() < window(pl, region, TASK_H, end).mean()


@pytest.mark.claim("C2")
def test_oxytocin_before_exposure_strengthens_extinction():
    ot = run("SAD", f"{OT24}; cbt x 1 @09:45 day 1", 1.6, 5.0)
    pl = run("SAD", f"{PLACEBO}; cbt x 1 @09:45 day 1", 1.6, 5.0)
    assert at(ot, "extinction_memory", 36.0) > at(pl, "extinction_memory", 36.0) > 0.0


@pytest.mark.claim("C3")
def test_oxytocin_lowers_expressed_fear_to_faces():
    assert task_end(faces(OT24), "fear_expression") < task_end(faces(PLACEBO), "fear_expression")


@pytest.mark.claim("C4", "C5")
def test_oxytocin_raises_attention_to_social_cues_early_in_the_task():
    ot, pl = faces(OT24), faces(PLACEBO)
    early = TASK_H + 3 / 60
    assert at(ot, "social_attention", early) > at(pl, "social_attention", early)
    assert task_end(ot, "social_attention") > task_end(pl, "social_attention")


@pytest.mark.claim("C6")
def test_attention_gain_of_oxytocin_is_larger_inside_a_social_task():
    in_task = task_end(faces(OT24), "social_attention") - task_end(faces(PLACEBO), "social_attention")
    ot_rest = run("SAD", OT24, 1.6, 1.0)
    pl_rest = run("SAD", PLACEBO, 1.6, 1.0)
    at_rest = task_end(ot_rest, "social_attention") - task_end(pl_rest, "social_attention")
    assert in_task > at_rest > 0


@pytest.mark.claim("C7")
def test_four_weeks_of_oxytocin_lower_attachment_avoidance_more_than_one_dose():
    chronic = run("SAD", "oxytocin 24 IU in q24h x 28 @08:00", 28.0, 60.0)
    placebo = run("SAD", "placebo in q24h x 28 @08:00", 28.0, 60.0)
    single = run("SAD", "oxytocin 24 IU in x 1 @08:00", 28.0, 60.0)
    end = 28 * 24
    chronic_effect = at(placebo, "attachment_avoidance", end) - at(chronic, "attachment_avoidance", end)
    single_effect = at(placebo, "attachment_avoidance", end) - at(single, "attachment_avoidance", end)
    assert chronic_effect > 3 * max(single_effect, 0.0)
    assert chronic_effect > 0


# --- Figure 2: neural effects -------------------------------------------------------------------

@pytest.mark.claim("N2")
def test_oxytocin_lowers_amygdala_response_to_fearful_faces_in_sad():
    assert task_end(faces(OT24), "amygdala") < task_end(faces(PLACEBO), "amygdala")


@pytest.mark.claim("N3")
def test_amygdala_effect_grows_with_trait_anxiety():
    def effect(trait: float) -> float:
        o = (("trait_anxiety", trait),)
        return task_end(faces(OT24, overrides=o), "amygdala") - task_end(faces(PLACEBO, overrides=o), "amygdala")
    assert effect(60.0) < effect(35.0) < 0.0


@pytest.mark.claim("N4")
def test_oxytocin_raises_cingulate_activity_outside_fear_acquisition():
    assert task_end(faces(OT24), "acc") > task_end(faces(PLACEBO), "acc")


@pytest.mark.claim("N5")
def test_oxytocin_raises_hippocampal_activity():
    assert task_end(faces(OT24), "hippocampus") > task_end(faces(PLACEBO), "hippocampus")


@pytest.mark.claim("N6")
def test_oxytocin_raises_pfc_activity_and_gaba_and_extinction_recall():
    ot, pl = faces(OT24), faces(PLACEBO)
    for variable in ("vmpfc", "gaba_tone", "extinction_retrieval"):
        assert task_end(ot, variable) > task_end(pl, variable)


@pytest.mark.claim("N7")
def test_oxytocin_strengthens_vmpfc_amygdala_coupling():
    assert task_end(faces(OT24), "vmpfc_amygdala_coupling") > task_end(faces(PLACEBO), "vmpfc_amygdala_coupling")


# --- Figure 2: neuroendocrine and transmitter effects -------------------------------------------

TSST = "tsst x 1 @09:45 day 1"


def tsst(dose: str, support: bool = False, hypotheses=()) -> float:
    ds = run("SAD", f"{dose}; {TSST}{' with support' if support else ''}", 1.6, 1.0, hypotheses=hypotheses)
    return auc(ds, "cortisol_nmol", TASK_H, TASK_H + 2.0)


@pytest.mark.claim("E1", "E2")
def test_oxytocin_lowers_the_crh_and_cortisol_response_to_a_tsst():
    assert tsst(OT24) < tsst(PLACEBO)
    ot = run("SAD", f"{OT24}; {TSST}", 1.6, 1.0)
    pl = run("SAD", f"{PLACEBO}; {TSST}", 1.6, 1.0)
    assert window(ot, "crh", TASK_H, TASK_H + 0.25).max() < window(pl, "crh", TASK_H, TASK_H + 0.25).max()
    assert window(ot, "gr_feedback_signal", TASK_H, TASK_H + 1).mean() > 0


@pytest.mark.claim("E3")
def test_hpa_stress_response_falls_with_oxytocin_dose():
    aucs = [tsst(PLACEBO)] + [tsst(f"oxytocin {d} IU in x 1 @09:00 day 1") for d in (12, 24)]
    assert aucs[0] > aucs[1] > aucs[2]


@pytest.mark.claim("E4")
def test_stress_releases_endogenous_oxytocin_and_chronic_oxytocin_lowers_hpa_load():
    ds = run("SAD", TSST, 1.6, 1.0)
    assert window(ds, "ot_brain", TASK_H, TASK_H + 0.2).max() > at(ds, "ot_brain", TASK_H - 0.5)
    assert holds(claim_constraints.chronic_hpa_load())


@pytest.mark.claim("E5")
def test_oxytocin_and_social_support_lower_cortisol_more_than_either_alone():
    both, support, ot, none = tsst(OT24, True), tsst(PLACEBO, True), tsst(OT24), tsst(PLACEBO)
    assert both < support < none
    assert both < ot < none


@pytest.mark.claim("S1")
def test_oxytocin_raises_extracellular_serotonin():
    assert task_end(faces(OT24), "serotonin_ext") > task_end(faces(PLACEBO), "serotonin_ext")


@pytest.mark.claim("S2")
def test_oxytocin_lowers_available_sert():
    assert task_end(faces(OT24), "sert_available") < task_end(faces(PLACEBO), "sert_available")


@pytest.mark.claim("G1", "G2")
def test_oxytocin_raises_gaba_and_its_gaba_route_damps_the_amygdala():
    assert task_end(faces(OT24), "gaba_tone") > task_end(faces(PLACEBO), "gaba_tone")
    no_gaba = (("ot_gaba_release", 0.0), ("ot_gaba_reuptake_inhibition", 0.0))
    with_route = task_end(faces(PLACEBO), "amygdala") - task_end(faces(OT24), "amygdala")
    without_route = task_end(faces(PLACEBO, overrides=no_gaba), "amygdala") - task_end(faces(OT24, overrides=no_gaba), "amygdala")
    assert with_route > without_route


@pytest.mark.claim("G3")
def test_oxytocin_raises_gaba_through_reuptake_alone():
    only_reuptake = (("ot_gaba_release", 0.0),)
    ot = task_end(faces(OT24, overrides=only_reuptake), "gaba_tone")
    pl = task_end(faces(PLACEBO, overrides=only_reuptake), "gaba_tone")
    assert ot > pl


# --- Clinical use -------------------------------------------------------------------------------

@pytest.mark.claim("K1")
def test_amygdala_effect_of_24_iu_peaks_45_to_70_minutes_after_dosing():
    assert holds(claim_constraints.effect_window())


@pytest.mark.claim("K2")
def test_dose_response_is_an_inverted_u_under_the_default_hypothesis():
    assert holds(claim_constraints.inverted_u())


@pytest.mark.claim("K2")
def test_dose_response_saturates_under_the_monotonic_hypothesis():
    h = {"dose_response": "monotonic"}
    assert amygdala_effect(48, hypotheses=h) >= amygdala_effect(24, hypotheses=h) > 0


@pytest.mark.claim("K2")
def test_salience_hypothesis_raises_amygdala_response_to_faces():
    assert amygdala_effect(24, hypotheses={"amygdala_single_dose": "salience"}) < 0


@pytest.mark.claim("K3")
def test_three_weeks_of_daily_oxytocin_improve_gad_symptoms():
    assert holds(claim_constraints.gad_symptoms_improve())


@pytest.mark.claim("K4")
def test_every_other_day_dosing_keeps_the_amygdala_effect_that_daily_dosing_loses():
    assert holds(claim_constraints.alternate_day_dosing())



CBT_COURSE = "cbt weekly x 12 @10:00"


@pytest.mark.claim("K5")
def test_cbt_improves_symptoms_and_part_of_the_gain_returns_after_treatment():
    cbt = run("SAD", CBT_COURSE, 140.0, 240.0)
    none = run("SAD", "", 140.0, 240.0)
    end_of_course = 12 * 7 * 24
    assert at(cbt, "lsas", end_of_course) < at(none, "lsas", end_of_course)
    assert at(cbt, "extinction_memory", 140 * 24) < at(cbt, "extinction_memory", end_of_course)
    assert at(cbt, "fear_expression", 140 * 24) > at(cbt, "fear_expression", end_of_course)


@pytest.mark.claim("K6", "K7")
def test_oxytocin_before_sessions_raises_alliance_and_cbt_benefit():
    ot = run("SAD", f"oxytocin 24 IU in q168h x 12 @09:15; {CBT_COURSE}", 84.0, 240.0)
    pl = run("SAD", f"placebo in q168h x 12 @09:15; {CBT_COURSE}", 84.0, 240.0)
    end = 84 * 24
    assert at(ot, "therapeutic_alliance", end) > at(pl, "therapeutic_alliance", end)
    assert at(ot, "lsas", end) < at(pl, "lsas", end)
    assert at(ot, "extinction_memory", end) > at(pl, "extinction_memory", end)


@pytest.mark.claim("S3", "K9")
def test_oxytocin_added_to_an_ssri_acts_faster_and_more():
    assert holds(claim_constraints.ssri_augmentation())


@pytest.mark.claim("K11")
def test_oxytocin_and_a_benzodiazepine_damp_the_amygdala_more_than_either():
    bzd = "bzd 0.5 mg po x 1 @08:00 day 1"
    both = task_end(faces(f"{OT24}; {bzd}"), "amygdala")
    only_bzd = task_end(faces(f"{PLACEBO}; {bzd}"), "amygdala")
    only_ot = task_end(faces(OT24), "amygdala")
    assert both < only_bzd < task_end(faces(PLACEBO), "amygdala")
    assert both < only_ot
