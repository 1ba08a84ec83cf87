"""Inter-individual variability: log-normal parameter draws from per-patient random streams.

Each patient's draws come from a generator seeded with (seed, patient index), so a patient is the
same whatever the batch size, shard or worker count (ARCHITECTURE principle 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


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
    Variability("hpa_drive", 0.2, "assumption: HPA-07 cortisol reactivity differs widely between people"),
    Variability("amygdala_bias", 0.03, "assumption: ~0.1 units of tonic amygdala input between patients"),
)


def patient_generator(seed: int, patient_index: int) -> np.random.Generator:
    """The random stream of one patient: a function of (seed, index) only."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(patient_index)]))


def draw_parameters(
    base: Mapping[str, float | np.ndarray],
    patients: Sequence[int],
    seed: int,
    *,
    variability: tuple[Variability, ...] = DEFAULT_VARIABILITY,
) -> dict[str, np.ndarray]:
    """Parameter arrays of shape ``(len(patients),)``: ``base`` times log-normal factors with median 1.

    ``patients`` are the patients' indices; each row draws from the stream (seed, index). ``base``
    values may be scalars or per-patient arrays (covariate effects applied before the draws).
    """
    n_patients = len(patients)
    draws = np.empty((n_patients, len(variability)))
    for row, index in enumerate(patients):
        draws[row] = patient_generator(seed, int(index)).standard_normal(len(variability))
    params = {name: np.broadcast_to(np.asarray(value, dtype=float), (n_patients,)).copy() for name, value in base.items()}
    for column, v in enumerate(variability):
        omega = np.sqrt(np.log1p(v.cv**2))
        params[v.parameter] = params[v.parameter] * np.exp(omega * draws[:, column])
    return params
