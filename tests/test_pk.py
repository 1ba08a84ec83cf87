"""Pharmacokinetics against published numbers (findings PK-01, PK-02, PK-04; Klein 2006; Greenblatt 1993).

Tolerances are stated per test and come from the sources' sampling grids and ranges.
"""

import numpy as np
import pytest

from conftest import run

DOSE_H = 8.0  # 08:00 on day 0


def _series(ds, variable):
    minutes = (ds.time.values - DOSE_H) * 60
    return minutes, ds[variable].isel(patient=0).values


@pytest.fixture(scope="module")
def intranasal_24iu():
    return run("healthy", "oxytocin 24 IU in x 1 @08:00", 0.6, 1.0)


@pytest.mark.claim("K1")
def test_plasma_oxytocin_peaks_near_15_min_after_24_iu(intranasal_24iu):
    # PK-01 (Striepens 2013): peak at the 15-min sample; the sampling grid allows 8-25 min.
    minutes, plasma = _series(intranasal_24iu, "ot_plasma_exogenous")
    t_max = minutes[np.argmax(plasma)]
    assert 8 <= t_max <= 25


def test_plasma_oxytocin_is_near_baseline_by_90_min(intranasal_24iu):
    # PK-01: declining by 75 min; PK-02 (Gossen 2012): group mean back to baseline by 90 min.
    # "Near baseline" = the exogenous rise is below 25 % of its peak.
    minutes, plasma = _series(intranasal_24iu, "ot_plasma_exogenous")
    assert plasma[np.searchsorted(minutes, 75)] < plasma.max()
    assert plasma[np.searchsorted(minutes, 90)] < 0.25 * plasma.max()


def test_plasma_peak_is_tens_of_pg_per_ml(intranasal_24iu):
    # PK-03 (context): 65-100 ug nasal gave peaks of 36-85 pg/mL; 24 IU = 40 ug -> 10-60 pg/mL.
    _, plasma = _series(intranasal_24iu, "ot_plasma_exogenous")
    assert 10 <= plasma.max() <= 60


def test_csf_oxytocin_rises_late_and_uncoupled_from_plasma(intranasal_24iu):
    # PK-01: CSF is significant only by 75 min, when plasma is already declining.
    minutes, csf = _series(intranasal_24iu, "ot_csf_pg")
    _, plasma = _series(intranasal_24iu, "ot_plasma_exogenous")
    at15, at75 = csf[np.searchsorted(minutes, 15)], csf[np.searchsorted(minutes, 75)]
    assert at15 < 0.5 * csf.max()
    assert at75 > 0.7 * csf.max()
    assert minutes[np.argmax(csf)] > minutes[np.argmax(plasma)] + 30


def test_plasma_and_csf_are_uncorrelated_across_patients():
    # PK-01: r < 0.10 between plasma and CSF across 11 people; with independent delivery
    # fractions the model's across-patient correlation of peaks stays small.
    from oxysim.simulation import simulate

    ds = simulate("healthy", "oxytocin 24 IU in x 1 @08:00", 0.5, n_patients=40, seed=3, output_interval_min=5)
    plasma_peak = ds["ot_plasma_exogenous"].max("time").values
    csf_peak = ds["ot_csf_pg"].max("time").values
    r = np.corrcoef(plasma_peak, csf_peak)[0, 1]
    assert abs(r) < 0.35


def test_intravenous_half_life_is_3_to_5_min():
    # PK-04: IV half-life 3.2 min (range 2.0-5.7); the test demands 3-5 min from the simulated
    # log-linear decline, an independent estimate of what the parameters imply.
    ds = run("healthy", "oxytocin 10 IU iv x 1 @08:00", 0.4, 0.5)
    minutes, plasma = _series(ds, "ot_plasma_exogenous")
    window = (minutes >= 2) & (minutes <= 15)
    slope = np.polyfit(minutes[window], np.log(plasma[window]), 1)[0]
    assert 3.0 <= np.log(2) / -slope <= 5.0


def test_escitalopram_sert_occupancy_matches_klein_2006():
    # Klein 2006: single 5/10/20 mg -> 60 +/- 6, 64 +/- 6, 75 +/- 5 % at 6 h (mean +/- SD).
    for dose, observed, sd in ((5, 60, 6), (10, 64, 6), (20, 75, 5)):
        ds = run("healthy", f"ssri {dose} mg po x 1 @08:00", 0.7, 30.0)
        occupancy = 100 * float(ds["sert_occupancy"].isel(patient=0).sel(time=14.0, method="nearest"))
        assert abs(occupancy - observed) <= sd, (dose, occupancy)


def test_escitalopram_steady_state_occupancy_is_therapeutic():
    # Meyer 2004: minimum therapeutic doses give 76-85 % occupancy; allow 70-85 %.
    ds = run("healthy", "ssri 10 mg po q24h x 21 @08:00", 21.0, 60.0)
    last_day = ds["sert_occupancy"].isel(patient=0).sel(time=slice(20 * 24, 21 * 24)).mean()
    assert 0.70 <= float(last_day) <= 0.85


def test_alprazolam_1_mg_matches_greenblatt_and_wright_1993():
    # Greenblatt & Wright 1993 (abstract): after 1 mg, Cmax 12-22 ug/L at 0.7-1.8 h; t1/2 9-16 h.
    ds = run("healthy", "bzd 1 mg po x 1 @08:00", 2.0, 15.0)
    hours = ds.time.values - DOSE_H
    plasma = ds["bzd_plasma"].isel(patient=0).values
    assert 0.7 <= hours[np.argmax(plasma)] <= 1.8 + 0.25  # 15-min output grid
    assert 12.0 <= plasma.max() <= 22.0
    late = (hours >= 12) & (hours <= 36)
    slope = np.polyfit(hours[late], np.log(plasma[late]), 1)[0]
    assert 9 <= np.log(2) / -slope <= 16
