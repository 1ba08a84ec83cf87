"""The estimation problems oxysim's defaults come from: which parameters each set of findings constrains.

``hpa_kinetics``: the CRH, ACTH and cortisol half-lives of the HPA loop (Milo et al. 2025's structure)
from the time course of the TSST response (HPA-10, HPA-16, HPA-17) and the circadian levels (HPA-12,
HPA-13, HPA-14), with the published ACTH (HPA-14) and plasma cortisol (HPA-13) half-life ranges as
log-normal priors. Steady states of the loop do not
depend on the half-lives, so the fit moves timing and the daily amplitude, not mean cortisol or the clinical
calibration that rests on it. The stressor gain is held at its value from ``stress_response``.

``stress_response``: the log-gain of the hypothalamic drive during a laboratory stressor, from the size of the
TSST response: the salivary cortisol reactivity between people (HPA-07), the cortisol rise and its return
(HPA-10, HPA-16) and the ACTH peak (HPA-17). It was set by hand (2.0) for a 50-100 % rise before the half-lives
were fitted; it acts only through the stressor input, which no treatment regimen switches, so the clinical
calibrations do not rest on it. Fitted before ``hpa_kinetics`` is refitted at its value (block-coordinate: the
half-lives set the timing, the gain the size; a joint fit would need the PEtab layout's rest condition, which
switches the stressor off through this gain, to be built another way).

``oxytocin_pk``: systemic disposition (IV half-life and clearance, with PK-04's published values as priors)
and the nasal depot half-life, from the plasma and CSF time courses after 24-26 IU intranasal (PK-01 Striepens
2013, PK-02 Gossen 2012) and a 10 IU IV bolus (PK-04). The nose-to-brain transit time is not fitted here: a first
fit that included it left it unidentifiable (flat profile over 5-120 min), since one CSF finding (PK-01:
raised by 75 min, not at 15) only bounds it; ``amygdala_exposure`` fits it with the central potency and CSF
half-life. The intranasal fractions are left alone: they set exposure levels, which the findings
give only for old assays (PK-03), and the central potency (oxtr_ec50) rests on them. The optimum is stored but
not adopted: it moves CD-01's amygdala dose optimum (the record gives the reason).

``circadian_drive``: the amplitude and phase of the circadian input of the HPA loop (both assumptions before)
from the serum cortisol reference range at 08:00 and 23:00 (HPA-12), the late-afternoon cortisol and ACTH (HPA-12,
HPA-14), free cortisol at 09:00 and 16:00 (a 1980 Clin Chim Acta abstract, under HPA-12), the daily mean (HPA-13)
and the ACTH before an afternoon TSST (HPA-17). The amplitude's upper bound 0.95 keeps the drive positive. A 12-h
harmonic (a faster rise than fall) was tried as a third parameter and left out: the fit put it at its lower bound
with a flat profile (docs/provenance.md).

``receptor_tolerance``: the OXTR internalisation rate and the two recovery steps (processing, recycling) from
CL-06 (Kou 2022): daily 24 IU abolishes the amygdala effect within 5 days, alternate-day dosing keeps it. Two
findings for three parameters: the profiles show which combinations the data leave free.

``amygdala_exposure``: the central potency of oxytocin and its time course in the brain (the nose-to-brain
transit time and the CSF half-life) from the amygdala dose optimum and task window (CD-01), the resting effect
still present at 78 min (CD-05) and the slow CSF rise (PK-01), keeping the claims that rest on central exposure
(K1, K2, K3, K4, K9 and E4's chronic part; :mod:`oxysim.fitting.claim_constraints`). An unconstrained fit of the
same three parameters reached CD-05 but reversed four of these claims (docs/provenance.md).
"""

from __future__ import annotations

from oxysim.errors import InputError
from oxysim.fitting.petab_export import PetabLayout, PetabPoint
from oxysim.fitting.problem import FitParameter, FitProblem
from oxysim.validation.hpa import ONSET_H, TSST
from oxysim.validation.measures import clock

STRESSOR_GAINS = ("stress_drive_gain", "noradrenaline_stress_gain", "ot_stress_release")
"""Every parameter through which the stressor input acts: at 0 a stress task has no effect at all."""

HPA13 = ("HPA-13 (findings.yaml): plasma cortisol half-life ~60-120 min (textbook; hydrocortisone ~90 min), "
         "read as a 95 % range")
HPA14 = ("HPA-14 (findings.yaml): ACTH half-life ~10 min (3-8 in another summary), read as a 95 % range of "
         "3-15 min")

HPA12_CLOCK_TIMES = ("HPA-12.morning", "HPA-12.late_evening", "HPA-12.late_afternoon")
"""HPA-12's serum total cortisol of a typical adult at clock times."""
HPA12_TOTAL = (*HPA12_CLOCK_TIMES, "HPA-12.late_afternoon_cv")
"""HPA-12's serum total-cortisol experiments: the ones hpa_kinetics was fitted to (its free-cortisol ones, added
later, bear on the circadian input and belong to circadian_drive)."""

