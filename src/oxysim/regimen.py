"""Regimens: what is given or done to a virtual patient, and when, turned into simulation events.

A regimen is a list of elements; each element is one agent on one schedule (oxytocin sprays, SSRI
tablets, CBT sessions, a Trier stress test, ...). Three equivalent forms are accepted: a concise text
form in the spirit of mrgsolve's ``ev_rx`` (``"oxytocin 24 IU in q48h x 10 @08:00"``), YAML or a
dict, and the pydantic models themselves. Every user mistake is reported as one
:class:`~oxysim.errors.RegimenError` that names the element, the bad value and what to write.

Times are hours from 00:00 of day 0. Event amounts are in model units: µg of oxytocin, mg of drug.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from oxysim.engine.events import Event
from oxysim.errors import RegimenError

IU_TO_UG = 1.68
"""µg of oxytocin per IU: Labuschagne et al. 2010, Neuropsychopharmacology 35:2403 ("24 IU or 40.32 µg")."""

_UG_PER_UNIT = {"IU": IU_TO_UG, "ug": 1.0, "mg": 1000.0}
_UNIT_ALIASES = {"iu": "IU", "ug": "ug", "µg": "ug", "μg": "ug", "mcg": "ug", "mg": "mg"}
_ROUTE_ALIASES = {"in": "in", "intranasal": "in", "iv": "iv", "intravenous": "iv", "po": "po", "oral": "po"}
_ROUTE_NAMES = {"in": "intranasal", "iv": "intravenous", "po": "oral"}


@dataclass(frozen=True)
class _Kind:
    """One agent: allowed units (limit in the first), routes (route -> dosed state) or session inputs."""

    example: str
    units: tuple[str, ...] = ()
    model_unit: str = ""
    max_dose: float = 0.0
    limit_note: str = ""
    routes: Mapping[str, str | None] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    duration_min: float | None = None
    treatment: bool = False


_KINDS = {
    "oxytocin": _Kind(
        "oxytocin 24 IU in q24h x 21 @08:00", ("IU", "ug"), "ug", 200.0,
        " (the studied range is 8-80 IU, typically 24 IU)", {"in": "ot_nasal", "iv": "ot_central"},
        treatment=True,
    ),
    "placebo": _Kind("placebo in q24h x 21 @08:00", routes={"in": None}, treatment=True),
    "ssri": _Kind("ssri 10 mg po q24h x 84 @08:00", ("mg", "ug"), "mg", 60.0, routes={"po": "ssri_gut"},
                  treatment=True),
    "bzd": _Kind("bzd 0.5 mg po q24h x 14 @08:00", ("mg", "ug"), "mg", 10.0, routes={"po": "bzd_gut"}, treatment=True),
    "cbt": _Kind("cbt weekly x 12 @10:00 for 60 min", inputs=("threat_cue", "therapy_session"), duration_min=60.0,
                 treatment=True),
    "tsst": _Kind("tsst x 1 @10:00 day 0 with support", inputs=("stressor",), duration_min=15.0),
    "conditioning": _Kind("conditioning x 1 @09:00 for 10 min", inputs=("threat_cue", "unconditioned_stimulus"),
                          duration_min=10.0),
    "faces": _Kind("faces x 1 @09:15", inputs=("threat_cue", "social_context"), duration_min=10.0),
}
_AGENT_ALIASES = {**{name: name for name in _KINDS}, "escitalopram": "ssri", "alprazolam": "bzd", "exposure": "cbt"}
_AGENT_LIST = "oxytocin, placebo, ssri (escitalopram), bzd (alprazolam), cbt (exposure), tsst, conditioning, faces"


def _num(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (24.0 -> '24')."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _choices(values: Sequence[str]) -> str:
    """'IU or ug'; routes get their names: 'in (intranasal) or iv (intravenous)'."""
    return " or ".join(f"{v} ({_ROUTE_NAMES[v]})" if v in _ROUTE_NAMES else v for v in values)


def _canonical(value: Any, what: str, aliases: Mapping[str, str], allowed: Sequence[str], agent: str) -> str:
    """Resolve a unit or route alias, refusing unknown ones and ones this agent does not take."""
    found = aliases.get(str(value).strip().lower())
    if found is None:
        raise ValueError(f"unknown {what} {value!r}; use {_choices(allowed)}")
    if found not in allowed:
        raise ValueError(f"{what} {value!r} is not allowed for {agent}; use {_choices(allowed)}")
    return found


def _clock(value: Any) -> str:
    """A clock time as zero-padded 'HH:MM', refusing anything outside 00:00-23:59."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip()) if isinstance(value, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"clock time {value!r} is not valid; write HH:MM from 00:00 to 23:59, e.g. @08:00")
    return f"{int(match[1]):02d}:{match[2]}"


