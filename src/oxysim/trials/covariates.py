"""Patient covariates (sex, age, trait anxiety, OXTR genotype, early adversity) and the parameters they move.

Each patient's covariates come from its own random stream (seed, index, 1), distinct from the parameter
stream (seed, index), so a patient is the same whatever the batch, shard or worker count. A covariate acts
on the model only through the named parameters of :data:`COVARIATE_EFFECTS`, each with its source or an
explicit assumption; :func:`covariate_parameters` turns a covariate table into per-patient overrides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.stats import truncnorm

from oxysim.model import build_model
from oxysim.population.subtypes import get_profile

COVARIATES = ("sex", "age", "trait_anxiety", "oxtr_rs53576", "oxtr_rs2254298", "early_adversity")
"""Covariate columns of the trial tables, in the order of :func:`draw_covariates`."""

COVARIATE_STREAM = 1
"""Third word of a patient's covariate stream (seed, index, 1); 0 would equal the parameter stream."""

STAI_T_RANGE = (20.0, 80.0)
"""STAI-T score range: 20 items scored 1-4 (Spielberger 1983, the scale's definition)."""


def patient_stream(seed: int, index: int, stream: int, *keys: int) -> np.random.Generator:
    """Random stream ``stream`` of patient ``index``: a function of (seed, index, stream, *keys) only.

    ``keys`` split a stream further, e.g. by visit, so that one draw does not depend on how many others exist.
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(index), int(stream), *map(int, keys)]))


class CovariateDistribution(BaseModel):
    """How covariates are distributed in the enrolled population; each default names its basis."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    female_share: float = Field(
        0.5, ge=0, le=1, description="assumption: equal shares of women and men; no enrolment finding in "
        "findings.yaml (CL-06 enrolled men only)")
    age_mean_years: float = Field(
        35.0, ge=18, le=90, description="assumption: adult anxiety trials enrol people in their mid-thirties "
        "on average (no finding in findings.yaml)")
    age_sd_years: float = Field(11.0, gt=0, le=30, description="assumption: spread of a typical 18-65 adult trial")
    age_range_years: tuple[float, float] = Field(
        (18.0, 65.0), description="assumption: the usual adult trial entry range; ages are drawn from the "
        "normal distribution truncated to it")
    trait_anxiety_mean: float | None = Field(
        None, ge=STAI_T_RANGE[0], le=STAI_T_RANGE[1], description="STAI-T mean; None takes the subtype "
        "profile's trait_anxiety (Spielberger 1983 norms, see oxysim.population.subtypes)")
    trait_anxiety_sd: float = Field(
        8.0, gt=0, le=30, description="assumption: STAI-T SD of ~8-10 points within clinical samples "
        "(Spielberger 1983 manual, from memory)")
    rs53576_a_frequency: float = Field(
        0.4, ge=0, le=1, description="assumption: OXTR rs53576 A-allele frequency ~0.35-0.45 in European and "
        "higher in East Asian samples (ID-01: allele frequency differs by ancestry; values from memory); "
        "genotypes in Hardy-Weinberg proportions")
    rs2254298_a_frequency: float = Field(
        0.25, ge=0, le=1, description="assumption: OXTR rs2254298 A-allele frequency ~0.1-0.15 in European and "
        "~0.3 in East Asian samples (ID-01; values from memory); Hardy-Weinberg proportions")
    early_adversity_prevalence: float = Field(
        0.35, ge=0, le=1, description="assumption: about a third of adults with an anxiety disorder report "
        "marked childhood adversity (P13, Liu 2017; Struijs 2021; share assumed)")

    @model_validator(mode="after")
    def _check_age_range(self) -> CovariateDistribution:
        """Refuse an age range that is empty or does not contain the mean."""
        low, high = self.age_range_years
        if not low < high or not low <= self.age_mean_years <= high:
            raise ValueError(f"age_range_years {list(self.age_range_years)} must be increasing and contain "
                             f"age_mean_years ({self.age_mean_years:g})")
        return self


