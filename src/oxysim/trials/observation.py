"""Rater (residual) error: a trial's visit scores are the model's scores observed with measurement error.

A rating differs from the patient's true severity by the rater's error: additive normal noise with the
scale's standard error of measurement, SEM = SD x sqrt(1 - reliability), the usual classical-test-theory
form. The noise of patient k at a visit at minute m of the study comes from its own random stream
(seed, k, :data:`RATER_STREAM`, m), which draws one value per scale of :data:`RATER_ERRORS` in a fixed order.
So a patient's rating at a given time does not depend on the shard, the batch, the secondary scales a spec
asks for, or which other visits the schedule has. Observed scores are clipped to the scale's range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oxysim.trials.covariates import patient_stream


@dataclass(frozen=True)
class RaterError:
    """Additive normal rater error of one scale: SD in scale points, the scale's range and the basis."""

    scale: str
    sd: float
    low: float
    high: float
    basis: str


RATER_ERRORS: dict[str, RaterError] = {e.scale: e for e in (
    RaterError("lsas", 10.0, 0.0, 144.0,
               "assumption: SEM = 25.6 x sqrt(1 - 0.85); LSAS SD 25.6 in a CBT sample without an entry threshold "
               "(BMC Psychiatry 2007 7:69, Table 2, seen) and a reliability over a trial's weeks of ~0.85, near "
               "the 12-week test-retest 0.83 of the self-report LSAS (Baker 2002) and below its internal "
               "consistency ~0.95 (Heimberg 1999; both from memory). Range 0-144: 24 items x (fear 0-3 + avoidance 0-3)"),
    RaterError("ham_a", 2.6, 0.0, 56.0,
               "assumption: SEM = 7 x sqrt(1 - 0.86); test-retest ICC ~0.86 of the HAM-A (Shear 2001 SIGH-A "
               "study: 'high inter-rater and test-retest reliability' seen in the abstract, the ICC from memory) "
               "and an SD of ~7 in a mixed anxiety sample (assumption). Range 0-56: 14 items x 0-4"),
    RaterError("pdss", 1.9, 0.0, 28.0,
               "SEM = 4.79 x sqrt(1 - 0.84): SD 4.79 of 95 outpatients at the start of a group CBT program (Noda et "
               "al. 2007, BMC Psychiatry 7:70, Table 1, seen; pooled over its four groups). Reliability 0.84 "
               "(assumption) lies between the PDSS inter-rater ICC 0.87-0.88 (Shear et al. 1997, Am J Psychiatry "
               "154:1571, as quoted by secondary summaries; the abstract says 'excellent interrater reliability') and "
               "the 4-week test-retest 0.63 of the Turkish version (Monkul et al. 2004, Depress Anxiety 20:8, abstract "
               "seen). Range 0-28: 7 items x 0-4"),
    RaterError("stai", 3.2, 20.0, 80.0,
               "assumption: SEM = 10 x sqrt(1 - 0.90); STAI-S internal consistency ~0.90 and SD ~10 (Spielberger "
               "1983 manual, from memory). Range 20-80: 20 items x 1-4"),
    RaterError("fsq", 6.4, 0.0, 126.0,
               "SEM = 20.3 x sqrt(1 - 0.90): SD 20.3 pooled over three spider-phobic samples (19.60-20.78; van Uijen "
               "2018 thesis ch. 7, seen) and the one-month stability of Szymanski & O'Donohue 1995 (abstract seen: "
               "'stable over a one month period'), quantified as test-retest r = .90 in the Turkish adaptation "
               "(Cogent Psychology 2016 3:1144250, abstract seen). Range 0-126: 18 items x 0-7 (van Uijen 2018, seen)"),
)}

RATER_STREAM = 3
"""Third word of a patient's rater-error streams (seed, index, 3, minute); 1 is the covariate and 2 the dropout
stream."""


def visit_minutes(hours: Sequence[float]) -> np.ndarray:
    """Visit times as whole minutes from the study start: the key of a visit's own random stream."""
    return np.rint(np.asarray(hours, dtype=float) * 60.0).astype(np.int64)


def rater_noise(seed: int, patients: Sequence[int], visit_hours: Sequence[float], scales: Sequence[str]) -> np.ndarray:
    """Rater errors of shape (patients, visits, scales), in scale points, from each patient's stream per visit."""
    columns = [list(RATER_ERRORS).index(scale) for scale in scales]
    sd = np.array([RATER_ERRORS[scale].sd for scale in scales])
    minutes = visit_minutes(visit_hours)
    draws = np.array([[patient_stream(seed, index, RATER_STREAM, minute).standard_normal(len(RATER_ERRORS))
                       for minute in minutes] for index in patients]).reshape(-1, len(minutes), len(RATER_ERRORS))
    return draws[:, :, columns] * sd


def observe(scores: np.ndarray, scales: Sequence[str], seed: int, patients: Sequence[int],
            visit_hours: Sequence[float]) -> np.ndarray:
    """Observed visit scores: true ``scores`` (patients, visits, scales) at ``visit_hours`` plus rater error,
    clipped to each range."""
    if len(visit_hours) != scores.shape[1]:
        raise ValueError(f"{len(visit_hours)} visit hours for {scores.shape[1]} visits in the scores")
    low = np.array([RATER_ERRORS[scale].low for scale in scales])
    high = np.array([RATER_ERRORS[scale].high for scale in scales])
    return np.clip(scores + rater_noise(seed, patients, visit_hours, scales), low, high)
