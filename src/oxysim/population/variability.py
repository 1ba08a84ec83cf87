"""Inter-individual variability: log-normal parameter draws from per-patient random streams.

Each patient's draws come from a generator seeded with (seed, patient index), so a patient is the
same whatever the batch size, shard or worker count (ARCHITECTURE principle 4). Random effects are
eta = omega x (L z): independent standard normals z, and L the Cholesky factor of their correlation
matrix, as NONMEM's OMEGA BLOCK and mrgsolve's ``omat`` state them (identity by default: no
correlation between this model's random effects is sourced).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from oxysim.errors import InputError


@dataclass(frozen=True)
class Variability:
    """Log-normal between-patient variability of one parameter (coefficient of variation)."""

    parameter: str
    cv: float
    source: str


DEFAULT_VARIABILITY = (
    Variability("ot_fraction_systemic", 0.5, "assumption: intranasal delivery varies widely between people and devices (PK-02: 1 of 8 non-responder)"),
    Variability("ot_fraction_brain", 0.5, "assumption: independent of the systemic fraction, so plasma and CSF are uncoupled (PK-01, r < 0.10)"),
    Variability("ot_nasal_half_life", 0.3, "assumption: PK-02 individual elevations up to 150 min"),
    Variability("oxtr_ec50", 0.3, "assumption: OXTR expression differs between people (ID-03 genotype moderation)"),
    Variability("ssri_clearance", 0.38, "Akil et al. 2016: between-subject variability of CL/F 38 % CV"),
    Variability("bzd_clearance", 0.3, "assumption: CYP3A4 activity varies ~30 % (Greenblatt & Wright 1993, from memory)"),
    Variability("hpa_drive", 0.36, "HPA-12: late-afternoon serum cortisol 5.0 +/- 1.8 ug/dL between healthy men "
                "(Schulte 1982, seen), CV 0.36; resting cortisol follows the drive almost one to one (the GR term is "
                "nearly flat near x = 1), so the drive carries that CV (validation HPA-12.late_afternoon_cv). Was 0.2, "
                "an assumption"),
    Variability("amygdala_bias", 0.03, "assumption: ~0.1 units of tonic amygdala input between patients"),
    # Severity at baseline. Target: an observed baseline SD of ~15-20 LSAS points in SAD trials and ~4-6.5 HAM-A
    # points in GAD trials (rater error included; tests/test_calibration.py). serotonin_signalling and gaba_capacity
    # act through a logarithm, so their log-normal spread gives a symmetric severity spread and leaves the mean
    # severity at its typical value; vulnerability adds to severity, so its spread skews it upwards.
    Variability("vulnerability", 0.2, "assumption: traits, adversity and lifestyle (P12-P14) differ between "
                "patients; kept small because an additive log-normal term raises the mean baseline above CL-19 (the PD "
                "profile sets its own, calibrated to published PDSS spreads: oxysim.population.subtypes.PD_SPREAD)"),
    Variability("serotonin_signalling", 0.3, "assumption: postsynaptic 5-HT1A binding differs by ~20-30 % between "
                "people in PET studies (from memory); P1"),
    Variability("gaba_capacity", 0.135, "calibrated 2026-11-28 by scripts/calibrate_treatment.py: the CV that gives "
                "an observed baseline LSAS SD of 17.5 in the virtual SAD trial population (cortical GABA by MR "
                "spectroscopy differs by ~10-20 % between people, from memory; P3). Was 0.0967 before patients "
                "started on their periodic daily cycle with the fitted circadian drive (session 11), and 0.185 while "
                "hpa_drive's CV was 0.2"),
    # Treatment response. Target: change-score SD ~20-25 LSAS points at week 12; the model reaches ~17-21
    # (tests/test_calibration.py), as drug effects shrink with the amygdala activity they act on.
    Variability("placebo_strength", 1.0, "assumption: individual placebo responses range from almost none to "
                "near-remission (5-95 % of patients: ~7-69 % reduction of severity at the typical strength); "
                "Nicholas & Binneman (MODELS.md §10.1) found the maximal placebo response variable between trials"),
    Variability("extinction_rate", 0.5, "assumption: engagement in and learning from exposure differ widely between "
                "patients (fear-extinction learning rates vary several-fold, Paskewitz 2022 fits; from memory)"),
    Variability("autoreceptor_desensitisation", 0.5, "assumption: SSRI sensitivity differs between patients; the "
                "5-HT1A adaptation that carries the delayed SSRI benefit (Blier & de Montigny 1994) varies, e.g. with "
                "HTR1A genotype (from memory)"),
    Variability("bzd_ec50", 1.0, "assumption: benzodiazepine sensitivity differs between patients (GABA-A subunit "
                "expression, tolerance history); EC50s of PK/PD fits span several-fold ranges (from memory)"),
    # Stress reactivity, last so that adding it left every earlier draw of every patient unchanged.
    Variability("stress_drive_gain", 0.3, "assumption: TSST cortisol responses range from almost none to several-fold "
                "(HPA-16, from memory); 95 % of gains lie within 1.1-3.5, rises of ~30-300 % over the afternoon "
                "baseline. Without it every healthy adult responds alike (HPA-07 d 3.4, HPA-02 g -1.8 on 300 "
                "patients, hpa_drive CV 0.2); with it d 2.1 (HPA-07: 0.93) and g -0.42 (HPA-02: -0.43), and with "
                "hpa_drive's present CV 0.36 oxysim validate gives d 1.75 and g -0.51 on total cortisol, d 1.25 and g "
                "-0.46 on the free cortisol saliva reflects (CV 0.4: d 1.14; 0.45: d 1.06, before the 2026-11-28 "
                "refit); at the fitted gain 1.45 (stress_response.yaml) d 0.99 and g -0.69. A wider spread is not "
                "used: the drive grows exponentially with the gain and the model has no maximal secretion rate, so "
                "gains above ~4 give serum peaks above 1000 nmol/L (measured 2026-11-28)"),
)


def with_cvs(variability: Sequence[Variability], changes: Sequence[Variability]) -> tuple[Variability, ...]:
    """``variability`` with each change's CV and source in place of its parameter's, and parameters it lacks
    appended: a replaced CV keeps its draw column, so patients keep every other draw."""
    changed = {v.parameter: v for v in changes}
    known = {v.parameter for v in variability}
    return tuple(changed.get(v.parameter, v) for v in variability) + tuple(
        v for v in changes if v.parameter not in known)


@dataclass(frozen=True)
class Correlation:
    """Correlation of two parameters' log-normal random effects (an off-diagonal of the OMEGA block's
    correlation matrix), with its source."""

    first: str
    second: str
    rho: float
    source: str


DEFAULT_CORRELATIONS: tuple[Correlation, ...] = ()
"""None: shared/reference gives no correlation between the random effects above, so they are drawn
independently; a study spec adds sourced ones (``variability: correlations``)."""


def correlation_factor(variability: Sequence[Variability], correlations: Sequence[Correlation]) -> np.ndarray:
    """Lower Cholesky factor of the random effects' correlation matrix (the identity without correlations);
    a clear error for an unknown parameter, a repeated pair or a matrix that is not positive definite."""
    index = {v.parameter: i for i, v in enumerate(variability)}
    matrix = np.eye(len(variability))
    for c in correlations:
        pair = f"correlation {c.first} - {c.second}"
        missing = [name for name in (c.first, c.second) if name not in index]
        if missing:
            raise InputError(f"{pair}: {', '.join(missing)} has no between-patient variability; give it a CV first "
                             "(variability: cv) or choose among: " + ", ".join(index))
        i, j = index[c.first], index[c.second]
        if i == j or not -1 < c.rho < 1:
            raise InputError(f"{pair}: needs two different parameters and -1 < rho < 1; got rho = {c.rho}")
        if matrix[i, j] != 0:
            raise InputError(f"{pair}: the pair is given twice")
        matrix[i, j] = matrix[j, i] = c.rho
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise InputError("the correlations do not form a valid correlation matrix (it is not positive definite); "
                         "lower the largest |rho| or remove a pair that contradicts the others") from None


def patient_generator(seed: int, patient_index: int) -> np.random.Generator:
    """The random stream of one patient: a function of (seed, index) only."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(patient_index)]))


