"""Calibrate the GAD and PD profiles' placebo strengths against the placebo findings that compare disorders.

One placebo strength for every subtype (``placebo_strength``, solved on SAD trials against CL-11 by
scripts/calibrate_treatment.py) leaves the GAD placebo response far below the published one: 13 % of virtual GAD
patients respond (HAM-A reduction >= 50 % at week 8) against 42.8 % in NICE's network meta-analysis (CL-16), and
GAD's pre-post placebo effect is not 0.64 SMD larger than panic disorder's as Motta et al. 2023 find (CL-18).
Motta et al. find placebo responses differ by disorder, so GAD and PD get their own placebo strengths.

Two levers, three findings:

======================  ===========================================================  =====================
measure                 target (95 % interval)                                       finding
======================  ===========================================================  =====================
GAD placebo response    42.8 % (22.3-68.4) HAM-A reduction >= 50 % at week 8           CL-16 (NICE CG113)
GAD minus SAD g         0.34 (-0.07 to 0.75) pre-post placebo g at week 8              CL-18 (Motta 2023)
GAD minus PD g          0.64 (0.25 to 1.04) pre-post placebo g at week 8               CL-18 (Motta 2023)
======================  ===========================================================  =====================

The GAD strength is solved first, for the balance of the two GAD findings, which pull apart (42.8 % needs a large
GAD placebo effect, while GAD's lead over SAD should be only 0.34 SMD): the sum of their errors in units of their
half-intervals on the side where each lies (the rule calibrate_treatment.py uses for CBT). The PD strength is then
solved so that GAD's lead over PD is CL-18's 0.64: with the PD population's published baseline spread (PDSS SD
4.72, the PD profile's vulnerability CV) the common strength gives a PD placebo g of ~0.6 and a lead of ~1.2,
outside CL-18's interval.

Trials: 8 weeks of a daily placebo (SSRI/SNRI trials behind CL-16 and CL-18 last ~8 weeks), 400 virtual patients
per subtype, seed :data:`SEED`, each subtype's primary scale observed with rater error; pre-post g = mean reduction
/ baseline SD with the small-sample factor J, as ``oxysim validate`` computes it. SAD and SP keep the common
strength. Brent's method (scipy.optimize.brentq) on common random numbers. The values go into the GAD and PD
profiles (src/oxysim/population/subtypes.py) and the record ``oxysim/evidence/calibrations/subtype_placebo.yaml``;
a test holds them equal. Run: ``python scripts/calibrate_subtype_placebo.py`` (~5 minutes on 2 cores). Virtual
patients of a mechanistic model: research use only, never dosing advice.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.optimize import brentq

from oxysim import __version__
from oxysim.fitting.record import rounded, write_record
from oxysim.population.subtypes import get_profile
from oxysim.trials.run import arm_visits
from oxysim.trials.spec import StudySpec
from oxysim.validation import measures

SEED = 20261128
PATIENTS = 400
"""Virtual patients per subtype (SE of a response rate ~2.5 points, of a pre-post g ~0.08)."""
WEEKS = 8
REGIMEN = f"placebo in q24h x {7 * WEEKS} @08:00"
HAMA_RESPONSE = 0.50
"""HAM-A response: a reduction of at least 50 % (CL-16's definition)."""
PARAMETER = "placebo_strength"
BRACKET = (0.05, 1.5)
RECORD = Path(__file__).resolve().parents[1] / "src" / "oxysim" / "evidence" / "calibrations" / "subtype_placebo.yaml"


@dataclass(frozen=True)
class Target:
    """A target with its 95 % interval and finding."""

    finding: str
    value: float
    low: float
    high: float

    def error(self, value: float) -> float:
        """Signed distance from the target in units of the half-interval on the side where ``value`` lies."""
        half = (self.high - self.value) if value > self.value else (self.value - self.low)
        return (value - self.value) / half

    def within(self, value: float) -> bool:
        return self.low <= value <= self.high


TARGETS = {
    "gad_placebo_response": Target("CL-16", 0.428, 0.223, 0.684),
    "gad_minus_sad_g": Target("CL-18", 0.34, -0.07, 0.75),
    "gad_minus_pd_g": Target("CL-18", 0.64, 0.25, 1.04),
}


def placebo_visits(subtype: str, n: int = PATIENTS, seed: int = SEED,
                   parameters: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Baseline and week-8 primary-scale scores (observed) of the placebo arm of a virtual ``subtype`` trial."""
    spec = StudySpec(name=f"calibration: {subtype} placebo", seed=seed, subtype=subtype, n_per_arm=n,
                     arms=[{"name": "placebo", "regimen": REGIMEN, "parameters": dict(parameters or {})},
                           {"name": "waitlist", "regimen": ""}],
                     control="placebo", duration_weeks=WEEKS, visits_weeks=(0, WEEKS))
    visits = arm_visits(spec, "placebo")  # the waitlist arm is only there because a spec needs two
    rows = visits[(visits["arm"] == "placebo") & (visits["week"] == WEEKS) & (visits["scale"] == spec.primary_scale)]
    return rows.set_index("patient")[["baseline", "score"]]


def prepost_g(scores: pd.DataFrame) -> float:
    """Pre-post g of a placebo arm, as ``oxysim validate`` computes it (:func:`oxysim.validation.measures.prepost_g`)."""
    return measures.prepost_g(scores["baseline"].to_numpy(), scores["score"].to_numpy())


def gad_measures(gad: pd.DataFrame, sad_g: float) -> dict[str, float]:
    """The two GAD findings the GAD strength balances, from the GAD placebo arm and the SAD placebo g."""
    response = measures.responders(gad["baseline"].to_numpy(), gad["score"].to_numpy(), HAMA_RESPONSE).mean()
    return {"gad_placebo_response": float(response), "gad_minus_sad_g": prepost_g(gad) - sad_g}


def calibration_measures(gad: pd.DataFrame, sad_g: float, pd_g: float) -> dict[str, float]:
    """The three calibration measures from the GAD placebo arm and the SAD and PD placebo g."""
    return {**gad_measures(gad, sad_g), "gad_minus_pd_g": prepost_g(gad) - pd_g}


def balance(measured: Mapping[str, float]) -> float:
    """Sum of the normalised errors (zero where the larger error is smallest along the lever)."""
    return sum(TARGETS[name].error(value) for name, value in measured.items())


def fit(n: int = PATIENTS, seed: int = SEED) -> tuple[dict[str, float], dict[str, float]]:
    """The GAD and PD placebo strengths, and the measures they give."""
    sad_g = prepost_g(placebo_visits("SAD", n, seed))
    print(f"SAD placebo g {sad_g:.3f}", flush=True)
    gad: dict[float, pd.DataFrame] = {}

    def gad_error(strength: float) -> float:
        gad[strength] = placebo_visits("GAD", n, seed, {PARAMETER: strength})
        measured = gad_measures(gad[strength], sad_g)
        print(f"  GAD {PARAMETER} = {strength:.4g}: " + ", ".join(f"{k} {v:.3f}" for k, v in measured.items()),
              flush=True)
        return balance(measured)

    gad_strength = brentq(gad_error, *BRACKET, xtol=0.005)
    gad_visits = gad.get(gad_strength)
    if gad_visits is None:
        gad_visits = placebo_visits("GAD", n, seed, {PARAMETER: gad_strength})
    gad_g = prepost_g(gad_visits)
    pd_g: dict[float, float] = {}

    def pd_error(strength: float) -> float:
        pd_g[strength] = prepost_g(placebo_visits("PD", n, seed, {PARAMETER: strength}))
        print(f"  PD {PARAMETER} = {strength:.4g}: PD placebo g {pd_g[strength]:.3f}, GAD - PD g "
              f"{gad_g - pd_g[strength]:.3f}", flush=True)
        return TARGETS["gad_minus_pd_g"].error(gad_g - pd_g[strength])

    pd_strength = brentq(pd_error, *BRACKET, xtol=0.005)
    if pd_strength not in pd_g:
        pd_error(pd_strength)
    return {"GAD": gad_strength, "PD": pd_strength}, calibration_measures(gad_visits, sad_g, pd_g[pd_strength])


def store(strengths: Mapping[str, float], measured: Mapping[str, float]) -> None:
    """The record: the values (3 significant digits, as in the profiles), method, targets and what trials achieved."""
    solved_for = {"GAD": "balance of CL-16 GAD placebo response and CL-18 GAD-SAD placebo g difference",
                  "PD": "CL-18 GAD-PD placebo g difference, given the GAD strength"}
    record = {
        "calibration": "subtype_placebo", "script": "scripts/calibrate_subtype_placebo.py",
        "date": datetime.date.today().isoformat(), "oxysim_version": __version__,
        "method": (f"scipy brentq, GAD then PD; placebo arms of {PATIENTS} virtual patients per subtype, {WEEKS} "
                   f"weeks, seed {SEED}, primary scales with rater error"),
        "profiles": {code: {PARAMETER: {"value": rounded(value), "unit": "dimensionless", "solved_for": solved_for[code]}}
                     for code, value in strengths.items()},
        "achieved": {name: {"value": float(value), "target": TARGETS[name].value,
                            "interval_95": [TARGETS[name].low, TARGETS[name].high], "finding": TARGETS[name].finding,
                            "within": TARGETS[name].within(value)} for name, value in measured.items()},
        "note": "Virtual patients of a mechanistic model: research use only, never dosing advice.",
    }
    print(f"record written: {write_record(record, RECORD)}")


def main() -> None:
    for code in ("GAD", "PD"):
        print(f"{code} profile now: {PARAMETER} = {get_profile(code).parameters.get(PARAMETER, 'model default')}")
    strengths, measured = fit()
    for code, value in strengths.items():
        print(f"{code} {PARAMETER} = {value:.4g} (put {rounded(value):g} into the {code} profile)")
    for name, value in measured.items():
        target = TARGETS[name]
        print(f"  {name:22s} {value:7.3f}   target {target.value:g} ({target.low:g} to {target.high:g}, {target.finding})")
    store(strengths, measured)

if __name__ == "__main__":
    main()