class Element(BaseModel):
    """One agent on one schedule.

    ``count`` repetitions ``interval_h`` hours apart, the first on ``start_day``; each repetition
    gives one administration at every clock time in ``at`` (default 08:00, the usual morning dose).
    Dose kinds take dose, unit and route (default: the first route listed for the agent);
    session kinds (cbt, tsst, conditioning, faces) take a ``duration_min`` window instead, and tsst
    takes ``support`` (a supportive other present during the stressor).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    agent: str
    dose: float | None = Field(default=None, gt=0)
    unit: str | None = None
    route: str | None = None
    interval_h: float = Field(default=24.0, gt=0)
    count: int = Field(default=1, ge=1, le=10000)
    at: tuple[str, ...] = ("08:00",)
    start_day: int = Field(default=0, ge=0)
    duration_min: float | None = Field(default=None, ge=1, le=600)
    support: bool = False

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        """Resolve aliases and per-agent defaults, so that equivalent elements compare equal."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        if data.get("agent") is None:
            raise ValueError(f"missing 'agent'; use one of {_AGENT_LIST}")
        agent = _AGENT_ALIASES.get(str(data["agent"]).strip().lower())
        if agent is None:
            raise ValueError(f"unknown agent {data['agent']!r}; use one of {_AGENT_LIST}")
        kind, data["agent"] = _KINDS[agent], agent
        refused = ["dose", "unit"] * (not kind.units) + ["route"] * (not kind.routes)
        given = [name for name in refused if data.get(name) is not None]
        if given or (agent != "tsst" and data.get("support")):
            name = given[0] if given else "support"
            raise ValueError(f"{agent} takes no {name} (got {data[name]!r}); write e.g. '{kind.example}'")
        if kind.units:
            if data.get("dose") is None or data.get("unit") is None:
                raise ValueError(f"{agent} needs a dose and unit ({_choices(kind.units)}), e.g. '{kind.example}'")
            data["unit"] = _canonical(data["unit"], "unit", _UNIT_ALIASES, kind.units, agent)
        if kind.routes:
            route = data.get("route") or next(iter(kind.routes))
            data["route"] = _canonical(route, "route", _ROUTE_ALIASES, list(kind.routes), agent)
        if not kind.inputs or data.get("duration_min") is None:
            data["duration_min"] = kind.duration_min
        return data

    @field_validator("at", mode="before")
    @classmethod
    def _clock_times(cls, value: Any) -> tuple[str, ...]:
        """Accept 'HH:MM', 'HH:MM,HH:MM' or a list; store sorted, so the order written does not matter."""
        items = value.split(",") if isinstance(value, str) else value
        times = sorted(_clock(item) for item in (items if isinstance(items, list | tuple) else [items]))
        if not times or len(set(times)) < len(times):
            raise ValueError(f"clock times {value!r} must be one or more distinct HH:MM, e.g. @08:00,20:00")
        return tuple(times)

    @model_validator(mode="after")
    def _check_limits(self) -> Element:
        """Refuse doses above the modelled range and sessions that would overlap their own repeat."""
        kind = _KINDS[self.agent]
        if self.dose is not None and self.unit is not None:
            limit_ug = kind.max_dose * _UG_PER_UNIT[kind.units[0]]
            if self.dose * _UG_PER_UNIT[self.unit] > limit_ug * (1 + 1e-9):
                raise ValueError(
                    f"{self.agent} dose {_num(self.dose)} {self.unit} exceeds the {_num(kind.max_dose)} "
                    f"{kind.units[0]} per-administration limit{kind.limit_note}"
                )
        if self.duration_min is not None and self.interval_h * 60 < self.duration_min:
            raise ValueError(
                f"interval {_num(self.interval_h)} h is shorter than the {_num(self.duration_min)} min session; "
                "use a longer interval (e.g. weekly) or a shorter 'for N min'"
            )
        return self

    @property
    def label(self) -> str:
        """Short name used on events: 'oxytocin 24 IU in', 'placebo in', 'tsst 15 min with support'."""
        if self.duration_min is None:
            return " ".join(x for x in (self.agent, self.dose and _num(self.dose), self.unit, self.route) if x)
        return f"{self.agent} {_num(self.duration_min)} min" + " with support" * self.support

    @property
    def inputs(self) -> tuple[str, ...]:
        """The inputs a session element switches to 1 during its windows (none for doses)."""
        return _KINDS[self.agent].inputs + ("social_support",) * self.support

    @property
    def amount(self) -> float:
        """One administration in model units (µg oxytocin, mg drug); 0 for placebo and sessions."""
        if self.dose is None or self.unit is None:
            return 0.0
        return self.dose * _UG_PER_UNIT[self.unit] / _UG_PER_UNIT[_KINDS[self.agent].model_unit]

    def times(self) -> list[float]:
        """Administration (or session start) times in hours, sorted."""
        clocks = [int(t[:2]) + int(t[3:]) / 60 for t in self.at]
        return sorted(24 * self.start_day + c + k * self.interval_h for k in range(self.count) for c in clocks)

    def to_text(self) -> str:
        """The element in the text form, with every field written out."""
        parts = [self.agent] + ([_num(self.dose), self.unit] if self.dose is not None and self.unit else [])
        parts += [self.route] if self.route else []
        parts += [f"q{_num(self.interval_h)}h", f"x {self.count}", "@" + ",".join(self.at), f"day {self.start_day}"]
        parts += [f"for {_num(self.duration_min)} min"] if self.duration_min is not None else []
        return " ".join(parts + ["with support"] * self.support)

    def describe(self) -> str:
        """Plain words: 'oxytocin 24 IU intranasal every 48 h x10 at 08:00 from day 0'."""
        what = self.label.removesuffix(f" {self.route}") + (f" {_ROUTE_NAMES[self.route]}" if self.route else "")
        when = "once" if self.count == 1 else f"every {_num(self.interval_h)} h x{self.count}"
        return f"{what} {when} at {', '.join(self.at)} from day {self.start_day}"