def _truncated_normal(u: np.ndarray, mean: float, sd: float, low: float, high: float) -> np.ndarray:
    """Inverse-CDF draws of a normal(mean, sd) truncated to [low, high] from uniforms ``u``."""
    return truncnorm.ppf(u, (low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)


def _genotype(u1: np.ndarray, u2: np.ndarray, a_frequency: float) -> np.ndarray:
    """'AA', 'AG' or 'GG' from two independent allele draws (Hardy-Weinberg)."""
    a_count = (u1 < a_frequency).astype(int) + (u2 < a_frequency).astype(int)
    return np.array(["GG", "AG", "AA"], dtype=object)[a_count]


def draw_covariates(distribution: CovariateDistribution, subtype: str, seed: int,
                    patients: Sequence[int]) -> pd.DataFrame:
    """One row per patient (index ``patient``) with the columns of :data:`COVARIATES`.

    Every patient takes eight uniforms from its covariate stream in a fixed order, so changing one
    covariate's distribution leaves the others' draws unchanged.
    """
    u = np.array([patient_stream(seed, index, COVARIATE_STREAM).random(8) for index in patients]).reshape(-1, 8)
    typical = get_profile(subtype).parameters.get("trait_anxiety", _declared()["trait_anxiety"])
    trait_mean = typical if distribution.trait_anxiety_mean is None else distribution.trait_anxiety_mean
    frame = pd.DataFrame({
        "sex": np.where(u[:, 0] < distribution.female_share, "F", "M"),
        "age": _truncated_normal(u[:, 1], distribution.age_mean_years, distribution.age_sd_years,
                                 *distribution.age_range_years),
        "trait_anxiety": _truncated_normal(u[:, 2], trait_mean, distribution.trait_anxiety_sd, *STAI_T_RANGE),
        "oxtr_rs53576": _genotype(u[:, 3], u[:, 4], distribution.rs53576_a_frequency),
        "oxtr_rs2254298": _genotype(u[:, 5], u[:, 6], distribution.rs2254298_a_frequency),
        "early_adversity": u[:, 7] < distribution.early_adversity_prevalence,
    }, index=pd.Index(np.asarray(patients, dtype=np.int64), name="patient"))
    return frame.astype({"sex": str, "oxtr_rs53576": str, "oxtr_rs2254298": str})


@dataclass(frozen=True)
class CovariateEffect:
    """One covariate acting on one model parameter (value in the parameter's declared unit).

    ``how``: ``set`` makes the parameter ``magnitude`` times the covariate; ``times_if`` multiplies it by
    ``magnitude`` for patients whose covariate is one of ``levels``; ``times_per_unit`` multiplies it by
    ``magnitude ** (covariate - reference)``.
    """

    covariate: str
    parameter: str
    how: Literal["set", "times_if", "times_per_unit"]
    magnitude: float
    source: str
    levels: tuple[str | bool, ...] = ()
    reference: float = 0.0

    def apply(self, covariate: np.ndarray, value: np.ndarray) -> np.ndarray:
        """The parameter after this effect, from its current per-patient ``value``."""
        if self.how == "set":
            return self.magnitude * covariate.astype(float)
        if self.how == "times_if":
            return value * np.where(np.isin(covariate, list(self.levels)), self.magnitude, 1.0)
        return value * self.magnitude ** (covariate.astype(float) - self.reference)


_OXTR_ABSENT = ("a 2-fold higher oxtr_ec50 stands for 'no effect' (assumption: a weaker, not absent, response, "
                "since ID-01 finds no main effect of the genotype)")
_AGE_CLEARANCE = ("assumption: clearance falls ~1 % per year of age from 40 (about -25 % by 65; drug exposure "
                  "is higher in older adults, escitalopram and alprazolam labels, from memory)")

COVARIATE_EFFECTS: tuple[CovariateEffect, ...] = (
    CovariateEffect("trait_anxiety", "trait_anxiety", "set", 1.0,
                    "N3 (Kou 2022): the oxytocin amygdala effect grows with trait anxiety; the model's "
                    "trait_anxiety is the patient's STAI-T score"),
    CovariateEffect("oxtr_rs53576", "oxtr_ec50", "times_if", 2.0,
                    "CL-06 (Kou 2022): oxytocin effects only in rs53576 AA homozygotes; " + _OXTR_ABSENT,
                    levels=("AG", "GG")),
    CovariateEffect("oxtr_rs2254298", "oxtr_ec50", "times_if", 2.0,
                    "CL-06 (Kou 2022): oxytocin effects only in rs2254298 A carriers; " + _OXTR_ABSENT,
                    levels=("GG",)),
    CovariateEffect("early_adversity", "oxtr_ec50", "times_if", 2.0,
                    "ID-06 (Bakermans-Kranenburg & van IJzendoorn 2013): positive oxytocin effects are lowered "
                    "or absent after early adversity (Riem 2020 found the opposite with support); 2-fold "
                    "assumed", levels=(True,)),
    CovariateEffect("early_adversity", "hpa_drive", "times_if", 1.2,
                    "assumption: P13 (Liu 2017; Struijs 2021) early adversity raises risk; taken as a 20 % "
                    "stronger chronic hypothalamic drive (Milo 2025: chronic stress raises u)", levels=(True,)),
    CovariateEffect("sex", "stress_drive_gain", "times_if", 0.8,
                    "HPA-07, HPA-08 (Gu 2022; Liu 2017): men show larger TSST cortisol responses than women; "
                    "a 20 % smaller stressor gain in women is assumed", levels=("F",)),
    CovariateEffect("age", "ssri_clearance", "times_per_unit", 0.99, _AGE_CLEARANCE, reference=40.0),
    CovariateEffect("age", "bzd_clearance", "times_per_unit", 0.99, _AGE_CLEARANCE, reference=40.0),
)


def _declared(hypotheses: Mapping[str, str] | None = None) -> dict[str, float]:
    """Every parameter's value in its declared unit, with hypothesis-variant values applied."""
    return {p.name: p.value for p in build_model(dict(hypotheses or {})).parameters}


def covariate_parameters(
    covariates: pd.DataFrame,
    subtype: str,
    *,
    hypotheses: Mapping[str, str] | None = None,
    overrides: Mapping[str, float] | None = None,
    effects: Sequence[CovariateEffect] = COVARIATE_EFFECTS,
) -> dict[str, np.ndarray]:
    """Per-patient values, in declared units, of every parameter a covariate moves (for ``simulate``).

    Each starts from the model value, the subtype profile's value and ``overrides`` (an arm's parameters),
    in that order; ``set`` effects apply first, then the factors multiply.
    """
    base = {**_declared(hypotheses), **get_profile(subtype).parameters, **(overrides or {})}
    values: dict[str, np.ndarray] = {}
    for effect in sorted(effects, key=lambda e: e.how != "set"):
        current = values.get(effect.parameter, np.full(len(covariates), float(base[effect.parameter])))
        values[effect.parameter] = effect.apply(covariates[effect.covariate].to_numpy(), current)
    return values
