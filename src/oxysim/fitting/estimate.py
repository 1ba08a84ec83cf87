"""Multi-start estimation and profile likelihoods with pyPESTO (Schälte et al. 2023, Bioinformatics 39:btad711).

Works on any negative log-likelihood of parameters on the log10 scale, so the same code fits a
:class:`~oxysim.fitting.problem.FitProblem` and is tested on problems with analytic answers. The optimiser is
scipy's Powell method (derivative-free: several validation measures, such as a peak time on a one-minute grid,
are piecewise constant in the parameters, which defeats finite-difference gradients). Profiles follow
Raue et al. 2009 (Bioinformatics 25:1923): a parameter is practically identifiable when its profile crosses the
95 % threshold (a likelihood-ratio chi-square with 1 degree of freedom) on both sides inside its bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oxysim.errors import InputError

NegativeLogLikelihood = Callable[[np.ndarray], float]
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """The best fit, every start, and (when profiled) each parameter's profile and confidence interval.

    ``starts``: start and end point (log10) and final value of every optimiser run, best first.
    ``profiles``: parameter, log10 value, negative log-likelihood and likelihood ratio at each profile point.
    ``intervals``: per parameter the estimate and 95 % profile interval (declared units; NaN where the profile
    stays above the threshold up to a bound) and whether it is identifiable.
    """

    names: tuple[str, ...]
    best: np.ndarray
    nll: float
    starts: pd.DataFrame
    profiles: pd.DataFrame | None
    intervals: pd.DataFrame | None

    @property
    def values(self) -> dict[str, float]:
        """The best fit in declared units."""
        return dict(zip(self.names, (float(v) for v in 10.0 ** self.best), strict=True))


def _pypesto_problem(names: Sequence[str], lower: np.ndarray, upper: np.ndarray, nll: NegativeLogLikelihood,
                     guesses: Sequence[np.ndarray]):
    import pypesto

    objective = pypesto.Objective(fun=lambda x: float(nll(np.asarray(x, dtype=float))))
    return pypesto.Problem(objective, lb=np.asarray(lower, float), ub=np.asarray(upper, float), x_names=list(names),
                           x_guesses=[np.asarray(g, float) for g in guesses] or None, copy_objective=False)


def _engine(workers: int):
    """pyPESTO's serial engine for one worker, else a process pool (tasks are cloudpickled, closures included)."""
    from pypesto.engine import MultiProcessEngine, SingleCoreEngine

    return SingleCoreEngine() if workers == 1 else MultiProcessEngine(n_procs=workers)


def _optimizer(max_evaluations: int):
    from pypesto.optimize import ScipyOptimizer

    return ScipyOptimizer(method="Powell", options={"maxfev": max_evaluations, "xtol": 1e-3, "ftol": 1e-4})


