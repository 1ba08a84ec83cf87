"""HPA-axis experiments: cortisol and ACTH over the day and around a Trier Social Stress Test (HPA-02 ... HPA-17).

The TSST runs at 14:00 on day 1 (afternoon sessions are the usual TSST protocol, to keep the falling
morning cortisol out of the response; assumption) and lasts 15 min (the regimen's TSST). Most TSST findings
are salivary cortisol, which reflects free serum cortisol: they are compared with the model's free cortisol
(``cortisol_free_nmol``, total cortisol partitioned over CBG and albumin by the Coolens equation), and only in
relative terms (timing, effect sizes, ratios), since saliva holds less cortisol than serum water. Serum
findings are compared with total cortisol.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pint
import xarray as xr

from oxysim.validation.experiment import Arm, Experiment, NotRunnable, Prediction, Target
from oxysim.validation.measures import (at, clock, covariate_factors, hedges_g, peak_time_min, quantity, recovery_min,
                                        values, window_mean)

ONSET_H = clock("14:00")
END_H = ONSET_H + 0.25
STOP_H = ONSET_H + 4.0
CORTISOL_G_PER_MOL = 362.46
"""Molar mass of cortisol (C21H30O5), for ug/dL <-> nmol/L (1 ug/dL = 27.59 nmol/L)."""
UG_DL_IN_NMOL_L = 10.0 / CORTISOL_G_PER_MOL * 1000.0

SALIVARY = "cortisol_free_nmol"
"""The observable salivary cortisol findings are compared with: free serum cortisol."""
TSST = "tsst x 1 @14:00 day 1"
TSST_WINDOW = (ONSET_H - 1.0, STOP_H)
TYPICAL_TSST = Arm("healthy", TSST, 2.0, window_h=TSST_WINDOW)
POPULATION = 60
"""Virtual healthy adults per TSST arm (assumption: enough that the sampling error of g is ~0.2)."""

CARDOSO = ("Cardoso C, Kingdon D, Ellenbogen MA (2014) A meta-analytic review of the impact of intranasal oxytocin "
           "administration on cortisol concentrations during laboratory tasks. Psychoneuroendocrinology 49:161-170")
GU = ("Gu H, Ma X, Zhao J, Liu C (2022) A meta-analysis of salivary cortisol responses in the Trier Social Stress "
      "Test. Compr Psychoneuroendocrinol 10:100125")
LIU = ("Liu JJW et al. (2017) Sex differences in salivary cortisol reactivity to the TSST: a meta-analysis. "
       "Psychoneuroendocrinology 82:26-37")
DICKERSON = ("Dickerson SS, Kemeny ME (2004) Acute stressors and cortisol responses. Psychol Bull 130:355-391")
DICKERSON_CHECK = ("Verified this session: the abstract (ERIC record) gives 208 studies and that uncontrollable, "
                   "social-evaluative tasks give the largest cortisol and ACTH changes and the longest recovery. The "
                   "peak (21-40 min after onset) and recovery (40-60 min after the end) windows were not found: "
                   "still from memory.")
REFERENCE_RANGES = ("clinical serum cortisol reference ranges (from memory); Schulte HM et al. 1982 oCRF study "
                    "baseline 5.0 +/- 1.8 ug/dL (seen)")
UNBOUND_1980 = ("Clin Chim Acta (1980), doi 10.1016/0009-8981(80)90351-4 (abstract seen; authors not seen): unbound "
                "cortisol of 24 normal subjects 1.2 +/- 0.4 ug/dL at 8-10 a.m. and 0.4 +/- 0.1 ug/dL at 4 p.m.; a "
                "source outside findings.yaml, filed under HPA-12 as the serum circadian range")
TEXTBOOK = "clinical biochemistry textbook excerpt (production ~20 mg/day, metabolic clearance ~200 L/day)"
TSUKADA = ("Tsukada T et al. (1984) Clin Endocrinol 20:111-117; Schulte HM et al. (1982) JCEM (basal ACTH 10.8 +/- "
           "7.7 pg/mL, late afternoon)")
KIRSCHBAUM = ("Kirschbaum C, Pirke KM, Hellhammer DH (1993) Neuropsychobiology 28:76-81; Allen AP et al. (2014) "
              "Neurosci Biobehav Rev 38:94-124; Kirschbaum et al. 1999 (from memory)")
NOT_VERIFIED = ("Not verified this session: searches found TSST protocol descriptions (5-min anticipation, "
                "speech, arithmetic) but no trajectory values; the numbers remain from memory.")


def _rise(ds: xr.Dataset, variable: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-patient value at TSST onset and peak within 60 min after onset."""
    _, series = values(ds, variable, ONSET_H, ONSET_H + 1.0)
    return at(ds, variable, ONSET_H), series.max(axis=1)


