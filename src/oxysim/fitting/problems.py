"""The estimation problems oxysim's defaults come from: which parameters each set of findings constrains.

``hpa_kinetics``: the CRH, ACTH and cortisol half-lives of the HPA loop (Milo et al. 2025's structure)
from the time course of the TSST response (HPA-10, HPA-16, HPA-17) and the circadian levels (HPA-12,
HPA-13, HPA-14), with the published ACTH (HPA-14) and plasma cortisol (HPA-13) half-life ranges as
log-normal priors. Steady states of the loop do not
depend on the half-lives, so the fit moves timing and the daily amplitude, not mean cortisol or the clinical
calibration that rests on it. The stressor gain is left alone: it also drives the clinical model, whose
calibration (scripts/calibrate_treatment.py) fixes it.
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

PROBLEMS: dict[str, FitProblem] = {
    "hpa_kinetics": FitProblem(
        name="hpa_kinetics",
        description="CRH, ACTH and cortisol half-lives from the TSST time course and the circadian levels",
        parameters=(
            FitParameter("crh_half_life", 1.0, 30.0),
            FitParameter("acth_half_life", 2.0, 60.0, prior=(3.0, 15.0), prior_source=HPA14),
            FitParameter("cortisol_half_life", 15.0, 240.0, prior=(60.0, 120.0), prior_source=HPA13),
        ),
        experiments=("HPA-10", "HPA-12", "HPA-13", "HPA-14", "HPA-16", "HPA-17"),
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
