"""Fit records: what a fit found, from which findings, how and when, stored beside the model.

A record lives in ``oxysim/evidence/fits/<problem>.yaml``. The model's default of every fitted parameter must
equal the record's ``value`` (the optimum rounded to 3 significant digits); a test holds them together, so a
refit that is not carried into the model, or a default edited by hand, fails the suite. A record stored with
``adopted: false`` and a ``reason`` keeps the previous defaults instead, and the test holds those: a fit whose
previous defaults lie inside its joint 95 % region and that either identifies none of its parameters or moves
findings outside its problem.
"""

from __future__ import annotations

import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from oxysim import __version__
from oxysim.fitting.estimate import Estimate
from oxysim.fitting.problem import FitProblem
from oxysim.model import build_model
from oxysim.report.tables import atomic_path

SIGNIFICANT = 3


def rounded(value: float) -> float:
    """``value`` to :data:`SIGNIFICANT` significant digits, the precision a default is stored with."""
    return float(f"{value:.{SIGNIFICANT - 1}e}")


def make_record(problem: FitProblem, result: Estimate, nominal_nll: float, *, starts: int, seed: int) -> dict[str, Any]:
    """The record of ``result``: per parameter its value, previous default, unit, interval and identifiability."""
    import pypesto

    units = {p.name: p.unit for p in build_model().parameters}
    previous = problem.nominal()
    intervals = {} if result.intervals is None else result.intervals.set_index("parameter").to_dict("index")
    parameters = {}
    for spec in problem.parameters:
        row = intervals.get(spec.name, {})
        parameters[spec.name] = {
            "value": rounded(result.values[spec.name]), "optimum": result.values[spec.name], "unit": units[spec.name],
            "previous_default": previous[spec.name], "bounds": [spec.lower, spec.upper],
            "ci95": [_plain(row.get("ci_low")), _plain(row.get("ci_high"))] if row else None,
            "identifiable": bool(row["identifiable"]) if row else None, "note": row.get("note", "not profiled"),
            **({"prior_95": list(spec.prior), "prior_source": spec.prior_source} if spec.prior else {}),
        }
    return {
        "problem": problem.name, "description": problem.description, "date": datetime.date.today().isoformat(),
        "oxysim_version": __version__, "findings": list(problem.experiments),
        "method": f"pyPESTO {pypesto.__version__}: {starts} starts of scipy Powell (seed {seed}) on log10 parameters, "
                  "negative log-likelihood 0.5 sum z^2 (published bands as 95 % intervals, priors log-normal"
                  f"{', claims as penalty residuals' if problem.constraints else ''}); "
                  + ("profile likelihood, 95 % chi-square threshold (Raue et al. 2009)" if result.intervals is not None
                     else "not profiled"),
        "negative_log_likelihood": {"previous_defaults": nominal_nll, "fit": result.nll},
        **({"claim_margins_at_fit": problem.claim_margins(result.values)} if problem.constraints else {}),
        "adopted": True,
        "parameters": parameters,
    }


def _plain(value: Any) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def write_record(record: dict[str, Any], path: Path) -> Path:
    """Write ``record`` as YAML at ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def stored_record(problem: str) -> dict[str, Any]:
    """The record shipped with oxysim for ``problem``."""
    text = resources.files("oxysim").joinpath("evidence", "fits", f"{problem}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
