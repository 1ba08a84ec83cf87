"""Module behaviours the issue asks for beyond single claims: circadian and stress HPA dynamics,
the SSRI delay, benzodiazepine speed, context-bound extinction (renewal) and spontaneous recovery."""

import numpy as np
import pytest

from conftest import at, run, window


def test_cortisol_is_higher_in_the_morning_than_in_the_evening():
    # HPA-11/HPA-12: morning peak, low late evening.
    ds = run("healthy", "", 2.0, 15.0)
    day = ds["cortisol_nmol"].isel(patient=0).sel(time=slice(24, 48))
    peak_clock = float(day.time[int(np.argmax(day.values))]) - 24
    assert 5.0 <= peak_clock <= 11.0
    assert at(ds, "cortisol_nmol", 32.0) > 1.3 * at(ds, "cortisol_nmol", 46.0)


def test_tsst_raises_acth_before_cortisol():
    # HPA-16/HPA-17: ACTH peaks at or just after the stressor, cortisol 10-30 min later.
    ds = run("healthy", "tsst x 1 @10:00 day 1", 1.6, 1.0)
    start = 34.0
    acth = window(ds, "acth", start, start + 2)
    cortisol = window(ds, "cortisol", start, start + 2)
    assert cortisol.max() > 1.2 * cortisol[0]
    acth_peak, cortisol_peak = np.argmax(acth), np.argmax(cortisol)
    assert acth_peak < cortisol_peak
    assert 15 <= cortisol_peak <= 75  # minutes after onset (1-min output)


def test_ssri_benefit_builds_over_weeks_through_autoreceptor_desensitisation():
    """CL-14: SSRI benefit is gradual, "logarithmic (most gain early)": a log(1 + weeks) curve is 2.8 times
    higher at week 6 than at week 1 (log 7 / log 2), so the typical patient's benefit must build at least as
    much. Mechanism (MODELS.md §2, §8): 5-HT1A desensitisation, without which the week-6 benefit is smaller
    (measured 2026-11-28: ratio 2.90 at the calibrated exponent 0.611, 2.71 without desensitisation; 2.90 at 0.691 after
    session 11's recalibration)."""
    regimen = "ssri 10 mg po q24h x 42 @08:00"
    ds = run("GAD", regimen, 42.0, 120.0)
    assert at(ds, "autoreceptor_sensitivity", 42 * 24) < at(ds, "autoreceptor_sensitivity", 2 * 24) < 1.0
    assert at(ds, "serotonin_ext", 41 * 24 + 12) > at(ds, "serotonin_ext", 1 * 24 + 12)
    change_week1 = at(ds, "ham_a", 0) - at(ds, "ham_a", 7 * 24)
    change_week6 = at(ds, "ham_a", 0) - at(ds, "ham_a", 42 * 24)
    assert change_week6 > np.log(7) / np.log(2) * change_week1 > 0
    fixed = run("GAD", regimen, 42.0, 120.0, overrides=(("autoreceptor_desensitisation", 0.0),))
    assert change_week6 > at(fixed, "ham_a", 0) - at(fixed, "ham_a", 42 * 24)


def test_benzodiazepine_acts_faster_than_an_ssri():
    # CL-13 (Mendez 2024): benzodiazepines are ahead at week 1.
    bzd = run("GAD", "bzd 0.5 mg po q12h x 28 @08:00", 14.0, 120.0)
    ssri = run("GAD", "ssri 10 mg po q24h x 14 @08:00", 14.0, 120.0)
    assert at(bzd, "ham_a", 7 * 24) < at(ssri, "ham_a", 7 * 24)


def test_extinction_is_retrieved_better_in_the_therapy_context_than_outside():
    # Renewal (Paskewitz 2022 context cues): after exposure, fear is lower in the therapy context.
    ds = run("SP", "cbt x 1 @10:00 day 0; cbt x 1 @10:00 day 1", 1.6, 1.0)
    inside = at(ds, "fear_expression", 24 + 10.5)
    outside = at(ds, "fear_expression", 24 + 12.0)
    assert inside < outside


def test_extinction_decays_so_fear_recovers_spontaneously():
    ds = run("SP", "cbt x 1 @10:00 day 0", 60.0, 240.0)
    assert at(ds, "extinction_memory", 60 * 24) < 0.7 * at(ds, "extinction_memory", 12.0)
    assert at(ds, "fear_expression", 60 * 24) > at(ds, "fear_expression", 24.0)


def test_extinction_after_a_course_of_sessions_decays_more_slowly_than_after_one():
    # Harmonic decay (statsrat drate.py, d = 1 / (extra_counts + N)): 12 sessions are retained longer than one,
    # by about (2 + 12) / (2 + 1) in half-life, everyday extinction aside.
    course = run("SP", "cbt weekly x 12 @10:00", 12 * 7 + 61.0, 240.0)
    single = run("SP", "cbt x 1 @10:00 day 0", 61.0, 240.0)
    end = 11 * 7 * 24 + 12.0
    kept_after_course = at(course, "extinction_memory", end + 60 * 24) / at(course, "extinction_memory", end)
    kept_after_one = at(single, "extinction_memory", 12.0 + 60 * 24) / at(single, "extinction_memory", 12.0)
    assert at(course, "exposure_practice", end) == pytest.approx(12.0, rel=1e-6)
    assert kept_after_one < 0.7 < kept_after_course