def estimate(names: Sequence[str], lower: Sequence[float], upper: Sequence[float], nll: NegativeLogLikelihood, *,
             guess: Sequence[float] | None = None, starts: int = 4, seed: int = 0, max_evaluations: int = 400,
             profile: bool = True, profile_evaluations: int | None = None, workers: int = 1) -> Estimate:
    """Minimise ``nll`` over log10 parameters in [lower, upper] from ``starts`` points, then profile each one.

    The first start is ``guess`` when given (e.g. the current defaults), the others uniform in the bounds (seeded).
    ``profile_evaluations`` caps the evaluations of each re-optimisation along a profile (default
    ``max_evaluations``): profiles dominate a fit's cost, and each step starts next to its optimum.
    ``workers`` > 1 runs the starts, and then the parameters' profiles, in that many processes (pyPESTO's
    MultiProcessEngine); each start and each profile is the same deterministic computation either way.
    """
    try:
        import pypesto.optimize
        import pypesto.profile
    except ImportError:
        raise InputError("fitting needs pyPESTO: pip install 'oxysim[fit]' (pypesto, petab)") from None
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    if len(names) != lower.size or lower.shape != upper.shape or not np.all(lower < upper):
        raise InputError(f"need one lower < upper bound per parameter; got {len(names)} names, {lower}, {upper}")
    if starts < 1:
        raise InputError(f"starts must be at least 1; got {starts}")
    if profile_evaluations is not None and profile_evaluations < 1:
        raise InputError(f"profile_evaluations must be at least 1; got {profile_evaluations}")
    if workers < 1:
        raise InputError(f"workers must be at least 1; got {workers}")
    engine = _engine(workers)
    problem = _pypesto_problem(names, lower, upper, nll, [] if guess is None else [np.asarray(guess, float)])
    optimizer = _optimizer(max_evaluations)
    state = np.random.get_state()
    np.random.seed(seed)  # pyPESTO draws uniform start points from numpy's global generator
    try:
        result = pypesto.optimize.minimize(problem, optimizer, n_starts=starts, engine=engine, progress_bar=False)
    finally:
        np.random.set_state(state)
    runs = result.optimize_result.list
    table = pd.DataFrame([{"start": i, "nll": float(r.fval), **{f"x0_{n}": r.x0[j] for j, n in enumerate(names)},
                           **{n: r.x[j] for j, n in enumerate(names)}} for i, r in enumerate(runs)])
    best = np.asarray(runs[0].x, dtype=float)
    if not profile:
        return Estimate(tuple(names), best, float(runs[0].fval), table, None, None)
    options = pypesto.profile.ProfileOptions(default_step_size_absolute=0.02, min_step_size_absolute=0.005,
                                             max_step_size_absolute=0.1, ratio_min=0.1)
    result = pypesto.profile.parameter_profile(problem, result, _optimizer(profile_evaluations or max_evaluations),
                                               engine=engine, profile_options=options, progress_bar=False)
    profiles, intervals = _profile_tables(names, lower, upper, best, float(runs[0].fval),
                                          result.profile_result.list[0])
    return Estimate(tuple(names), best, float(runs[0].fval), table, profiles, intervals)


def _profile_tables(names, lower, upper, best, best_nll, profiles) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profile points and the 95 % intervals read off them (linear interpolation at the threshold)."""
    from pypesto.profile import calculate_approximate_ci, chi2_quantile_to_ratio

    threshold = chi2_quantile_to_ratio(CONFIDENCE)
    points, rows = [], []
    for i, name in enumerate(names):
        path = profiles[i]
        xs, fvals = np.asarray(path.x_path)[i], np.asarray(path.fval_path, dtype=float)
        order = np.argsort(xs)
        xs, fvals = xs[order], fvals[order]
        minimum = min(best_nll, float(np.min(fvals)))
        ratios = np.exp(minimum - fvals)
        points.append(pd.DataFrame({"parameter": name, "log10_value": xs, "nll": fvals, "ratio": ratios}))
        low, high = calculate_approximate_ci(xs, ratios, threshold)
        lower_open = not np.any(ratios[xs < best[i]] < threshold)
        upper_open = not np.any(ratios[xs > best[i]] < threshold)
        rows.append({"parameter": name, "estimate": 10.0 ** best[i],
                     "ci_low": np.nan if lower_open else 10.0 ** low, "ci_high": np.nan if upper_open else 10.0 ** high,
                     "lower_bound": 10.0 ** lower[i], "upper_bound": 10.0 ** upper[i],
                     "identifiable": not (lower_open or upper_open),
                     "note": _note(lower_open, upper_open)})
    return pd.concat(points, ignore_index=True), pd.DataFrame(rows)


def _note(lower_open: bool, upper_open: bool) -> str:
    if lower_open and upper_open:
        return "not identifiable: the profile stays within the 95 % threshold over the whole range"
    if lower_open:
        return "not identifiable below: only an upper 95 % limit"
    if upper_open:
        return "not identifiable above: only a lower 95 % limit"
    return "identifiable: the profile crosses the 95 % threshold on both sides"