def _explain(exc: ValidationError) -> str:
    """The first pydantic error as one sentence: the field, the bad value and what is allowed."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown field {where!r}; allowed fields: {', '.join(Element.model_fields)}"
    message = error["msg"].removeprefix("Value error, ")
    return message if error["type"] == "value_error" or not where else f"{where} = {error['input']!r}: {message}"


def _build(data: Mapping[str, Any], where: str) -> Element:
    """Validate one element, turning a pydantic error into a RegimenError that says where."""
    try:
        return Element.model_validate(data)
    except ValidationError as exc:
        raise RegimenError(f"{where}: {_explain(exc)}") from None


_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_INTERVAL = re.compile(rf"q({_NUMBER})([hd])", re.IGNORECASE)
_INTERVAL_WORDS = {"daily": 24.0, "qod": 48.0, "weekly": 168.0}
_MINUTES_PER = {"min": 1.0, "mins": 1.0, "minutes": 1.0, "h": 60.0, "hr": 60.0, "hours": 60.0}
_KEYWORDS = {*_ROUTE_ALIASES, *_INTERVAL_WORDS, "x", "day", "from", "for", "with"}


def _is_number(token: str) -> bool:
    return re.fullmatch(_NUMBER, token, re.IGNORECASE) is not None


def _tokens(text: str) -> list[str]:
    """Whitespace tokens, with '@ 08:00 , 20:00' closed up and '24IU' / '60min' split in two."""
    tokens = []
    for token in re.sub(r"\s*,\s*", ",", re.sub(r"@\s+", "@", text)).split():
        glued = None if _is_number(token) else re.fullmatch(rf"({_NUMBER})([^\W\d].*)", token, re.IGNORECASE)
        tokens += [glued[1], glued[2]] if glued else [token]
    return tokens


def _parse_element(text: str, index: int) -> Element:
    """Parse one ';'-separated element of the text form."""
    where = f"regimen element {index} ({text!r})"
    tokens = deque(_tokens(text))
    first = tokens.popleft()
    agent = _AGENT_ALIASES.get(first.lower())
    if agent is None:
        raise RegimenError(f"{where}: unknown agent {first!r}; use one of {_AGENT_LIST}, "
                           f"e.g. '{_KINDS['oxytocin'].example}'")
    example = _KINDS[agent].example
    fields: dict[str, Any] = {"agent": agent}

    def fail(problem: str) -> RegimenError:
        return RegimenError(f"{where}: {problem}; valid syntax is e.g. '{example}'")

    def put(name: str, value: Any, token: str) -> None:
        if name in fields:
            raise fail(f"{token!r} gives the {name} a second time")
        fields[name] = value

    def number(after: str) -> float | int:
        token = tokens.popleft() if tokens else ""
        if not _is_number(token):
            raise fail(f"expected a number after {after!r}, got {token or 'nothing'!r}")
        value = float(token)
        return int(value) if value.is_integer() else value

    while tokens:
        token = tokens.popleft()
        low = token.lower()
        if _is_number(token):
            put("dose", float(token), token)
            if tokens and tokens[0].lower() not in _KEYWORDS and not tokens[0].startswith("@"):
                fields["unit"] = tokens.popleft()
        elif low in _ROUTE_ALIASES:
            put("route", token, token)
        elif low in _INTERVAL_WORDS or _INTERVAL.fullmatch(token):
            match = _INTERVAL.fullmatch(token)
            hours = float(match[1]) * (24 if match[2].lower() == "d" else 1) if match else _INTERVAL_WORDS[low]
            put("interval_h", hours, token)
        elif re.fullmatch(r"x\d+", low):
            put("count", int(low[1:]), token)
        elif low == "x":
            put("count", number("x"), token)
        elif token.startswith("@"):
            put("at", token[1:], token)
        elif low in ("day", "from"):
            if low == "from" and (not tokens or tokens.popleft().lower() != "day"):
                raise fail("'from' must be followed by 'day N'")
            put("start_day", number("day"), token)
        elif low == "for":
            value, unit = number("for"), (tokens.popleft() if tokens else "")
            if unit.lower() not in _MINUTES_PER:
                raise fail(f"unknown duration unit {unit!r} after 'for {_num(value)}'; use min or h")
            put("duration_min", value * _MINUTES_PER[unit.lower()], token)
        elif low == "with" and tokens and tokens[0].lower() == "support":
            tokens.popleft()
            put("support", True, token)
        else:
            raise fail(f"unexpected {token!r}")
    return _build(fields, where)


class YamlLoader(yaml.SafeLoader):
    """Safe YAML loader that reads an unquoted clock time such as 10:00 as text.

    PyYAML follows YAML 1.1, which would read 10:00 as the base-60 integer 600.
    """


YamlLoader.yaml_implicit_resolvers = {
    first: [("tag:yaml.org,2002:str", re.compile(r"^\d{1,2}:\d{2}$"))] * first.isdigit() + list(resolvers)
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Regimen(BaseModel):
    """An ordered list of elements; empty means natural history (no treatment, no tasks)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    elements: tuple[Element, ...] = ()

    @classmethod
    def from_text(cls, text: str) -> Regimen:
        """Parse the text form: elements separated by ';'; '' or 'none' is the empty regimen."""
        parts = [part.strip() for part in text.split(";") if part.strip()]
        if [part.lower() for part in parts] in ([], ["none"]):
            return cls()
        return cls(elements=tuple(_parse_element(part, i) for i, part in enumerate(parts, 1)))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | Sequence[Any] | None) -> Regimen:
        """Build from ``{"elements": [...]}`` or a bare list of element mappings."""
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key != "elements")
            if unknown:
                raise RegimenError(f"regimen: unknown field {unknown[0]!r}; the only allowed field is 'elements'")
            data = data.get("elements")
        if data is None:
            return cls()
        if isinstance(data, str | bytes) or not isinstance(data, Sequence):
            raise RegimenError(f"regimen: expected a list of elements or {{elements: [...]}}, got {data!r}")
        elements = []
        for i, item in enumerate(data, 1):
            if not isinstance(item, Mapping):
                raise RegimenError(f"regimen element {i}: expected a mapping such as "
                                   f"{{agent: oxytocin, dose: 24, unit: IU, route: in}}, got {item!r}")
            elements.append(_build(item, f"regimen element {i} (agent {item.get('agent')!r})"))
        return cls(elements=tuple(elements))

    @classmethod
    def from_yaml(cls, text: str) -> Regimen:
        """Build from YAML holding what :meth:`from_dict` accepts."""
        try:
            data = yaml.load(text, Loader=YamlLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise RegimenError(f"regimen YAML cannot be read{at}: {getattr(exc, 'problem', None) or exc}") from None
        return cls.from_dict(data)

    def to_text(self) -> str:
        """The text form; :meth:`from_text` reads it back to an equal regimen."""
        return "; ".join(element.to_text() for element in self.elements) or "none"

    def to_dict(self) -> dict[str, Any]:
        """The dict form; :meth:`from_dict` reads it back to an equal regimen."""
        return {"elements": [element.model_dump(mode="json", exclude_none=True) for element in self.elements]}

    def describe(self) -> str:
        """A one-line summary in plain words."""
        return "; ".join(e.describe() for e in self.elements) or "no regimen (natural history)"

    def __add__(self, other: Regimen) -> Regimen:
        """Both regimens' elements, e.g. a titration plus a CBT course."""
        if not isinstance(other, Regimen):
            return NotImplemented
        return Regimen(elements=self.elements + other.elements)

    def dose_times(self, agent: str) -> list[float]:
        """Hours of every administration (or session start) of ``agent`` (aliases accepted), sorted."""
        name = _AGENT_ALIASES.get(agent.strip().lower())
        if name is None:
            raise RegimenError(f"unknown agent {agent!r}; use one of {_AGENT_LIST}")
        return sorted(t for element in self.elements if element.agent == name for t in element.times())

    def events(self, days: float | None = None) -> list[Event]:
        """Bolus and input-switch events sorted by time, dropping those at or after ``days`` * 24 h.

        Session windows are merged per input (the input is 1 while any window covers it), and
        ``in_treatment`` switches to 1 at the first treatment administration and stays there.
        """
        events: list[Event] = []
        windows: dict[str, list[tuple[float, float]]] = {}
        first_treatment = math.inf
        for element in self.elements:
            kind, times = _KINDS[element.agent], element.times()
            if kind.treatment:
                first_treatment = min(first_treatment, times[0])
            if kind.inputs:
                for name in element.inputs:
                    windows.setdefault(name, []).extend((t, t + (element.duration_min or 0) / 60) for t in times)
            else:
                state = kind.routes[element.route or ""]
                events += [Event(t, {state: element.amount} if state else {}, {}, element.label) for t in times]
        for name, spans in windows.items():
            for start, end in _union(spans):
                events += [Event(start, {}, {name: 1.0}, f"{name} on"), Event(end, {}, {name: 0.0}, f"{name} off")]
        if first_treatment < math.inf:
            events.append(Event(first_treatment, {}, {"in_treatment": 1.0}, "in_treatment"))
        end = math.inf if days is None else days * 24
        return sorted((event for event in events if event.time < end), key=lambda event: event.time)


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Merge overlapping or touching [start, end) intervals."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def parse_regimen(spec: Regimen | str | Mapping[str, Any] | Sequence[Any] | None) -> Regimen:
    """A Regimen from a Regimen (returned as is), YAML text, a dict or list, or the text form."""
    if isinstance(spec, Regimen):
        return spec
    if isinstance(spec, str):
        looks_like_yaml = re.match(r"\s*(-\s|\[|\{)", spec) or re.search(r"^\s*\w+\s*:(\s|$)", spec, re.M)
        return Regimen.from_yaml(spec) if looks_like_yaml else Regimen.from_text(spec)
    return Regimen.from_dict(spec)


def titration(
    agent: str, doses: Sequence[float], unit: str, days_per_step: int, *, route: str | None = None,
    at: str | Sequence[str] = "08:00", interval_h: float = 24.0, start_day: int = 0,
) -> Regimen:
    """Successive elements of changing dose, each step ``days_per_step`` days long.

    Each step repeats every ``interval_h`` hours as often as fits in its days; step i starts on
    day ``start_day + i * days_per_step``, as if written by hand as '...; ... day 7; ... day 14'.
    """
    if not doses or days_per_step < 1 or interval_h <= 0:
        raise RegimenError(
            f"titration needs one or more doses, days_per_step >= 1 and interval_h > 0 (got {list(doses)}, "
            f"{days_per_step}, {interval_h}); e.g. titrate_oxytocin([8, 16, 24], days_per_step=7)"
        )
    count = math.ceil(days_per_step * 24 / interval_h - 1e-9)
    return Regimen.from_dict([
        {"agent": agent, "dose": dose, "unit": unit, "route": route, "interval_h": interval_h, "count": count,
         "at": at, "start_day": start_day + i * days_per_step}
        for i, dose in enumerate(doses)
    ])


def titrate_oxytocin(
    doses_iu: Sequence[float], days_per_step: int = 7, *, at: str | Sequence[str] = "08:00",
    interval_h: float = 24.0, route: str = "in", start_day: int = 0,
) -> Regimen:
    """Oxytocin titration in IU, e.g. ``titrate_oxytocin([8, 16, 24])``: 8, 16 then 24 IU, a week each."""
    return titration("oxytocin", doses_iu, "IU", days_per_step, route=route, at=at, interval_h=interval_h,
                     start_day=start_day)
