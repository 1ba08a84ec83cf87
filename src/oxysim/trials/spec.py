"""The study specification of a virtual trial, validated (from YAML or Python) before anything runs.

A wrong field raises one :class:`~oxysim.errors.InputError` that names the field path, the bad value and
what is allowed, so a long run never starts from a spec it would have to abandon.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from oxysim.errors import InputError, ModelDefinitionError, RegimenError
from oxysim.model import build_model
from oxysim.population.subtypes import get_profile
from oxysim.population.variability import (
    DEFAULT_VARIABILITY,
    Correlation,
    Variability,
    correlation_factor,
    with_cvs,
)
from oxysim.regimen import YamlLoader, parse_regimen
from oxysim.simulation import MAX_DAYS
from oxysim.trials.covariates import COVARIATES, CovariateDistribution

Scale = Literal["lsas", "ham_a", "pdss", "stai", "fsq"]
MAX_PATIENTS_PER_ARM = 100_000
"""Largest arm: keeps a trial's screening pool (:data:`oxysim.trials.design.SCREENING_LIMIT` times the
trial) inside the patient indices reserved per replicate trial."""

_FROZEN = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Arm(BaseModel):
    """One arm: its name, its regimen (text, YAML or dict form) and optional parameter overrides."""

    model_config = _FROZEN

    name: str = Field(min_length=1, max_length=64)
    regimen: str = Field(description="stored in the canonical text form, so equal regimens compare equal")
    parameters: dict[str, float] = Field(
        default_factory=dict, description="values in declared units (see 'oxysim params') for this arm only, "
        "e.g. ot_crh_inhibition: 0 to switch the HPA route of oxytocin off")

    @field_validator("regimen", mode="before")
    @classmethod
    def _regimen(cls, value: Any) -> str:
        """Parse the regimen now so that a typo stops the spec, not the run."""
        try:
            return parse_regimen(value).to_text()
        except RegimenError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(build_model().parameter_names))
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; run 'oxysim params' for the names")
        return value


class Design(BaseModel):
    """Parallel groups, or a two-period AB/BA crossover with a washout between the periods."""

    model_config = _FROZEN

    type: Literal["parallel", "crossover"] = "parallel"
    washout_days: int = Field(0, ge=0, le=365, description="days between the end of period 1 and the "
                              "start of period 2 (crossover only)")

    @model_validator(mode="before")
    @classmethod
    def _from_word(cls, data: Any) -> Any:
        """Accept the bare word: ``design: parallel``."""
        return {"type": data} if isinstance(data, str) else data


class Randomisation(BaseModel):
    """Permuted blocks within strata of covariates."""

    model_config = _FROZEN

    block_size: int | None = Field(None, ge=1, le=1000, description="a multiple of the number of arms; "
                                   "None: twice the number of arms")
    strata: tuple[str, ...] = Field((), description=f"covariates to stratify by, from: {', '.join(COVARIATES)}")

    @field_validator("strata")
    @classmethod
    def _strata(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in COVARIATES]
        if unknown or len(set(value)) < len(value):
            raise ValueError(f"strata must be distinct covariates from: {', '.join(COVARIATES)}")
        return value


class Dropout(BaseModel):
    """Random and outcome-dependent leaving of the trial (see :func:`oxysim.trials.design.dropout_visits`)."""

    model_config = _FROZEN

    weekly_rate: float = Field(0.0, ge=0, lt=1, description="probability of leaving per week at an unchanged score")
    outcome_dependent_slope: float = Field(
        0.0, ge=0, le=50, description="the weekly hazard is multiplied by exp(slope x fractional worsening of "
        "the primary scale since the period's baseline)")


class Inclusion(BaseModel):
    """Screening: patients below the threshold are screened out and replaced by the next patients."""

    model_config = _FROZEN

    min_baseline: float | None = Field(None, ge=0, description="minimum primary-scale score at screening; "
                                       "None screens nobody out")


class VirtualPopulation(BaseModel):
    """Select the enrolled patients so that their primary-scale baselines follow a target normal distribution
    (acceptance-rejection of Allen et al. 2016, :mod:`oxysim.population.selection`).

    The selection sees each candidate's noise-free score at screening; the observed baselines add rater error
    (:mod:`oxysim.trials.observation`), so their SD is sqrt(baseline_sd^2 + SEM^2), e.g. an observed LSAS SD of
    17.5 needs baseline_sd = sqrt(17.5^2 - 9.9^2) = 14.4.
    """

    model_config = _FROZEN

    baseline_mean: float = Field(ge=0, description="target mean of the primary scale at baseline (e.g. LSAS ~90 in "
                                 "SAD trials, HAM-A ~25 in GAD trials; CL-19)")
    baseline_sd: float = Field(gt=0, description="target SD of the primary scale at baseline")
    reference_pool: int = Field(2000, ge=200, le=100_000, description="plausible patients whose baseline density "
                                "the selection divides by (more: a smoother estimate, a slower start)")


class CorrelationSpec(BaseModel):
    """A correlation between two parameters' random effects, with the source every number needs."""

    model_config = _FROZEN

    parameters: tuple[str, str]
    rho: float = Field(gt=-1, lt=1)
    source: str = Field(min_length=1, description="a citation, or 'assumption: ...' with its reason")