def draw_parameters(
    base: Mapping[str, float | np.ndarray],
    patients: Sequence[int],
    seed: int,
    *,
    variability: tuple[Variability, ...] = DEFAULT_VARIABILITY,
    correlations: tuple[Correlation, ...] = DEFAULT_CORRELATIONS,
) -> dict[str, np.ndarray]:
    """Parameter arrays of shape ``(len(patients),)``: ``base`` times log-normal factors with median 1.

    ``patients`` are the patients' indices; each row draws from the stream (seed, index). ``base``
    values may be scalars or per-patient arrays (covariate effects applied before the draws). Without
    ``correlations`` the draws are the independent ones (the same patients as before correlations existed).
    """
    n_patients = len(patients)
    draws = np.empty((n_patients, len(variability)))
    for row, index in enumerate(patients):
        draws[row] = patient_generator(seed, int(index)).standard_normal(len(variability))
    if correlations:
        draws = draws @ correlation_factor(variability, correlations).T
    params = {name: np.broadcast_to(np.asarray(value, dtype=float), (n_patients,)).copy() for name, value in base.items()}
    for column, v in enumerate(variability):
        omega = np.sqrt(np.log1p(v.cv**2))
        params[v.parameter] = params[v.parameter] * np.exp(omega * draws[:, column])
    return params
