"""Select a virtual population from plausible patients so that its baseline scores follow a target distribution.

The acceptance-rejection method of Allen, Rieger & Musante 2016 (CPT Pharmacometrics Syst Pharmacol 5:140,
"Efficient generation and selection of virtual populations in quantitative systems pharmacology models"):
plausible patients (every parameter set the model allows) have a baseline-score density f, estimated by a
Gaussian kernel density of a reference pool; a patient with score x is kept with probability
p(x) = min(1, g(x) / (k f(x))), g the target density. Kept patients then have density proportional to
min(g, k f), which is g wherever the plausible population reaches the target. The scaling k is the largest
ratio g / f over the central 98 % of the reference pool, so the most over-represented central score is always
kept (as large a virtual population as the target allows) and the sparse tails of f cannot inflate k.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import gaussian_kde, norm

from oxysim.errors import InputError

CENTRAL = (0.01, 0.99)
"""Quantiles of the reference scores between which the scaling factor k is taken."""


def acceptance_probabilities(reference: np.ndarray, scores: np.ndarray, target_mean: float,
                             target_sd: float) -> np.ndarray:
    """Probability that each of ``scores`` is kept, for a normal target (``target_mean``, ``target_sd``).

    ``reference`` are baseline scores of plausible patients drawn as the candidates are (at least 50, not all
    equal); their kernel density estimates the plausible density f.
    """
    reference = np.asarray(reference, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if reference.size < 50 or not np.all(np.isfinite(reference)) or np.ptp(reference) == 0:
        raise InputError(f"the reference pool needs at least 50 finite, not identical scores; got {reference.size}. "
                         "Raise virtual_population.reference_pool or lower inclusion.min_baseline.")
    if not target_sd > 0:
        raise InputError(f"virtual_population.baseline_sd must be > 0; got {target_sd!r}.")
    density = gaussian_kde(reference)
    low, high = np.quantile(reference, CENTRAL)
    central = reference[(reference >= low) & (reference <= high)]
    scale = np.max(norm.pdf(central, target_mean, target_sd) / density(central))
    if not scale > 0:
        raise InputError(f"no reference patient has a baseline near the target {target_mean:g} +- {target_sd:g} "
                         f"(reference scores {low:.3g} to {high:.3g}); the model's plausible patients cannot match it.")
    return np.minimum(1.0, norm.pdf(scores, target_mean, target_sd) / (scale * density(scores)))
