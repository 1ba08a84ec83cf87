"""Morris screening and Sobol indices of a vector-valued model, through SALib (Herman & Usher 2017).

The wrappers know nothing about oxysim: ``evaluate`` maps a sample matrix (one row per design point, one
column per factor) to a table with one column per endpoint, and every endpoint is analysed from the same
model runs. Morris elementary effects (Morris 1991) are summarised by μ* (mean absolute effect) and σ
(Campolongo, Cariboni & Saltelli 2007); Sobol first-order (S1) and total (ST) indices use the Saltelli
(2002) / Saltelli et al. (2010) estimators on a Sobol' sequence, with bootstrap confidence intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

Evaluate = Callable[[np.ndarray], pd.DataFrame]
MORRIS_LEVELS = 4
"""Grid levels of the Morris design (p = 4 with Δ = p / (2 (p − 1)), Morris 1991's usual choice)."""
CONF_LEVEL = 0.95


def _problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict:
    """The SALib problem dict."""
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


def morris(names: Sequence[str], bounds: Sequence[tuple[float, float]], evaluate: Evaluate, *,
           trajectories: int, seed: int) -> pd.DataFrame:
    """Morris screening: one row per endpoint and factor with mu, mu_star, mu_star_conf (95 % bootstrap
    half-width) and sigma; effects are per unit of the factor as bounded (r (k + 1) model runs)."""
    problem = _problem(names, bounds)
    x = morris_sample.sample(problem, trajectories, num_levels=MORRIS_LEVELS, seed=seed)
    y = evaluate(x)
    rows = []
    for endpoint in y.columns:
        result = morris_analyze.analyze(problem, x, y[endpoint].to_numpy(dtype=float), num_levels=MORRIS_LEVELS,
                                        conf_level=CONF_LEVEL, seed=seed)
        rows.append(pd.DataFrame({"endpoint": endpoint, "parameter": list(names), "mu": result["mu"],
                                  "mu_star": result["mu_star"], "mu_star_conf": result["mu_star_conf"],
                                  "sigma": result["sigma"]}))
    return pd.concat(rows, ignore_index=True)


def sobol(names: Sequence[str], bounds: Sequence[tuple[float, float]], evaluate: Evaluate, *,
          samples: int, seed: int) -> pd.DataFrame:
    """Sobol indices: one row per endpoint and factor with S1, S1_conf, ST and ST_conf (95 % bootstrap
    half-widths), from N (k + 2) model runs (``samples`` = N, a power of 2). An endpoint that no design
    point changes has no variance to apportion: its indices are 0."""
    problem = _problem(names, bounds)
    x = sobol_sample.sample(problem, samples, calc_second_order=False, scramble=True, seed=seed)
    y = evaluate(x)
    rows = []
    for endpoint in y.columns:
        values = y[endpoint].to_numpy(dtype=float)
        if np.ptp(values) == 0:
            result = {key: np.zeros(len(names)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            result = sobol_analyze.analyze(problem, values, calc_second_order=False, conf_level=CONF_LEVEL,
                                           seed=seed)
        rows.append(pd.DataFrame({"endpoint": endpoint, "parameter": list(names),
                                  **{key: result[key] for key in ("S1", "S1_conf", "ST", "ST_conf")}}))
    return pd.concat(rows, ignore_index=True)
