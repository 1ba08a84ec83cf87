"""Virtual-population selection (Allen et al. 2016 acceptance-rejection) against its sampling theory."""

import numpy as np
import pytest
from scipy import stats

from oxysim.errors import InputError
from oxysim.population.selection import acceptance_probabilities
from oxysim.trials.run import enrol
from oxysim.trials.spec import StudySpec


def plausible(rng: np.random.Generator, n: int) -> np.ndarray:
    """A skewed plausible population of scores (shifted gamma: mean 90, SD ~21, long right tail)."""
    return 60.0 + rng.gamma(2.0, 15.0, n)


@pytest.mark.parametrize(("mean", "sd"), [(95.0, 12.0), (85.0, 15.0)])
def test_kept_patients_follow_the_target_normal(mean: float, sd: float) -> None:
    rng = np.random.default_rng(0)
    reference, candidates = plausible(rng, 5000), plausible(rng, 40_000)
    probability = acceptance_probabilities(reference, candidates, mean, sd)
    kept = candidates[rng.random(candidates.size) < probability]
    assert 0.0 <= probability.min() and probability.max() <= 1.0
    assert kept.size > 2000
    inside = kept[(kept > mean - 2 * sd) & (kept < mean + 2 * sd)]  # where the plausible density covers the target
    target = stats.truncnorm((max(60.0, mean - 2 * sd) - mean) / sd, 2.0, loc=mean, scale=sd)
    # the kernel density's smoothing bias leaves a small distortion: the CDFs differ by < 4 percentage points
    assert stats.kstest(inside, target.cdf).statistic < 0.04
    assert kept.mean() == pytest.approx(mean, abs=1.5)
    assert kept.std() == pytest.approx(sd, rel=0.12)


def test_a_target_equal_to_the_plausible_density_keeps_the_central_patients() -> None:
    rng = np.random.default_rng(1)
    reference = rng.normal(90.0, 18.0, 5000)
    probability = acceptance_probabilities(reference, np.array([75.0, 90.0, 105.0]), 90.0, 18.0)
    assert probability.min() > 0.8  # only the kernel-density error separates the two densities


def test_a_reference_pool_that_cannot_estimate_a_density_is_refused() -> None:
    with pytest.raises(InputError, match="reference pool"):
        acceptance_probabilities(np.full(100, 90.0), np.array([90.0]), 90.0, 10.0)
    with pytest.raises(InputError, match="baseline_sd"):
        acceptance_probabilities(np.arange(100.0), np.array([90.0]), 90.0, 0.0)


def test_a_trial_enrols_patients_whose_baselines_match_the_target() -> None:
    """The model's SAD patients have LSAS ~93 +- 18 at baseline; a target of 100 +- 10 shifts and narrows them."""
    spec = StudySpec(name="vpop", seed=11, subtype="SAD", control="a", n_per_arm=75, duration_weeks=1,
                     arms=[{"name": "a", "regimen": "placebo in q24h x 7 @08:00"},
                           {"name": "b", "regimen": "placebo in q24h x 7 @08:00"}],
                     virtual_population={"baseline_mean": 100.0, "baseline_sd": 10.0, "reference_pool": 800})
    enrolment = enrol(spec)
    included = enrolment.loc[enrolment["included"], "screening_score"]
    assert len(included) == 150
    assert included.mean() == pytest.approx(100.0, abs=3.0)
    assert included.std() == pytest.approx(10.0, rel=0.25)
    everyone = enrolment["screening_score"]
    assert everyone.std() > 14.0  # the candidates were as variable as the model's patients
    assert enrolment["selection_probability"].between(0, 1).all()