def cortisol_reactivity_d(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Cohen's d of the TSST cortisol response: (mean peak - mean baseline) / SD pooled over the two samples."""
    before, peak = _rise(runs["tsst"], SALIVARY)
    pooled = math.sqrt((np.var(before, ddof=1) + np.var(peak, ddof=1)) / 2)
    return quantity((peak.mean() - before.mean()) / pooled, "dimensionless")


def oxytocin_cortisol_g(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Hedges' g (oxytocin - placebo) of the cortisol increase AUC over 0-90 min after TSST onset.

    AUCi (area above the onset value; Pruessner et al. 2003) per patient, groups as independent.
    """
    def auc_increase(ds: xr.Dataset) -> np.ndarray:
        times, series = values(ds, SALIVARY, ONSET_H, ONSET_H + 1.5)
        return np.trapezoid(series - series[:, :1], times * 60.0, axis=1)

    return quantity(hedges_g(auc_increase(runs["oxytocin"]), auc_increase(runs["placebo"])), "dimensionless")


def women_to_men_rise(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Cortisol rise (peak - onset) of a typical woman as a fraction of a typical man's."""
    def rise(ds: xr.Dataset) -> float:
        before, peak = _rise(ds, SALIVARY)
        return float(peak[0] - before[0])

    return quantity(rise(runs["women"]) / rise(runs["men"]), "dimensionless")


def cortisol_peak_time(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Minutes from TSST onset to the cortisol peak (typical healthy adult)."""
    return quantity(peak_time_min(runs["tsst"], SALIVARY, ONSET_H, STOP_H)[0], "min")


def cortisol_recovery_after_end(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Minutes from the end of the TSST until cortisol is back within 10 % of its rise above onset."""
    return quantity(recovery_min(runs["tsst"], SALIVARY, ONSET_H, END_H, STOP_H)[0], "min")


def cortisol_recovery_after_onset(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Minutes from TSST onset until cortisol is back within 10 % of its rise above onset."""
    return quantity(recovery_min(runs["tsst"], SALIVARY, ONSET_H, ONSET_H, STOP_H)[0], "min")


def cortisol_rise_percent(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Cortisol peak over its onset value, as a percentage rise (typical healthy adult)."""
    before, peak = _rise(runs["tsst"], SALIVARY)
    return quantity(100.0 * (peak[0] / before[0] - 1.0), "percent")


def acth_peak_time(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Minutes from TSST onset to the ACTH peak."""
    return quantity(peak_time_min(runs["tsst"], "acth_pg", ONSET_H, STOP_H)[0], "min")


def acth_to_cortisol_lag(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Minutes from the ACTH peak to the cortisol peak after TSST onset."""
    ds = runs["tsst"]
    lag = peak_time_min(ds, "cortisol_nmol", ONSET_H, STOP_H) - peak_time_min(ds, "acth_pg", ONSET_H, STOP_H)
    return quantity(lag[0], "min")


def acth_peak_ratio(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """ACTH peak over its value at TSST onset."""
    before, peak = _rise(runs["tsst"], "acth_pg")
    return quantity(peak[0] / before[0], "dimensionless")


def acth_at_onset(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Plasma ACTH at TSST onset (14:00), before the stressor."""
    return quantity(at(runs["tsst"], "acth_pg", ONSET_H)[0], "pg/mL")


def _at_clock(variable: str, text: str, units: str) -> Prediction:
    def measure(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
        return quantity(at(runs["day"], variable, clock(text))[0], units)

    measure.__doc__ = f"{variable} of a typical healthy adult at {text} on day 1 (no task, no drug)."
    return measure


def _one_sd_band_ug_dl(mean: float, sd: float, between: str) -> Target:
    """A serum cortisol target given as mean +/- SD in ug/dL: a typical person lies within 1 SD (in nmol/L)."""
    return Target(mean * UG_DL_IN_NMOL_L, (mean - sd) * UG_DL_IN_NMOL_L, (mean + sd) * UG_DL_IN_NMOL_L,
                  f"{mean:.1f} +/- {sd:.1f} ug/dL (mean +/- SD between {between}): a typical person lies within 1 SD")


def late_afternoon_cortisol_cv(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Between-person coefficient of variation (SD / mean) of serum cortisol at 17:00 on day 1."""
    levels = at(runs["population"], "cortisol_nmol", clock("17:00"))
    return quantity(float(np.std(levels, ddof=1) / np.mean(levels)), "dimensionless")


def daily_mean_cortisol(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """24-h mean serum cortisol of a typical healthy adult (day 1, no task)."""
    return quantity(window_mean(runs["day"], "cortisol_nmol", 24.0, 48.0)[0], "nmol/L")


def cbg_bound_fraction(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Fraction of serum cortisol bound to CBG over day 1 (ratio of the 24-h means of bound and total cortisol)."""
    ds = runs["day"]
    bound = window_mean(ds, "cortisol_cbg_bound_nmol", 24.0, 48.0)[0]
    return quantity(bound / window_mean(ds, "cortisol_nmol", 24.0, 48.0)[0], "dimensionless")


DAY_ARM = Arm("healthy", "", 2.0, interval_min=5.0, window_h=(24.0, 48.0))
POPULATION_TSST = Arm("healthy", TSST, 2.0, patients=POPULATION, window_h=TSST_WINDOW)
POPULATION_DAY = Arm("healthy", "", 2.0, patients=POPULATION, interval_min=60.0, window_h=(40.0, 42.0))


def _oxytocin_tsst(agent: str) -> Arm:
    return Arm("healthy", f"{agent} x 1 @13:10 day 1; {TSST}", 2.0, patients=POPULATION, window_h=TSST_WINDOW)


EXPERIMENTS = (
    Experiment(
        "HPA-02.strong_stressor_g", "HPA-02",
        "effect of intranasal oxytocin on the cortisol response to a strong stressor",
        "healthy adults (meta-analysis, mostly healthy men; model: 60 virtual healthy adults per arm), 24 IU "
        "intranasal or placebo 50 min before a 15-min TSST at 14:00; cortisol AUC above onset over 90 min",
        {"oxytocin": _oxytocin_tsst("oxytocin 24 IU in"), "placebo": _oxytocin_tsst("placebo in")},
        oxytocin_cortisol_g, "dimensionless",
        Target(-0.433, -0.841, -0.025, "95 % CI of the subgroup of studies with strong HPA stimulation"),
        "seen-in-source", CARDOSO),
    Experiment(
        "HPA-07.reactivity_d", "HPA-07", "size of the cortisol response to the TSST (Cohen's d, peak vs baseline)",
        "healthy adults (N = 5171; model: 60 virtual healthy adults), 15-min TSST at 14:00, peak within 60 min",
        {"tsst": POPULATION_TSST}, cortisol_reactivity_d, "dimensionless",
        Target(0.93, 0.82, 1.04, "95 % CI of the pooled d"),
        "seen-in-source", GU),
    Experiment(
        "HPA-08.women_to_men", "HPA-08", "cortisol rise to the TSST in women relative to men",
        "healthy women and men (N = 1350), TSST at 14:00; model: a typical woman (the trials' sex effect on the "
        "stressor gain) and a typical man",
        {"women": Arm("healthy", TSST, 2.0, window_h=TSST_WINDOW, factors=covariate_factors("sex", "F")),
         "men": TYPICAL_TSST},
        women_to_men_rise, "dimensionless",
        Target(1.0, 0.0, 1.0, "direction only: men higher at peak (no effect size in the abstract); equal responses "
               "sit on the bound", scale=0.2),
        "seen-in-source", LIU),
    Experiment(
        "HPA-10.peak_time", "HPA-10", "time of the cortisol peak after stressor onset",
        "healthy adults, social-evaluative uncontrollable stressor (model: 15-min TSST at 14:00)",
        {"tsst": TYPICAL_TSST}, cortisol_peak_time, "min",
        Target(30.5, 21.0, 40.0, "the 21-40 min window after onset (from memory)"),
        "mixed", DICKERSON, verification=DICKERSON_CHECK),
    Experiment(
        "HPA-10.recovery_after_end", "HPA-10", "time from the end of the stressor until cortisol is back at baseline",
        "as HPA-10.peak_time; 'back' = within 10 % of the rise (assumption)",
        {"tsst": TYPICAL_TSST}, cortisol_recovery_after_end, "min",
        Target(50.0, 40.0, 60.0, "the 40-60 min window after the stressor ends (from memory)"),
        "mixed", DICKERSON, verification=DICKERSON_CHECK),
    Experiment(
        "HPA-12.morning", "HPA-12", "serum cortisol at 08:00",
        "typical healthy adult, no task or drug, day 1",
        {"day": DAY_ARM}, _at_clock("cortisol_nmol", "08:00", "nmol/L"), "nmol/L",
        Target(math.sqrt(138.0 * 690.0), 138.0, 690.0, "morning reference range 138-690 nmol/L (5-25 ug/dL; from "
               "memory); value: its geometric middle"),
        "mixed", REFERENCE_RANGES, verification="Not verified this session beyond the seen late-afternoon baseline "
        "(HPA-12.late_afternoon); the morning and evening ranges remain from memory."),
    Experiment(
        "HPA-12.late_evening", "HPA-12", "serum cortisol at 23:00",
        "typical healthy adult, no task or drug, day 1",
        {"day": DAY_ARM}, _at_clock("cortisol_nmol", "23:00", "nmol/L"), "nmol/L",
        Target(138.0, 0.0, 138.0, "late-evening serum cortisol below 138 nmol/L (5 ug/dL; from memory)"),
        "mixed", REFERENCE_RANGES, verification="Not verified this session (from memory)."),
    Experiment(
        "HPA-12.late_afternoon", "HPA-12", "serum cortisol in the late afternoon (17:00)",
        "healthy men at rest before an oCRF test in the late afternoon (model: typical healthy adult at 17:00, "
        "the hour assumed)",
        {"day": DAY_ARM}, _at_clock("cortisol_nmol", "17:00", "nmol/L"), "nmol/L",
        _one_sd_band_ug_dl(5.0, 1.8, "men"),
        "mixed", REFERENCE_RANGES, verification="The 5.0 +/- 1.8 ug/dL baseline was seen in the source (scilit "
        "abstract of Schulte 1982); the clock time is assumed."),
    Experiment(
        "HPA-12.free_morning", "HPA-12", "free (unbound) serum cortisol in the morning (09:00)",
        "24 normal subjects, 8-10 a.m. (model: typical healthy adult at 09:00, the middle of the window)",
        {"day": DAY_ARM}, _at_clock("cortisol_free_nmol", "09:00", "nmol/L"), "nmol/L",
        _one_sd_band_ug_dl(1.2, 0.4, "subjects"),
        "seen-in-source", UNBOUND_1980),
    Experiment(
        "HPA-12.free_afternoon", "HPA-12", "free (unbound) serum cortisol in the afternoon (16:00)",
        "as HPA-12.free_morning, at 4 p.m.",
        {"day": DAY_ARM}, _at_clock("cortisol_free_nmol", "16:00", "nmol/L"), "nmol/L",
        _one_sd_band_ug_dl(0.4, 0.1, "subjects"),
        "seen-in-source", UNBOUND_1980),
    Experiment(
        "HPA-12.late_afternoon_cv", "HPA-12", "between-person spread of serum cortisol in the late afternoon (SD / mean)",
        f"healthy men at rest in the late afternoon (model: {POPULATION} virtual healthy adults at 17:00, day 1)",
        {"population": POPULATION_DAY}, late_afternoon_cortisol_cv, "dimensionless",
        Target(0.36, 0.25, 0.47, "5.0 +/- 1.8 ug/dL: CV 0.36; +/-30 % for the sampling error of an SD from a small "
               "group of men (group size not seen; assumption)"),
        "mixed", REFERENCE_RANGES, verification="The 5.0 +/- 1.8 ug/dL baseline was seen in the source (scilit "
        "abstract of Schulte 1982); the group size and the clock time were not."),
    Experiment(
        "HPA-13.daily_mean", "HPA-13", "24-h mean serum cortisol implied by production and clearance",
        "typical healthy adult, day 1, no task; expected mean = production 20 mg/day / clearance 200 L/day",
        {"day": DAY_ARM}, daily_mean_cortisol, "nmol/L",
        Target(0.1e6 / CORTISOL_G_PER_MOL, 0.07e6 / CORTISOL_G_PER_MOL, 0.13e6 / CORTISOL_G_PER_MOL,
               "0.1 mg/L = 276 nmol/L; the source gives no spread, +/-30 % assumed (textbook production rates "
               "vary by about that much)"),
        "seen-in-source", TEXTBOOK),
    Experiment(
        "HPA-13.cbg_bound_fraction", "HPA-13", "fraction of serum cortisol bound to CBG",
        "typical healthy adult, day 1, no task; CBG binding by the Coolens equation (hpa module)",
        {"day": DAY_ARM}, cbg_bound_fraction, "dimensionless",
        Target(0.9, 0.7, 0.95, "0.9 in the textbook excerpt; ~70 % in the introduction of Barlow et al. 2010 (Ann "
               "Clin Biochem 47:200, seen: 'more than 90 %' protein-bound, 'approximately 70 %' to CBG); the band "
               "spans both, its top 0.95 leaves room for the albumin-bound and free cortisol"),
        "seen-in-source", TEXTBOOK + "; Barlow NL et al. 2010 Ann Clin Biochem 47:200"),
    Experiment(
        "HPA-14.basal_acth", "HPA-14", "basal plasma ACTH in the late afternoon",
        "healthy men at rest, late afternoon (model: typical healthy adult at 17:00, the hour assumed)",
        {"day": DAY_ARM}, _at_clock("acth_pg", "17:00", "pg/mL"), "pg/mL",
        Target(10.8, 3.1, 18.5, "10.8 +/- 7.7 pg/mL (mean +/- SD between men): a typical person lies within 1 SD"),
        "seen-in-source", TSUKADA),
    Experiment(
        "HPA-16.peak_time", "HPA-16", "time of the salivary cortisol peak after TSST onset",
        "healthy adults, 15-min TSST (model: typical healthy adult, TSST at 14:00)",
        {"tsst": TYPICAL_TSST}, cortisol_peak_time, "min",
        Target(27.5, 20.0, 35.0, "~20-35 min after onset (from memory)"),
        "from-memory", KIRSCHBAUM, verification=NOT_VERIFIED),
    Experiment(
        "HPA-16.back_to_baseline", "HPA-16", "time from TSST onset until cortisol is back at baseline",
        "as HPA-16.peak_time; 'back' = within 10 % of the rise (assumption)",
        {"tsst": TYPICAL_TSST}, cortisol_recovery_after_onset, "min",
        Target(75.0, 60.0, 90.0, "~60-90 min after onset (from memory)"),
        "from-memory", KIRSCHBAUM, verification=NOT_VERIFIED),
    Experiment(
        "HPA-16.rise_percent", "HPA-16", "cortisol rise to the TSST over baseline",
        "as HPA-16.peak_time; serum total cortisol in the model against salivary values in the source",
        {"tsst": TYPICAL_TSST}, cortisol_rise_percent, "percent",
        Target(120.0, 60.0, 240.0, "rise 6-12 nmol/L over a 5-10 nmol/L baseline (from memory): 60-240 %, middle "
               "9 / 7.5 = 120 %; salivary free cortisol rises proportionally more than serum total cortisol"),
        "from-memory", KIRSCHBAUM, verification=NOT_VERIFIED),
    Experiment(
        "HPA-17.peak_time", "HPA-17", "time of the plasma ACTH peak after TSST onset",
        "healthy young men, 15-min TSST (model: typical healthy adult, TSST at 14:00)",
        {"tsst": TYPICAL_TSST}, acth_peak_time, "min",
        Target(12.5, 10.0, 15.0, "at or just after the end of the TSST, ~10-15 min after onset (from memory)"),
        "from-memory", KIRSCHBAUM, verification=NOT_VERIFIED),
    Experiment(
        "HPA-17.lag_to_cortisol", "HPA-17", "delay from the ACTH peak to the cortisol peak",
        "as HPA-17.peak_time",
        {"tsst": TYPICAL_TSST}, acth_to_cortisol_lag, "min",
        Target(12.5, 10.0, 15.0, "ACTH peaks ~10-15 min before cortisol (from memory)"),
        "from-memory", KIRSCHBAUM, verification=NOT_VERIFIED),
    Experiment(
        "HPA-17.peak_ratio", "HPA-17", "ACTH peak over its pre-TSST value",
        "as HPA-17.peak_time",
        {"tsst": TYPICAL_TSST}, acth_peak_ratio, "dimensionless",
        Target(2.75, 1.6, 4.7, "peak ~40-70 over baseline ~15-25 pg/mL (from memory): ratios 1.6-4.7, middle 55 / 20"),
        "from-memory", KIRSCHBAUM, verification=NOT_VERIFIED),
    Experiment(
        "HPA-17.baseline", "HPA-17", "plasma ACTH before the TSST",
        "as HPA-17.peak_time; value at TSST onset (14:00)",
        {"tsst": TYPICAL_TSST}, acth_at_onset, "pg/mL",
        Target(20.0, 15.0, 25.0, "baseline ~15-25 pg/mL (from memory)"),
        "from-memory", KIRSCHBAUM, verification=NOT_VERIFIED),
)

NOT_RUNNABLE = (
    NotRunnable("HPA-02", "overall effect over all laboratory tasks (g = -0.151)", "pools tasks of mixed intensity; "
                "the model's only laboratory stressor is the TSST, which belongs to the strong-stimulation subgroup "
                "(run as HPA-02.strong_stressor_g)"),
    NotRunnable("HPA-02", "larger effect in clinical populations", "the excerpt truncates the effect size"),
    NotRunnable("HPA-09", "ACTH and cortisol by sex, menstrual-cycle phase and oral contraceptives",
                "the model has no menstrual cycle, sex-steroid or oral-contraceptive (CBG) mechanism; only the sex "
                "ranking of HPA-08 is run"),
    NotRunnable("HPA-10", "d ~0.9 for social-evaluative uncontrollable tasks", "same quantity as HPA-07 (d = 0.93, "
                "seen in source), which is run"),
    NotRunnable("HPA-11", "cortisol awakening response", "the model has no sleep-wake transition; the circadian drive "
                "is a smooth exogenous cosine (Hosseinichimeh et al. 2015), so a waking-triggered 50 % rise within "
                "30 min cannot arise"),
    NotRunnable("HPA-12", "salivary morning and evening ranges", "the model has serum total cortisol, no salivary "
                "(free) cortisol"),
    NotRunnable("HPA-13", "plasma half-life 60-120 min; free-cortisol half-life; CSRmax",
                "no regimen gives cortisol or blocks its secretion, so its elimination cannot be isolated in a "
                "simulation (the half-life is the parameter cortisol_half_life, fitted in hpa_kinetics); the model's "
                "binding to CBG is an equilibrium (no free-cortisol kinetics), and it has no maximal secretion rate"),
    NotRunnable("HPA-14", "ACTH half-life; ovine CRF kinetics; ACTH peaks after a CRF injection",
                "no regimen gives ACTH or CRF; the ACTH half-life is the parameter acth_half_life"),
    NotRunnable("HPA-16", "absolute salivary cortisol (baseline 5-10, peak 12-20 nmol/L)", "the model has serum "
                "total cortisol, not salivary free cortisol; the relative rise is run (HPA-16.rise_percent)"),
)
