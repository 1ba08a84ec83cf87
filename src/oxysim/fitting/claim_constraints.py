"""Framework claims as constraints of a fit: an optimum may not reverse a claim the model implements.

A fit to a few findings can move parameters that many claims rest on; the first amygdala-exposure fit did, and
four claim tests failed at its optimum (docs/provenance.md). Each constraint here runs the protocol of a claim's
test (tests/test_claims.py calls these functions) on the typical patient with the fit's parameter values and
returns the claim's margins: relative differences that are positive when the claim holds. A fit adds one
residual per margin, 0 while it exceeds ``MIN_MARGIN`` and ``VIOLATION_Z`` plus 100 per unit of shortfall once
it does not, so a claim at the edge of reversal costs more than any finding just outside its 95 % band
(z = 1.96) and the optimiser is pushed back. The margins depend only on the typical patient's simulation, as the
tests do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import xarray as xr

from oxysim.errors import InputError
from oxysim.simulation import simulate

MIN_MARGIN = 0.002
"""Smallest relative margin a fit may leave a claim: about 3 times the change that rounding a fitted value to its
stored 3 digits causes (6e-4 on K2's 24-over-48 IU margin at the first constrained optimum, 2026-11-28), so the
rounded defaults keep the claim. The smallest margins at the defaults are ~0.004 (K3, K9: symptom differences)."""
VIOLATION_Z = 3.0
"""Residual (in SD units) of a claim whose margin has just reached MIN_MARGIN."""
SHORTFALL_Z = 100.0
"""Further residual per unit of relative shortfall below zero (a 1 % reversal adds 1 SD)."""

FACES_END_MIN = 9
"""Minutes after a faces task's start at which the amygdala is read (the tests' task end)."""
PLACEBO_09 = "placebo in x 1 @09:00 day 1"

Values = Mapping[str, float]
Margins = dict[str, float]


@lru_cache(maxsize=128)
def _run(subtype: str, regimen: str, days: float, interval_min: float, values: tuple[tuple[str, float], ...],
         hypotheses: tuple[tuple[str, str], ...]) -> xr.Dataset:
    return simulate(subtype, regimen, days, output_interval_min=interval_min, parameters=dict(values),
                    hypotheses=dict(hypotheses))


def run(subtype: str, regimen: str, days: float, interval_min: float, values: Values | None = None,
        hypotheses: Mapping[str, str] | None = None) -> xr.Dataset:
    """A typical-patient simulation with ``values`` set (cached: constraints share their placebo runs)."""
    return _run(subtype, regimen, days, interval_min, tuple(sorted((values or {}).items())),
                tuple(sorted((hypotheses or {}).items())))


def at(ds: xr.Dataset, variable: str, hour: float) -> float:
    """Value of ``variable`` for the typical patient at the output time nearest ``hour``."""
    return float(ds[variable].isel(patient=0).sel(time=hour, method="nearest"))


def amygdala_effect(dose_iu: float, task_clock: str = "09:45", values: Values | None = None,
                    hypotheses: Mapping[str, str] | None = None) -> float:
    """Placebo minus oxytocin amygdala activity at the end of a faces task (SAD, dose at 09:00 on day 1)."""
    task = f"faces x 1 @{task_clock} day 1"
    hour, minute = map(int, task_clock.split(":"))
    end = 24 + hour + (minute + FACES_END_MIN) / 60
    ot = run("SAD", f"oxytocin {dose_iu:g} IU in x 1 @09:00 day 1; {task}", 1.6, 1.0, values, hypotheses)
    placebo = run("SAD", f"{PLACEBO_09}; {task}", 1.6, 1.0, values, hypotheses)
    return at(placebo, "amygdala", end) - at(ot, "amygdala", end)


def _relative(larger: float, smaller: float) -> float:
    """(larger - smaller) / |larger|: positive when ``larger`` is the larger, in units of it."""
    return (larger - smaller) / abs(larger) if larger else -smaller


def effect_window(values: Values | None = None) -> Margins:
    """K1: the amygdala effect of 24 IU is larger 45-70 min after dosing than before or after, and positive."""
    early, middle, late = (amygdala_effect(24, clock, values) for clock in ("09:20", "09:50", "10:25"))
    return {"window_over_early": _relative(middle, early), "window_over_late": _relative(middle, late),
            "early_positive": early / abs(middle), "late_positive": late / abs(middle)}


def inverted_u(values: Values | None = None) -> Margins:
    """K2 (default hypothesis): 24 IU damps the amygdala more than 12 IU and more than 48 IU; 12 IU damps it."""
    low, middle, high = (amygdala_effect(dose, values=values) for dose in (12, 24, 48))
    return {"24_over_12": _relative(middle, low), "24_over_48": _relative(middle, high),
            "12_positive": low / abs(middle)}


def alternate_day_dosing(values: Values | None = None) -> Margins:
    """K4: after 5 days, daily 24 IU has lost more than half of the single-dose effect; every other day keeps
    more than 60 % of it."""
    def effect_day_4(interval_h: int) -> float:
        task = "faces x 1 @08:45 day 4"
        ot = run("SAD", f"oxytocin 24 IU in q{interval_h}h x 5 @08:00; {task}", 4.6, 5.0, values)
        placebo = run("SAD", f"placebo in q24h x 5 @08:00; {task}", 4.6, 5.0, values)
        end = 4 * 24 + 8.75 + FACES_END_MIN / 60
        return at(placebo, "amygdala", end) - at(ot, "amygdala", end)

    first = amygdala_effect(24, values=values)
    daily, alternate = effect_day_4(24), effect_day_4(48)
    return {"alternate_over_daily": _relative(alternate, daily), "daily_lost_half": 0.5 - daily / first,
            "alternate_kept": alternate / first - 0.6}


def chronic_hpa_load(values: Values | None = None) -> Margins:
    """E4: four weeks of daily 24 IU lower the cortisol load of a GAD patient below placebo."""
    chronic = run("GAD", "oxytocin 24 IU in q24h x 28 @08:00", 28.0, 60.0, values)
    placebo = run("GAD", "placebo in q24h x 28 @08:00", 28.0, 60.0, values)
    return {"cortisol_load_lowered": _relative(at(placebo, "cortisol_load", 28 * 24),
                                               at(chronic, "cortisol_load", 28 * 24))}


def gad_symptoms_improve(values: Values | None = None) -> Margins:
    """K3: three weeks of daily 24 IU leave HAM-A below placebo, which is below baseline."""
    ot = run("GAD", "oxytocin 24 IU in q24h x 21 @08:00", 21.0, 60.0, values)
    placebo = run("GAD", "placebo in q24h x 21 @08:00", 21.0, 60.0, values)
    return {"below_placebo": _relative(at(placebo, "ham_a", 21 * 24), at(ot, "ham_a", 21 * 24)),
            "placebo_below_baseline": _relative(at(placebo, "ham_a", 0), at(placebo, "ham_a", 21 * 24))}


def ssri_augmentation(values: Values | None = None) -> Margins:
    """K9: oxytocin every other day on top of an SSRI lowers LSAS below the SSRI alone at weeks 2 and 8."""
    ssri = "ssri 10 mg po q24h x 56 @08:00"
    combo = run("SAD", f"{ssri}; oxytocin 24 IU in q48h x 28 @08:00", 56.0, 240.0, values)
    alone = run("SAD", f"{ssri}; placebo in q48h x 28 @08:00", 56.0, 240.0, values)
    return {f"day_{day}": _relative(at(alone, "lsas", day * 24), at(combo, "lsas", day * 24)) for day in (14, 56)}


@dataclass(frozen=True)
class ClaimConstraint:
    """A claim whose direction a fit must keep: its ids and the function giving its margins."""

    name: str
    claims: tuple[str, ...]
    margins: Callable[[Values | None], Margins]

    def residuals(self, values: Values) -> list[float]:
        """One residual per margin: 0 above MIN_MARGIN, VIOLATION_Z + SHORTFALL_Z x shortfall below it."""
        return [0.0 if m > MIN_MARGIN else VIOLATION_Z + SHORTFALL_Z * (MIN_MARGIN - m)
                for m in self.margins(values).values()]


CONSTRAINTS: dict[str, ClaimConstraint] = {c.name: c for c in (
    ClaimConstraint("effect_window", ("K1",), effect_window),
    ClaimConstraint("inverted_u", ("K2",), inverted_u),
    ClaimConstraint("alternate_day_dosing", ("K4",), alternate_day_dosing),
    ClaimConstraint("chronic_hpa_load", ("E4",), chronic_hpa_load),
    ClaimConstraint("gad_symptoms_improve", ("K3",), gad_symptoms_improve),
    ClaimConstraint("ssri_augmentation", ("K9",), ssri_augmentation),
)}


def get_constraints(names: tuple[str, ...]) -> tuple[ClaimConstraint, ...]:
    """The constraints called ``names``, or an error listing the known ones."""
    unknown = [n for n in names if n not in CONSTRAINTS]
    if unknown:
        raise InputError(f"unknown claim constraint(s) {', '.join(unknown)}; known: {', '.join(CONSTRAINTS)}")
    return tuple(CONSTRAINTS[n] for n in names)
