"""What one design point of a sensitivity analysis is: the factors, their ranges, and the trial endpoints.

A design point is the spec's trial reduced to its cheapest informative form: one *typical* patient per arm
(the subtype's profile, no between-patient variability, no covariates, no observation noise, no dropout),
simulated to the end of treatment plus the probe day (no follow-up), for the first active arm and the
control only. All design points of an arm run as the patients of one vectorised simulation, each with its
own parameter values. A crossover is read as its period-1 parallel comparison. So the indices describe how
the model's typical patient depends on the parameters, not the sampling variability of a trial.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oxysim.errors import InputError
from oxysim.model import build_model
from oxysim.population.subtypes import get_profile
from oxysim.simulation import simulate
from oxysim.trials.design import group_regimen, output_hours
from oxysim.trials.run import probe_endpoints
from oxysim.trials.spec import Arm, Design, StudySpec

DEFAULT_FACTOR = 1.5
"""Default range of a parameter: its nominal value divided and multiplied by 1.5 (assumption: a plausible
spread for values that are mostly single-study estimates or assumptions; a declared lower or upper bound
replaces the corresponding end)."""

ENDPOINTS = ("change_active", "change_vs_control", "responder_active", "amygdala_threat_response", "cortisol_auc")
"""Per design point: change of the primary scale from baseline to the last treatment visit in the first active
arm, that change minus the control's, whether the active arm's typical patient responds (>= 50 % reduction;
0 or 1, the responder rate of a one-patient arm), and the active arm's amygdala threat response and TSST
cortisol AUC at the end-of-treatment probes."""


@dataclass(frozen=True)
class Factor:
    """A model parameter varied over [low, high] (declared unit) around its nominal value."""

    name: str
    nominal: float
    low: float
    high: float
    unit: str
    basis: str
    """'source: ...' or 'assumption: ...', so the user sees what an influential parameter rests on."""

    def values(self, unit_interval: np.ndarray) -> np.ndarray:
        """Parameter values at points of [0, 1]: log-uniform over a positive range, else uniform."""
        if self.low > 0:
            return self.low * (self.high / self.low) ** unit_interval
        return self.low + (self.high - self.low) * unit_interval


def factors(spec: StudySpec, names: Sequence[str] | None = None, factor: float = DEFAULT_FACTOR) -> list[Factor]:
    """The parameters to vary (default: every model parameter), nominal at the subtype's typical patient.

    Parameters whose range is empty (nominal 0 without declared bounds) cannot be varied and are left out.
    """
    if factor <= 1:
        raise InputError(f"the range factor must be greater than 1; got {factor!r}.")
    model = build_model(spec.hypotheses)
    unknown = sorted(set(names or ()) - set(model.parameter_names))
    if unknown:
        raise InputError(f"unknown parameter(s) {', '.join(unknown)}; run 'oxysim params' for the names.")
    profile = get_profile(spec.subtype).parameters
    chosen = []
    for p in model.parameters:
        if names is not None and p.name not in names:
            continue
        nominal = profile.get(p.name, p.value)
        ends = sorted((nominal / factor, nominal * factor))
        low = ends[0] if p.lower is None else p.lower
        high = ends[1] if p.upper is None else p.upper
        if low < high:
            basis = f"source: {p.source}" if p.source else f"assumption: {p.assumption}"
            chosen.append(Factor(p.name, nominal, low, high, p.unit, basis))
    if not chosen:
        raise InputError("no parameter can be varied: every chosen parameter has an empty range.")
    return chosen


def compared_arms(spec: StudySpec) -> tuple[Arm, Arm]:
    """The first active arm (the first arm that is not the control) and the control arm."""
    control = next(arm for arm in spec.arms if arm.name == spec.control)
    return next(arm for arm in spec.arms if arm.name != spec.control), control


def probe_spec(spec: StudySpec) -> StudySpec:
    """``spec`` as a parallel trial with the mechanistic probes and without follow-up."""
    return spec.model_copy(update={"design": Design(), "follow_up_weeks": (),
                                   "endpoints": spec.endpoints.model_copy(update={"mechanistic": True})})


def _arm_endpoints(spec: StudySpec, arm: Arm, parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Change from baseline, response and probe read-outs of one arm at every design point."""
    n = len(next(iter(parameters.values())))
    ds = simulate(spec.subtype, group_regimen(spec, arm.name), spec.total_days, n_patients=n, seed=None,
                  hypotheses=spec.hypotheses, parameters={**parameters, **arm.parameters},
                  output_times_h=output_hours(spec))
    scale = ds[spec.primary_scale]
    baseline, last = (scale.sel(time=hour).values for hour in (0.0, 168.0 * max(spec.visits_weeks)))
    return {"change": last - baseline, "responder": ((baseline - last) / baseline >= spec.endpoints.response_reduction) * 1.0,
            **probe_endpoints(ds, spec, 1)}


def evaluate(spec: StudySpec, chosen: Sequence[Factor], unit_points: np.ndarray) -> pd.DataFrame:
    """The :data:`ENDPOINTS` at each design point (rows of ``unit_points``, one column per factor in [0, 1]).

    The sampled values replace the typical patient's in both arms; an arm's own ``parameters`` override
    still wins, so a knocked-out route stays knocked out.
    """
    probed = probe_spec(spec)
    parameters = {f.name: f.values(unit_points[:, i]) for i, f in enumerate(chosen)}
    active, control = (_arm_endpoints(probed, arm, parameters) for arm in compared_arms(probed))
    return pd.DataFrame({"change_active": active["change"], "change_vs_control": active["change"] - control["change"],
                         "responder_active": active["responder"],
                         "amygdala_threat_response": active["amygdala_threat_response"],
                         "cortisol_auc": active["cortisol_auc"]})[list(ENDPOINTS)]