PK04_HALF_LIFE = ("PK-04 (findings.yaml): IV single-injection half-lives median 3.2 min, range 2.0-5.7, read as a "
                  "95 % range")
PK04_CLEARANCE = "PK-04 (findings.yaml): clearance 1.5 L/min; +/-30 % (1.05-1.95) read as a 95 % range (assumption)"

PROBLEMS: dict[str, FitProblem] = {
    "hpa_kinetics": FitProblem(
        name="hpa_kinetics",
        description="CRH, ACTH and cortisol half-lives from the TSST time course and the circadian levels",
        parameters=(
            FitParameter("crh_half_life", 1.0, 30.0),
            FitParameter("acth_half_life", 2.0, 60.0, prior=(3.0, 15.0), prior_source=HPA14),
            FitParameter("cortisol_half_life", 15.0, 240.0, prior=(60.0, 120.0), prior_source=HPA13),
        ),
        experiments=("HPA-10", *HPA12_TOTAL, "HPA-13", "HPA-14", "HPA-16", "HPA-17"),
    ),
    "stress_response": FitProblem(
        name="stress_response",
        description="Log-gain of the hypothalamic drive during a TSST from the size of the cortisol and ACTH "
                    "responses",
        parameters=(FitParameter("stress_drive_gain", 0.5, 4.0),),
        experiments=("HPA-07", "HPA-10", "HPA-16", "HPA-17"),
    ),
    "oxytocin_pk": FitProblem(
        name="oxytocin_pk",
        description="Oxytocin disposition (IV half-life, clearance) and the nasal depot half-life from plasma "
                    "and CSF time courses after intranasal and IV doses",
        parameters=(
            FitParameter("ot_iv_half_life", 1.0, 15.0, prior=(2.0, 5.7), prior_source=PK04_HALF_LIFE),
            FitParameter("ot_clearance", 0.3, 6.0, prior=(1.05, 1.95), prior_source=PK04_CLEARANCE),
            FitParameter("ot_nasal_half_life", 5.0, 120.0),
        ),
        experiments=("PK-01", "PK-02", "PK-04"),
    ),
    "amygdala_exposure": FitProblem(
        name="amygdala_exposure",
        description="Central oxytocin potency, nose-to-brain transit time and CSF half-life from the amygdala "
                    "dose optimum, task window and resting time course, keeping the claims on central exposure",
        parameters=(
            FitParameter("oxtr_ec50", 0.0005, 0.01),
            FitParameter("ot_transit_time", 5.0, 120.0),
            FitParameter("ot_csf_half_life", 5.0, 120.0),
        ),
        experiments=("CD-01", "CD-05", "PK-01.csf_half_rise"),
        constraints=("effect_window", "inverted_u", "alternate_day_dosing", "chronic_hpa_load",
                     "gad_symptoms_improve", "ssri_augmentation"),
    ),
    "circadian_drive": FitProblem(
        name="circadian_drive",
        description="Amplitude and phase of the circadian hypothalamic drive from serum total and free cortisol "
                    "and plasma ACTH at clock times of a rest day",
        parameters=(
            FitParameter("circadian_amplitude", 0.2, 0.95),
            FitParameter("circadian_peak_time", 3.0, 12.0),
        ),
        experiments=(*HPA12_CLOCK_TIMES, "HPA-12.free_morning", "HPA-12.free_afternoon", "HPA-13.daily_mean",
                     "HPA-14", "HPA-17.baseline"),
    ),
    "receptor_tolerance": FitProblem(
        name="receptor_tolerance",
        description="OXTR internalisation rate and recovery times from the loss of the amygdala effect under "
                    "daily and alternate-day dosing",
        parameters=(
            FitParameter("oxtr_internalisation_rate", 0.5, 100.0),
            FitParameter("oxtr_processing_time", 1.0, 96.0),
            FitParameter("oxtr_recycling_time", 1.0, 96.0),
        ),
        experiments=("CL-06.daily", "CL-06.alternate"),
    ),
}


PETAB_LAYOUTS: dict[str, PetabLayout] = {
    "hpa_kinetics": PetabLayout(
        subtype="healthy", regimen=TSST, days=2.0,
        conditions={"tsst": {}, "rest": dict.fromkeys(STRESSOR_GAINS, 0.0)},
        points=(PetabPoint("HPA-12.morning", "rest", "cortisol_nmol", clock("08:00")),
                PetabPoint("HPA-12.late_afternoon", "rest", "cortisol_nmol", clock("17:00")),
                PetabPoint("HPA-14.basal_acth", "rest", "acth_pg", clock("17:00")),
                PetabPoint("HPA-17.baseline", "tsst", "acth_pg", ONSET_H)),
    ),
}
"""How each problem maps onto PEtab v1 (:mod:`oxysim.fitting.petab_export`)."""


def get_problem(name: str) -> FitProblem:
    """The named problem; an unknown name lists the known ones."""
    try:
        return PROBLEMS[name]
    except KeyError:
        raise InputError(f"unknown fit problem {name!r}; known: {', '.join(PROBLEMS)}") from None
