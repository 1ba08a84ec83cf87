"""Neural experiments: amygdala and prefrontal responses to oxytocin (CD-01, CD-03, CD-05, CL-06, FE-01).

fMRI findings contrast a task with its control condition, so the amygdala response here is the
task-evoked response (the run with the task minus the same run without it,
:func:`oxysim.validation.measures.evoked`) and the oxytocin effect is placebo minus oxytocin
(positive = attenuation). Fear-inducing pictures and emotional faces are the regimen's ``faces`` task
(threat cue in a social context); experiments run on day 1 so that the HPA axis has settled into its
daily rhythm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pint
import xarray as xr

from oxysim.regimen import IU_TO_UG
from oxysim.validation.experiment import Arm, Experiment, NotRunnable, Target
from oxysim.validation.measures import clock, covariate_factors, evoked, quantity, values, window_mean

DOSE_H = clock("09:00")
SPENGLER_DOSES_IU = (12.0, 24.0, 48.0)
SPENGLER_WINDOWS_MIN = (15.0, 45.0, 75.0)
"""Task onsets after the dose in Spengler et al. 2017 (15-40, 45-70, 75-100 min; from memory)."""
SPENGLER_TASK_MIN = 25.0

SPENGLER = ("Spengler FB et al. (2017) Kinetic and dose dependency of intranasal oxytocin effects on amygdala "
            "reactivity. Biol Psychiatry 82:885-894")
SPENGLER_CHECK = ("Not verified this session: searches found Lieberz et al. 2020 (women; 6/12/24 IU; 'compared with "
                  "our previous findings from men') and its registry entry, but not the men's time windows or the "
                  "12/48 IU comparison; the 24 IU optimum was seen in a secondary source only.")
KIRSCH = ("Kirsch P et al. (2005) Oxytocin modulates neural circuitry for social cognition and fear in humans. "
          "J Neurosci 25:11489-11493")
KIRSCH_CHECK = ("Verified this session (abstract, PMC6725903): 15 healthy men, double-blind crossover, intranasal "
                "oxytocin 'potently reduced activation of the amygdala' to fear-inducing visual stimuli and its "
                "coupling to brainstem. The dose (27 IU) is not in the abstract: still from memory.")
PALOYELIS = ("Paloyelis Y et al. (2016) A spatiotemporal profile of in vivo cerebral blood flow changes following "
             "intranasal oxytocin in humans. Biol Psychiatry 79:693-705")
PALOYELIS_CHECK = ("Verified this session (UCL Discovery abstract): 32 healthy men, 40 IU, resting rCBF from 15 min "
                   "before to 78 min after dosing; a citing paper states effects 'up to at least 80 min'. The onset "
                   "window (39-51 min) was not found: still from memory (not used here).")
KOU = ("Kou J et al. (2022) A randomized trial shows dose-frequency and genotype may determine the therapeutic "
       "efficacy of intranasal oxytocin. Psychol Med 52:1959-1968")
ECKSTEIN = ("Eckstein M et al. (2015) Oxytocin facilitates the extinction of conditioned fear in humans. "
            "Biol Psychiatry 78:194-202")
DIRECTION = "direction only (the abstract gives no effect size); scale 10 % beyond the bound"
REST = " rest"
"""Suffix of the arm that repeats an arm's doses without its task (the task's control condition)."""


def _clock_text(hour: float) -> str:
    minutes = round(60 * hour)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _with_rest(name: str, doses: str, task_h: float, duration_min: float, **kw: Any) -> dict[str, Arm]:
    """An arm with ``doses`` and a faces task on day ``task_h // 24``, and the same arm without the task."""
    day = int(task_h // 24)
    task = f"faces x 1 @{_clock_text(task_h)} day {day} for {duration_min:g} min"
    window = (task_h - 0.25, task_h + duration_min / 60.0 + 0.25)
    return {name: Arm("healthy", f"{doses}; {task}", day + 0.5, window_h=window, **kw),
            name + REST: Arm("healthy", doses, day + 0.5, window_h=window, **kw)}


def _attenuation(runs: Mapping[str, xr.Dataset], ot: str, placebo: str, onset_h: float, duration_min: float) -> float:
    """Placebo minus oxytocin task-evoked amygdala response of the typical patient (positive = attenuation)."""
    def response(name: str) -> float:
        return float(evoked(runs[name], runs[name + REST], "amygdala", onset_h, duration_min)[0])

    return response(placebo) - response(ot)


def optimal_dose(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """The dose (of 12, 24, 48 IU) with the largest amygdala attenuation 45-70 min after dosing, in ug."""
    onset = DOSE_H + 0.75
    effects = [_attenuation(runs, f"{dose:g} IU", "placebo", onset, SPENGLER_TASK_MIN) for dose in SPENGLER_DOSES_IU]
    return quantity(SPENGLER_DOSES_IU[int(np.argmax(effects))] * IU_TO_UG, "ug")


def best_window(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Middle of the task window (minutes after 24 IU) with the largest amygdala attenuation."""
    effects = [_attenuation(runs, f"ot {m:g}", f"placebo {m:g}", DOSE_H + m / 60.0, SPENGLER_TASK_MIN)
               for m in SPENGLER_WINDOWS_MIN]
    return quantity(SPENGLER_WINDOWS_MIN[int(np.argmax(effects))] + SPENGLER_TASK_MIN / 2, "min")


KIRSCH_ONSET_MIN, KIRSCH_TASK_MIN = 45.0, 15.0


def amygdala_change_percent(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Change of the task-evoked amygdala response to fear-inducing pictures, oxytocin vs placebo, in %."""
    onset = DOSE_H + KIRSCH_ONSET_MIN / 60.0
    placebo = evoked(runs["placebo"], runs["placebo" + REST], "amygdala", onset, KIRSCH_TASK_MIN)[0]
    return quantity(-100.0 * _attenuation(runs, "oxytocin", "placebo", onset, KIRSCH_TASK_MIN) / placebo, "percent")


PALOYELIS_END_MIN = 78.0


def resting_effect_at_78(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Resting amygdala change (placebo - oxytocin) at 78 min as a fraction of its largest value before."""
    stop = DOSE_H + PALOYELIS_END_MIN / 60.0
    _, ot = values(runs["oxytocin"], "amygdala", DOSE_H, stop)
    _, placebo = values(runs["placebo"], "amygdala", DOSE_H, stop)
    change = placebo[0] - ot[0]
    return quantity(change[-1] / change[np.argmax(np.abs(change))], "dimensionless")


KOU_DAY = 5
KOU_TASK_MIN = 10.0
"""Faces task 45 min after the morning dose, 10 min long (the regimen's faces task; duration assumed)."""


def _kou_effect(runs: Mapping[str, xr.Dataset], ot: str, placebo: str, day: int) -> float:
    return _attenuation(runs, ot, placebo, clock("08:45", day), KOU_TASK_MIN)


def daily_to_single(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Amygdala attenuation after the 5th of 5 daily doses as a fraction of the single-dose attenuation."""
    return quantity(_kou_effect(runs, "daily", "placebo", KOU_DAY) / _kou_effect(runs, "single", "single placebo", 1),
                    "dimensionless")


def alternate_to_single(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Amygdala attenuation on day 5 of alternate-day dosing as a fraction of the single-dose attenuation."""
    return quantity(_kou_effect(runs, "alternate", "placebo", KOU_DAY)
                    / _kou_effect(runs, "single", "single placebo", 1), "dimensionless")


def genotype_ratio(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Single-dose amygdala attenuation in an rs53576 GG man as a fraction of that in an AA man."""
    return quantity(_kou_effect(runs, "single GG", "single placebo GG", 1)
                    / _kou_effect(runs, "single", "single placebo", 1), "dimensionless")


GG = covariate_factors("oxtr_rs53576", "GG")
SINGLE_ARMS = {
    **_with_rest("single", "oxytocin 24 IU in x 1 @08:00 day 1", clock("08:45"), KOU_TASK_MIN),
    **_with_rest("single placebo", "placebo in x 1 @08:00 day 1", clock("08:45"), KOU_TASK_MIN),
}
KOU_ARMS = {
    **SINGLE_ARMS,
    **_with_rest("daily", "oxytocin 24 IU in q24h x 5 @08:00 day 1", clock("08:45", KOU_DAY), KOU_TASK_MIN),
    **_with_rest("alternate", "oxytocin 24 IU in q48h x 3 @08:00 day 1; placebo in q48h x 2 @08:00 day 2",
                 clock("08:45", KOU_DAY), KOU_TASK_MIN),
    **_with_rest("placebo", "placebo in q24h x 5 @08:00 day 1", clock("08:45", KOU_DAY), KOU_TASK_MIN),
}
KOU_GENOTYPE_ARMS = {
    **SINGLE_ARMS,
    **_with_rest("single GG", "oxytocin 24 IU in x 1 @08:00 day 1", clock("08:45"), KOU_TASK_MIN, factors=GG),
    **_with_rest("single placebo GG", "placebo in x 1 @08:00 day 1", clock("08:45"), KOU_TASK_MIN, factors=GG),
}

EXTINCTION_H = clock("10:00")
EXTINCTION_MIN = 20.0
PHASE_H = 5.0 / 60.0
"""Early and late extinction: the first and the last 5 min of the 20-min extinction block (assumption)."""


def _eckstein_arm(agent: str) -> Arm:
    regimen = (f"conditioning x 1 @09:00 day 1; {agent} x 1 @09:15 day 1; "
               f"faces x 1 @10:00 day 1 for {EXTINCTION_MIN:g} min")
    return Arm("healthy", regimen, 1.5, window_h=(clock("08:45"), EXTINCTION_H + 0.5))


ECKSTEIN_ARMS = {"oxytocin": _eckstein_arm("oxytocin 24 IU in"), "placebo": _eckstein_arm("placebo in")}
LATE_H = EXTINCTION_H + EXTINCTION_MIN / 60.0 - PHASE_H


def _phase_mean(ds: xr.Dataset, variable: str, start_h: float) -> float:
    return float(window_mean(ds, variable, start_h, start_h + PHASE_H)[0])


def early_fear_ratio(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Expressed fear (the model's SCR) in early extinction, oxytocin over placebo."""
    return quantity(_phase_mean(runs["oxytocin"], "fear_expression", EXTINCTION_H)
                    / _phase_mean(runs["placebo"], "fear_expression", EXTINCTION_H), "dimensionless")


def decline_ratio(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Decline of expressed fear from early to late extinction, oxytocin over placebo."""
    def decline(ds: xr.Dataset) -> float:
        return _phase_mean(ds, "fear_expression", EXTINCTION_H) - _phase_mean(ds, "fear_expression", LATE_H)

    return quantity(decline(runs["oxytocin"]) / decline(runs["placebo"]), "dimensionless")


def _relative_change(runs: Mapping[str, xr.Dataset], variable: str, start_h: float, stop_h: float) -> pint.Quantity:
    ot = window_mean(runs["oxytocin"], variable, start_h, stop_h)[0]
    placebo = window_mean(runs["placebo"], variable, start_h, stop_h)[0]
    return quantity(100.0 * (ot - placebo) / placebo, "percent")


def extinction_amygdala_change(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Mean amygdala activity over the whole extinction block, oxytocin vs placebo, in %."""
    return _relative_change(runs, "amygdala", EXTINCTION_H, EXTINCTION_H + EXTINCTION_MIN / 60.0)


def early_vmpfc_change(runs: Mapping[str, xr.Dataset]) -> pint.Quantity:
    """Mean vmPFC activity in early extinction, oxytocin vs placebo, in %."""
    return _relative_change(runs, "vmpfc", EXTINCTION_H, EXTINCTION_H + PHASE_H)


SPENGLER_TASK_H = DOSE_H + 0.75
DOSE_ARMS = {**_with_rest("placebo", "placebo in x 1 @09:00 day 1", SPENGLER_TASK_H, SPENGLER_TASK_MIN),
             **{key: arm for d in SPENGLER_DOSES_IU
                for key, arm in _with_rest(f"{d:g} IU", f"oxytocin {d:g} IU in x 1 @09:00 day 1", SPENGLER_TASK_H,
                                           SPENGLER_TASK_MIN).items()}}
WINDOW_ARMS = {key: arm for m in SPENGLER_WINDOWS_MIN
               for name, agent in (("ot", "oxytocin 24 IU in"), ("placebo", "placebo in"))
               for key, arm in _with_rest(f"{name} {m:g}", f"{agent} x 1 @09:00 day 1", DOSE_H + m / 60.0,
                                          SPENGLER_TASK_MIN).items()}
KIRSCH_ARMS = {**_with_rest("oxytocin", "oxytocin 27 IU in x 1 @09:00 day 1", DOSE_H + KIRSCH_ONSET_MIN / 60.0,
                            KIRSCH_TASK_MIN),
               **_with_rest("placebo", "placebo in x 1 @09:00 day 1", DOSE_H + KIRSCH_ONSET_MIN / 60.0,
                            KIRSCH_TASK_MIN)}
REST_ARMS = {name: Arm("healthy", f"{agent} x 1 @09:00 day 1", 1.5, window_h=(DOSE_H - 0.25, DOSE_H + 1.5))
             for name, agent in (("oxytocin", "oxytocin 40 IU in"), ("placebo", "placebo in"))}
OPTIMUM_UG = 24.0 * IU_TO_UG

EXPERIMENTS = (
    Experiment(
        "CD-01.optimal_dose", "CD-01", "dose with the largest amygdala attenuation to fearful faces",
        "healthy men (~116; model: typical healthy adult), 12, 24 or 48 IU intranasal or placebo at 09:00, "
        "emotional-faces fMRI 45-70 min after dosing",
        DOSE_ARMS, optimal_dose, "ug",
        Target(OPTIMUM_UG, OPTIMUM_UG / math.sqrt(2), OPTIMUM_UG * math.sqrt(2),
               "24 IU (40.3 ug) optimal among 12, 24, 48 IU: the optimum is resolved to half a doubling of dose"),
        "mixed", SPENGLER, hypothesis="dose_response", verification=SPENGLER_CHECK),
    Experiment(
        "CD-01.time_window", "CD-01", "task window with the largest amygdala attenuation after 24 IU",
        "healthy men, 24 IU intranasal or placebo at 09:00, faces task 15-40, 45-70 or 75-100 min after dosing",
        WINDOW_ARMS, best_window, "min",
        Target(57.5, 45.0, 70.0, "effective window 45-70 min, not 15-40 or 75-100 (from memory)"),
        "mixed", SPENGLER, verification=SPENGLER_CHECK),
    Experiment(
        "CD-03.amygdala_change", "CD-03", "change of the amygdala response to fear-inducing pictures after oxytocin",
        "healthy men (n = 15), 27 IU intranasal (dose from memory) or placebo, crossover; model: typical healthy "
        "adult, 15-min picture task 45 min after dosing (timing assumed)",
        KIRSCH_ARMS, amygdala_change_percent, "percent",
        Target(0.0, -100.0, 0.0, DIRECTION, scale=10.0),
        "mixed", KIRSCH, hypothesis="amygdala_single_dose", verification=KIRSCH_CHECK),
    Experiment(
        "CD-05.effect_at_78", "CD-05", "resting amygdala effect of 40 IU still present at 78 min",
        "healthy men (n = 32), 40 IU intranasal or placebo, resting measurements to 78 min after dosing; model: "
        "resting amygdala activity of a typical healthy adult (the model has no blood flow)",
        REST_ARMS, resting_effect_at_78, "dimensionless",
        Target(1.0, 0.5, 1.0, "effects observable up to at least ~80 min; 'observable' = at least half of the "
               "largest change (assumption)", scale=0.5),
        "mixed", PALOYELIS, verification=PALOYELIS_CHECK),
    Experiment(
        "CL-06.daily", "CL-06", "amygdala attenuation after 5 daily doses relative to a single dose",
        "healthy men (n = 150; model: typical healthy adult), 24 IU at 08:00 daily for 5 days vs placebo; faces "
        "task 45 min after the last dose; single dose: the same task after the first dose",
        KOU_ARMS, daily_to_single, "dimensionless",
        Target(0.0, -0.5, 0.5, "'effect abolished' (no effect size in the abstract): less than half the single-dose "
               "effect either way (assumption)"),
        "seen-in-source", KOU),
    Experiment(
        "CL-06.alternate", "CL-06", "amygdala attenuation on day 5 of alternate-day dosing relative to a single dose",
        "as CL-06.daily, with oxytocin on days 1, 3, 5 and placebo on days 2, 4",
        KOU_ARMS, alternate_to_single, "dimensionless",
        Target(1.0, 0.6, math.inf, "'effect maintained' (no effect size in the abstract): at least 60 % of the "
               "single-dose effect (assumption)"),
        "seen-in-source", KOU),
    Experiment(
        "CL-06.genotype", "CL-06", "single-dose amygdala attenuation in rs53576 GG relative to AA",
        "as CL-06.daily, single dose; GG men carry the trials' genotype effect on OXTR potency",
        KOU_GENOTYPE_ARMS, genotype_ratio, "dimensionless",
        Target(0.0, -0.5, 0.5, "'effects only in rs53576 AA homozygotes': less than half the AA effect (assumption)"),
        "seen-in-source", KOU),
    Experiment(
        "FE-01.early_fear", "FE-01", "expressed fear (SCR) to the CS+ in early extinction, oxytocin vs placebo",
        "healthy men (n = 62), fear conditioning at 09:00, 24 IU or placebo at 09:15, extinction (CS alone; model: "
        "a cue task without the US) at 10:00 for 20 min; early = first 5 min (assumption)",
        ECKSTEIN_ARMS, early_fear_ratio, "dimensionless",
        Target(1.0, 1.0, math.inf, "direction only: oxytocin increased early-extinction SCR (no effect size in the "
               "abstract); scale 0.2 beyond the bound", scale=0.2),
        "seen-in-source", ECKSTEIN),
    Experiment(
        "FE-01.decline", "FE-01", "decline of expressed fear from early to late extinction, oxytocin vs placebo",
        "as FE-01.early_fear; late = last 5 min of the block (assumption)",
        ECKSTEIN_ARMS, decline_ratio, "dimensionless",
        Target(1.0, 1.0, math.inf, "direction only: oxytocin enhanced the late-extinction decline of SCR; scale 0.2 "
               "beyond the bound", scale=0.2),
        "seen-in-source", ECKSTEIN),
    Experiment(
        "FE-01.amygdala", "FE-01", "amygdala activity during extinction, oxytocin vs placebo",
        "as FE-01.early_fear; whole extinction block",
        ECKSTEIN_ARMS, extinction_amygdala_change, "percent",
        Target(0.0, -100.0, 0.0, "direction only: unspecific amygdala inhibition in both phases; " + DIRECTION,
               scale=10.0),
        "seen-in-source", ECKSTEIN),
    Experiment(
        "FE-01.early_pfc", "FE-01", "prefrontal (vmPFC) activity in early extinction, oxytocin vs placebo",
        "as FE-01.early_fear; first 5 min of extinction",
        ECKSTEIN_ARMS, early_vmpfc_change, "percent",
        Target(0.0, 0.0, math.inf, "direction only: oxytocin increased PFC signals to the CS+ early in extinction; "
               + DIRECTION, scale=10.0),
        "seen-in-source", ECKSTEIN),
)

NOT_RUNNABLE = (
    NotRunnable("CD-03", "amygdala-brainstem coupling", "the model has no brainstem autonomic output region; "
                "noradrenergic drive is an input, not a coupled region"),
    NotRunnable("CD-05", "regional cerebral blood flow and its onset window (39-51 min)", "the model has activity, "
                "not blood flow; the onset window is from memory and unverified"),
    NotRunnable("CL-06", "amygdala-prefrontal resting functional connectivity unaffected by frequency or genotype",
                "the model's vmPFC-amygdala coupling is an effective weight, not a BOLD correlation"),
)