class PopulationVariability(BaseModel):
    """Between-patient variability beyond the defaults (oxysim.population.variability), NONMEM-style: a
    log-normal CV per parameter (replacing a default's, or adding a parameter) and correlations between the
    random effects (the OMEGA block). Patients keep their draws for the parameters they already had."""

    model_config = _FROZEN

    cv: dict[str, float] = Field(default_factory=dict, description="log-normal CV per parameter, 0-5 "
                                 "(0 switches a default's variability off)")
    cv_source: str | None = Field(None, description="where the CVs come from (required with cv)")
    correlations: tuple[CorrelationSpec, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> PopulationVariability:
        unknown = sorted(set(self.cv) - set(build_model().parameter_names))
        if unknown:
            raise ValueError(f"cv: unknown parameter(s) {', '.join(unknown)}; run 'oxysim params' for the names")
        bad = {name: cv for name, cv in self.cv.items() if not 0 <= cv <= 5}
        if bad:
            raise ValueError(f"cv: CVs must lie in 0-5 (a fraction, 0.3 = 30 %); got {bad}")
        if self.cv and not (self.cv_source or "").strip():
            raise ValueError("cv_source: say where the CVs come from (a citation, or 'assumption: ...')")
        try:
            correlation_factor(*self.resolved())
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return self

    def resolved(self, subtype: str | None = None) -> tuple[tuple[Variability, ...], tuple[Correlation, ...]]:
        """The variability (the subtype's, or the defaults without one, with this spec's CVs) and the
        correlations the trial's patients draw from."""
        base = DEFAULT_VARIABILITY if subtype is None else get_profile(subtype).population_variability()
        source = f"study spec: {self.cv_source}"
        variability = with_cvs(base, [Variability(name, cv, source) for name, cv in self.cv.items()])
        correlations = tuple(Correlation(*c.parameters, c.rho, c.source) for c in self.correlations)
        return variability, correlations


class Endpoints(BaseModel):
    """Scales measured at every visit, and mechanistic probes at the end of treatment."""

    model_config = _FROZEN

    primary: Scale | None = Field(None, description="None: the subtype's primary scale")
    secondary: tuple[Scale, ...] = ()
    mechanistic: bool = Field(False, description="a faces task and a TSST the day after the last treatment day")
    response_reduction: float = Field(0.5, gt=0, lt=1, description="response: at least this fractional reduction of "
                                      "the primary scale from baseline (0.5, the common HAM-A criterion; 0.29 for "
                                      "clinician-rated LSAS after von Glischinski 2018, the cut of CL-07; 0.4 for "
                                      "the PDSS after Furukawa 2009)")
    remission_below: float | None = Field(None, ge=0, description="remission: primary score below this at the end "
                                          "of treatment (e.g. HAM-A 7, CL-23; LSAS 30, von Glischinski 2018; PDSS 6, "
                                          "i.e. at most 5, Furukawa 2009); None: not reported")
    relapse_after: Literal["response", "remission"] = Field(
        "response", description="relapse at follow-up is a loss of response among end-of-treatment responders, or "
        "a return to remission_below or above among remitters (Levy 2021, CL-08, pool relapse after remission)")

    @model_validator(mode="after")
    def _remission_cut_for_relapse(self) -> "Endpoints":
        if self.relapse_after == "remission" and self.remission_below is None:
            raise ValueError("relapse_after 'remission' needs remission_below, the remission cut-off "
                             "(e.g. 30 for the LSAS, 7 for the HAM-A)")
        return self
    counterfactual_control: bool = Field(
        False, description="also simulate every patient of an active arm under the control arm (an in-silico twin), "
        "so the report gives the model's paired effect free of sampling and rater noise (parallel designs only)")


class Sensitivity(BaseModel):
    """Global sensitivity of the trial's answer to the model parameters, shown in its report
    (:func:`oxysim.sensitivity.run_sensitivity`: Morris screening of every parameter, Sobol on the top ones)."""

    model_config = _FROZEN

    trajectories: int = Field(4, ge=2, le=200,
                              description="Morris trajectories r; cost 2 r (k + 1) typical-patient runs")
    samples: int = Field(32, ge=2, le=4096, description="Sobol base samples N, a power of 2; cost 2 N (top + 2) runs")
    top: int = Field(6, ge=1, le=50, description="parameters with the largest Morris mu* that get Sobol indices")
    seed: int = Field(0, ge=0, lt=2**32, description="seed of the Morris and Sobol designs")

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError(f"samples must be a power of 2 (e.g. 16, 32, 64); got {value}")
        return value


class Power(BaseModel):
    """Replicate trials per trial size, for a power curve."""

    model_config = _FROZEN

    n_per_arm: tuple[int, ...] = Field(min_length=1)
    replicates: int = Field(ge=1, le=10_000)

    @field_validator("n_per_arm")
    @classmethod
    def _sizes(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 2 <= n <= MAX_PATIENTS_PER_ARM for n in value) or len(set(value)) < len(value):
            raise ValueError(f"n_per_arm must list distinct sizes from 2 to {MAX_PATIENTS_PER_ARM}")
        return value


class StudySpec(BaseModel):
    """A virtual trial: population, arms, design, visits, dropout, endpoints and (optionally) power.

    Build it from YAML with :meth:`from_yaml` or in Python with keyword arguments; either way a wrong
    field raises :class:`~oxysim.errors.InputError`.
    """

    model_config = _FROZEN

    name: str = Field(min_length=1)
    seed: int = Field(ge=0, lt=2**32)
    subtype: str
    hypotheses: dict[str, str] = Field(default_factory=dict, description="hypothesis name -> variant "
                                       "(see 'oxysim hypotheses'); the others take their defaults")
    design: Design = Design()
    arms: tuple[Arm, ...] = Field(min_length=2)
    control: str = Field(description="the name of the control arm")
    n_per_arm: int = Field(ge=1, le=MAX_PATIENTS_PER_ARM)
    duration_weeks: int = Field(ge=1, le=104, description="treatment weeks (per period in a crossover)")
    visits_weeks: tuple[float, ...] = Field(description="weeks of the treatment period with a visit; "
                                            "must include 0 (baseline); default every week")
    follow_up_weeks: tuple[float, ...] = Field((), description="weeks after the end of treatment with a "
                                               "further visit (relapse: a responder who misses the response criterion, or a "
                                               "remitter back at the remission cut-off, at two consecutive follow-up visits "
                                               "or at the only one; endpoints.relapse_after); parallel designs only")
    randomisation: Randomisation = Randomisation()
    dropout: Dropout = Dropout()
    covariates: CovariateDistribution = CovariateDistribution()
    variability: PopulationVariability = PopulationVariability()
    inclusion: Inclusion = Inclusion()
    virtual_population: VirtualPopulation | None = None
    endpoints: Endpoints = Endpoints()
    power: Power | None = None
    sensitivity: Sensitivity | None = None

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InputError(f"study spec: {_explain(exc)}") from None

    @classmethod
    def from_yaml(cls, source: str | Path) -> StudySpec:
        """A spec from a YAML file (a path) or YAML text."""
        try:
            data = yaml.load(_yaml_text(source), Loader=YamlLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise InputError(f"study spec YAML cannot be read{at}: {getattr(exc, 'problem', None) or exc}") from None
        if not isinstance(data, Mapping):
            raise InputError(f"study spec YAML must be a mapping of fields (name: ..., arms: ...), got {data!r}")
        return cls(**{str(key): value for key, value in data.items()})

    @model_validator(mode="before")
    @classmethod
    def _weekly_visits(cls, data: Any) -> Any:
        """Default visits: every week of the treatment period, baseline included."""
        if isinstance(data, Mapping) and "visits_weeks" not in data and isinstance(data.get("duration_weeks"), int):
            return {**data, "visits_weeks": tuple(range(data["duration_weeks"] + 1))}
        return data

    @field_validator("subtype")
    @classmethod
    def _subtype(cls, value: str) -> str:
        try:
            return get_profile(value).code
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("hypotheses")
    @classmethod
    def _hypotheses(cls, value: dict[str, str]) -> dict[str, str]:
        try:
            build_model(value).chosen_variants  # noqa: B018 - validates the choice
        except ModelDefinitionError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("visits_weeks")
    @classmethod
    def _visits(cls, value: tuple[float, ...], info: ValidationInfo) -> tuple[float, ...]:
        weeks = info.data.get("duration_weeks")
        if 0 not in value or not _increasing(value) or min(value) < 0:
            raise ValueError("visits must be increasing weeks that include 0 (the baseline visit)")
        if weeks is not None and max(value) > weeks:
            raise ValueError(f"visits must lie within the {weeks}-week treatment period (duration_weeks)")
        return value

    @field_validator("follow_up_weeks")
    @classmethod
    def _follow_up(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(w <= 0 for w in value) or not _increasing(value):
            raise ValueError("follow-up visits must be increasing weeks after the end of treatment (> 0)")
        return value

    @model_validator(mode="after")
    def _check_arms(self) -> StudySpec:
        """Arm names, the control, the design's constraints, block size, regimen lengths and total length."""
        names = [arm.name for arm in self.arms]
        if len(set(names)) < len(names):
            raise ValueError(f"arms: names must be unique; got {names}")
        if self.control not in names:
            raise ValueError(f"control = {self.control!r} is not an arm; choose one of: {', '.join(names)}")
        if self.design.type == "crossover":
            self._check_crossover()
        block = self.randomisation.block_size
        if block is not None and block % len(self.arms):
            raise ValueError(f"randomisation.block_size = {block} must be a multiple of the {len(self.arms)} arms")
        for i, arm in enumerate(self.arms):
            times = [t for element in parse_regimen(arm.regimen).elements for t in element.times()]
            if times and max(times) >= self.treatment_days * 24:
                raise ValueError(f"arms[{i}].regimen ({arm.name!r}) has an administration or session at day "
                                 f"{max(times) / 24:g}, after the {self.duration_weeks}-week treatment period; "
                                 "shorten it or lengthen duration_weeks")
        if self.total_days > MAX_DAYS:
            raise ValueError(f"the trial lasts {self.total_days:g} days (treatment, washout, probes and "
                             f"follow-up); at most {MAX_DAYS:g} days can be simulated")
        return self

    def _check_crossover(self) -> None:
        """A crossover has two arms, no arm-specific parameters, no follow-up and room for the probes."""
        if len(self.arms) != 2:
            raise ValueError(f"design = crossover needs exactly 2 arms (AB/BA); got {len(self.arms)}")
        if any(arm.parameters for arm in self.arms):
            raise ValueError("arms[].parameters cannot change between the periods of one patient; "
                             "use a parallel design")
        if self.follow_up_weeks:
            raise ValueError("follow_up_weeks is for parallel designs; a crossover's washout follows period 1")
        if self.endpoints.counterfactual_control:
            raise ValueError("endpoints.counterfactual_control is for parallel designs; in a crossover every patient "
                             "already receives both arms")
        if self.endpoints.mechanistic and self.design.washout_days < 1:
            raise ValueError("design.washout_days = 0: the mechanistic probes need at least 1 washout day")

    @property
    def primary_scale(self) -> str:
        """The primary scale: as given, else the subtype's."""
        return self.endpoints.primary or get_profile(self.subtype).primary_scale

    @property
    def scales(self) -> tuple[str, ...]:
        """Scales measured at every visit: the primary first."""
        return tuple(dict.fromkeys((self.primary_scale, *self.endpoints.secondary)))

    @property
    def treatment_days(self) -> int:
        """Days of treatment in one period."""
        return 7 * self.duration_weeks

    @property
    def period_start_days(self) -> tuple[int, ...]:
        """The day each period starts: (0,) in a parallel design, (0, treatment + washout) in a crossover."""
        if self.design.type == "parallel":
            return (0,)
        return (0, self.treatment_days + self.design.washout_days)

    @property
    def total_days(self) -> float:
        """Days to simulate: every period, then the probe day and the follow-up."""
        end = self.period_start_days[-1] + self.treatment_days
        return end + max(7.0 * max(self.follow_up_weeks, default=0.0), 1.0 * self.endpoints.mechanistic)


def _increasing(values: Sequence[float]) -> bool:
    """Whether ``values`` increase strictly."""
    return all(a < b for a, b in pairwise(values))


def _yaml_text(source: str | Path) -> str:
    """The YAML text of ``source``: a file when it is a Path or a one-line name ending in .yaml/.yml."""
    looks_like_file = isinstance(source, Path) or ("\n" not in source and source.strip().endswith((".yaml", ".yml")))
    if not looks_like_file:
        return str(source)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"study spec file {str(path)!r} does not exist")
    return path.read_text(encoding="utf-8")


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a field path: ('arms', 1, 'regimen') -> 'arms[1].regimen'."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel]:
    """The model class that holds the fields at ``loc`` (for listing the allowed fields)."""
    model: type[BaseModel] = StudySpec
    for part in loc:
        if isinstance(part, str) and part in model.model_fields:
            model = _inner_model(model.model_fields[part].annotation) or model
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel inside an annotation such as ``tuple[Arm, ...]`` or ``Power | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((found for arg in typing.get_args(annotation) if (found := _inner_model(arg))), None)


def _follows_from(error: Mapping[str, Any], errors: list) -> bool:
    """A list found too short only because one of its items failed (that item's error says why)."""
    loc = error["loc"]
    return error["type"] == "too_short" and any(e["loc"][:len(loc)] == loc and e["loc"] != loc for e in errors)


def _explain(exc: ValidationError) -> str:
    """Every pydantic error as a sentence naming the field path, the bad value and what is allowed."""
    errors = exc.errors()
    sentences = []
    for error in filter(lambda e: not _follows_from(e, errors), errors):
        where, message = _where(error["loc"]), error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            allowed = ", ".join(_model_at(error["loc"][:-1]).model_fields)
            sentences.append(f"unknown field {where!r}; allowed fields there: {allowed}")
        elif error["type"] == "missing":
            sentences.append(f"missing field {where!r}")
        else:
            sentences.append(f"{where} = {error['input']!r}: {message}" if where else message)
    return "; ".join(sentences)
