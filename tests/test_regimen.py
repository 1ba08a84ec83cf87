"""Regimen parsing, validation and event generation (oxysim.regimen)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oxysim.engine.events import input_levels
from oxysim.errors import RegimenError
from oxysim.regimen import IU_TO_UG, Element, Regimen, parse_regimen, titrate_oxytocin, titration


def boluses(regimen: Regimen, state: str) -> list[tuple[float, float]]:
    return [(e.time, e.bolus[state]) for e in regimen.events() if state in e.bolus]


INPUTS = ["threat_cue", "unconditioned_stimulus", "therapy_session", "stressor", "social_support", "social_context",
          "in_treatment"]


def level(regimen: Regimen, name: str, times: np.ndarray) -> np.ndarray:
    return input_levels(regimen.events(), dict.fromkeys(INPUTS, 0.0), times)[name]


def switches(regimen: Regimen, name: str) -> list[tuple[float, float]]:
    return [(e.time, e.inputs[name]) for e in regimen.events() if name in e.inputs]


# --- doses ---------------------------------------------------------------------------------------


def test_q48h_x10_at_0800_gives_exact_dose_times() -> None:
    regimen = parse_regimen("oxytocin 24 IU in q48h x 10 @08:00")
    expected = [8.0 + 48.0 * k for k in range(10)]
    assert expected[-1] == 440.0
    assert regimen.dose_times("oxytocin") == expected
    assert [t for t, _ in boluses(regimen, "ot_nasal")] == expected


def test_24_iu_intranasal_is_40_32_ug_on_ot_nasal() -> None:
    (event,) = [e for e in parse_regimen("oxytocin 24 IU in x 1 @08:00").events() if e.bolus]
    assert event.bolus == {"ot_nasal": pytest.approx(40.32)}
    assert event.label == "oxytocin 24 IU in"
    assert IU_TO_UG == 1.68


def test_iv_goes_to_ot_central_in_ug_on_the_start_day() -> None:
    regimen = parse_regimen("oxytocin 40 ug iv x 1 @09:30 day 2")
    assert boluses(regimen, "ot_central") == [(57.5, 40.0)]
    assert boluses(regimen, "ot_nasal") == []


@pytest.mark.parametrize("unit", ["ug", "µg", "μg", "mcg", "UG"])
def test_microgram_spellings_are_one_unit(unit: str) -> None:
    assert parse_regimen(f"oxytocin 40 {unit} in") == parse_regimen("oxytocin 40 ug in")


def test_oral_drugs_in_mg_and_aliases() -> None:
    regimen = parse_regimen("escitalopram 10 mg po daily x 3 @08:00; alprazolam 500 ug po x 1 @22:00")
    assert boluses(regimen, "ssri_gut") == [(8.0, 10.0), (32.0, 10.0), (56.0, 10.0)]
    assert boluses(regimen, "bzd_gut") == [(22.0, pytest.approx(0.5))]
    assert regimen == parse_regimen("ssri 10 mg po q24h x 3 @08:00; bzd 500 ug x 1 @22:00")


def test_several_clock_times_each_interval_in_any_written_order() -> None:
    regimen = parse_regimen("oxytocin 24 IU in q24h x 3 @20:00, 08:00")
    assert regimen.dose_times("oxytocin") == [8.0, 20.0, 32.0, 44.0, 56.0, 68.0]
    assert regimen == parse_regimen("oxytocin 24 IU in q24h x 3 @08:00,20:00")


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("oxytocin 24 IU in q2d x 2 @08:00 day 3", 80.0, 128.0),
        ("oxytocin 24 IU in qod x 2 @08:00 from day 3", 80.0, 128.0),
        ("oxytocin 24 IU in daily x 2 @00:00", 0.0, 24.0),
        ("cbt weekly x 2 @10:00", 10.0, 178.0),
        ("oxytocin 24 IU in q12h x 2 @06:15 day 1", 30.25, 42.25),
    ],
)
def test_interval_words_and_start_days(text: str, first: float, second: float) -> None:
    agent = text.split()[0]
    assert parse_regimen(text).dose_times(agent) == [first, second]


def test_case_whitespace_and_glued_tokens_are_accepted() -> None:
    canonical = parse_regimen("oxytocin 24 IU in q48h x 10 @08:00")
    assert parse_regimen("  OXYTOCIN   24iu  IN Q48H X10 @ 08:00 ;") == canonical
    assert parse_regimen("cbt x 1 @10:00 for 1.5 h") == parse_regimen("exposure x1 @10:00 for 90min")


def test_placebo_gives_no_drug_but_starts_treatment() -> None:
    events = parse_regimen("placebo in q24h x 3 @08:00 day 1").events()
    assert not any(e.bolus for e in events)
    assert [e.time for e in events if e.label == "placebo in"] == [32.0, 56.0, 80.0]
    assert [(e.time, e.inputs) for e in events if e.inputs] == [(32.0, {"in_treatment": 1.0})]


# --- session windows -----------------------------------------------------------------------------


def test_cbt_sets_threat_cue_and_therapy_session_for_its_window() -> None:
    regimen = parse_regimen("cbt weekly x 2 @10:00 for 45 min")
    for name in ("threat_cue", "therapy_session"):
        assert switches(regimen, name) == [(10.0, 1.0), (10.75, 0.0), (178.0, 1.0), (178.75, 0.0)]


@pytest.mark.parametrize(
    ("text", "on", "minutes"),
    [
        ("tsst x 1 @10:00", {"stressor"}, 15),
        ("tsst x 1 @10:00 day 0 with support", {"stressor", "social_support"}, 15),
        ("conditioning x 1 @09:00", {"threat_cue", "unconditioned_stimulus"}, 10),
        ("faces x 1 @09:15", {"threat_cue", "social_context"}, 10),
        ("cbt x 1 @09:00", {"threat_cue", "therapy_session", "in_treatment"}, 60),
    ],
)
def test_session_kinds_switch_their_inputs_for_the_default_duration(text: str, on: set[str], minutes: int) -> None:
    events = parse_regimen(text).events()
    start = events[0].time
    assert {name for e in events if e.time == start for name, v in e.inputs.items() if v == 1.0} == on
    assert {name for e in events if e.time == start + minutes / 60 for name, v in e.inputs.items() if v == 0.0} == (
        on - {"in_treatment"}
    )


def test_overlapping_windows_of_one_input_are_merged() -> None:
    regimen = parse_regimen("faces x 1 @09:00 for 60 min; conditioning x 1 @09:30 for 60 min; faces x 1 @10:30")
    assert switches(regimen, "threat_cue") == [(9.0, 1.0), (10.5 + 1 / 6, 0.0)]  # touching windows merge too
    assert switches(regimen, "social_context") == [(9.0, 1.0), (10.0, 0.0), (10.5, 1.0), (10.5 + 1 / 6, 0.0)]
    assert switches(regimen, "unconditioned_stimulus") == [(9.5, 1.0), (10.5, 0.0)]
    assert level(regimen, "threat_cue", np.array([8.9, 9.9, 10.1, 10.6, 10.7])).tolist() == [0, 1, 1, 1, 0]


def test_in_treatment_starts_at_first_treatment_and_never_resets() -> None:
    regimen = parse_regimen(
        "tsst x 1 @10:00; cbt weekly x 4 @10:00 day 1; "
        "oxytocin 24 IU in x 2 @08:00 day 3; ssri 10 mg po x 1 @08:00 day 2"
    )
    assert switches(regimen, "in_treatment") == [(34.0, 1.0)]
    times = np.linspace(0.0, 24 * 40, 2000)
    assert np.array_equal(level(regimen, "in_treatment", times), (times >= 34.0).astype(float))


def test_task_only_regimen_is_not_in_treatment() -> None:
    assert switches(parse_regimen("tsst x 1 @10:00; faces x 1 @11:00"), "in_treatment") == []


def test_events_are_sorted_and_truncated_at_days() -> None:
    regimen = parse_regimen("oxytocin 24 IU in q24h x 10 @08:00; cbt weekly x 3 @10:00")
    times = [e.time for e in regimen.events()]
    assert times == sorted(times)
    assert all(e.time < 48.0 for e in regimen.events(days=2))
    assert [e.time for e in regimen.events(days=2) if e.bolus] == [8.0, 32.0]


@pytest.mark.parametrize("text", ["", "  ", "none", "NONE;"])
def test_empty_regimen_is_natural_history(text: str) -> None:
    regimen = parse_regimen(text)
    assert regimen == Regimen() and regimen.events() == [] and regimen.to_text() == "none"
    assert "natural history" in regimen.describe()


# --- titration, describe, combination ------------------------------------------------------------


def test_titration_equals_the_hand_written_steps() -> None:
    written = parse_regimen(
        "oxytocin 8 IU in q24h x 7 @08:00; oxytocin 16 IU in q24h x 7 @08:00 day 7; "
        "oxytocin 24 IU in q24h x 7 @08:00 day 14"
    )
    assert titrate_oxytocin([8, 16, 24], days_per_step=7, at="08:00", interval_h=24) == written
    every_other = titration("ssri", [5, 10], "mg", 7, interval_h=48)
    assert every_other.dose_times("ssri") == [8.0 + 48 * k for k in range(4)] + [176.0 + 48 * k for k in range(4)]


@pytest.mark.parametrize("kwargs", [{"doses_iu": []}, {"doses_iu": [8], "days_per_step": 0}, {"doses_iu": [500]}])
def test_bad_titration_is_a_regimen_error(kwargs: dict) -> None:
    with pytest.raises(RegimenError):
        titrate_oxytocin(**kwargs)


def test_describe_and_addition() -> None:
    regimen = titrate_oxytocin([24], days_per_step=1) + parse_regimen("cbt x 1 @10:00")
    assert regimen.describe() == (
        "oxytocin 24 IU intranasal once at 08:00 from day 0; cbt 60 min once at 10:00 from day 0"
    )
    assert "every 48 h x10" in parse_regimen("oxytocin 24 IU in q48h x 10").describe()


# --- YAML and dict form --------------------------------------------------------------------------


YAML = """
elements:
  - {agent: oxytocin, dose: 24, unit: IU, route: in, interval_h: 48, count: 10, at: ["08:00"], start_day: 0}
  - agent: exposure
    interval_h: 168
    count: 12
    at: 10:00          # unquoted: must not become the base-60 number 600
    duration_min: 60
  - {agent: tsst, at: [8:30], start_day: 2, support: true}
"""
TEXT = "oxytocin 24 IU in q48h x 10 @08:00; cbt weekly x 12 @10:00 for 60 min; tsst x 1 @08:30 day 2 with support"


def test_yaml_equals_text_form() -> None:
    assert Regimen.from_yaml(YAML) == parse_regimen(YAML) == parse_regimen(TEXT)
    bare = "- {agent: ssri, dose: 10, unit: mg, count: 84}\n"
    assert parse_regimen(bare) == parse_regimen("ssri 10 mg po q24h x 84 @08:00")


def test_dict_and_list_forms_and_regimen_passthrough() -> None:
    regimen = parse_regimen(TEXT)
    assert parse_regimen(regimen) is regimen
    assert parse_regimen(regimen.to_dict()) == regimen
    assert parse_regimen(regimen.to_dict()["elements"]) == regimen
    assert parse_regimen({"elements": None}) == parse_regimen(None) == Regimen()


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("oxytocin -5 IU in", ["-5", "greater than 0"]),
        ("oxytocin 1000 IU in", ["1000", "200 IU", "8-80 IU"]),
        ("oxytocin 400 ug in", ["400 ug", "200 IU"]),
        ("oxytocin 24 UI in", ["'UI'", "IU or ug"]),
        ("oxytocin 24 mg in", ["'mg'", "IU or ug"]),
        ("oxytocin 24 IU po", ["'po'", "in (intranasal) or iv (intravenous)"]),
        ("oxytocin 24 IU in @25:00", ["'25:00'", "HH:MM"]),
        ("oxytocin 24 IU in @8", ["'8'", "HH:MM"]),
        ("oxytocin 24 IU in @08:00,08:00", ["08:00", "distinct"]),
        ("oxytocin 24 IU in x 0", ["count = 0"]),
        ("oxytocin 24 IU in x 10001", ["count = 10001"]),
        ("oxytocin 24 IU in x 2.5", ["count = 2.5"]),
        ("oxytocin 24 IU in x", ["after 'x'", "nothing"]),
        ("oxytocin 24 IU in q0h", ["interval_h = 0"]),
        ("oxytocin 24 IU in day -1", ["start_day = -1"]),
        ("oxytocin 24 IU in q24h q48h", ["'q48h'", "second time"]),
        ("oxytocin 24 IU in q24h banana", ["'banana'", "oxytocin 24 IU in q24h x 21 @08:00"]),
        ("oxytocin 24 in", ["needs a dose and unit"]),
        ("oxytocin in", ["needs a dose and unit"]),
        ("ketamine 10 mg po", ["'ketamine'", "oxytocin, placebo"]),
        ("ssri 100 mg po", ["100 mg", "60 mg"]),
        ("bzd 20 mg po", ["20 mg", "10 mg"]),
        ("ssri 10 IU po", ["'IU'", "mg or ug"]),
        ("placebo 24 IU in", ["placebo takes no dose"]),
        ("cbt 24 mg", ["cbt takes no dose"]),
        ("faces in", ["faces takes no route"]),
        ("placebo in with support", ["support"]),
        ("cbt q0.5h x 2 for 60 min", ["0.5 h", "60 min"]),
        ("tsst for 700 min", ["duration_min = 700"]),
        ("tsst for 10 days", ["'days'", "min or h"]),
        ("tsst from 2", ["'from'", "day N"]),
    ],
)
def test_bad_text_is_one_regimen_error_naming_the_token(text: str, mentions: list[str]) -> None:
    with pytest.raises(RegimenError) as caught:
        parse_regimen(text)
    message = str(caught.value)
    assert message.startswith(f"regimen element 1 ({text!r}): ")
    assert "\n" not in message
    for fragment in mentions:
        assert fragment in message


def test_error_names_the_right_element() -> None:
    expected = r"regimen element 2 \('oxytocin 24 UI in'\): unknown unit 'UI'; use IU or ug"
    with pytest.raises(RegimenError, match=expected):
        parse_regimen("placebo in x 3; oxytocin 24 UI in")


@pytest.mark.parametrize(
    ("data", "mentions"),
    [
        ("- {agent: oxytocin, dose: 24, unit: IU, dosage: 3}", ["'dosage'", "allowed fields", "interval_h"]),
        ("elements: []\nschedule: daily", ["'schedule'", "'elements'"]),
        ("- {agent: ssri, dose: abc, unit: mg}", ["dose = 'abc'", "valid number"]),
        ("- {agent: tsst, at: 600}", ["600", "HH:MM"]),
        ("- {unit: mg}", ["missing 'agent'"]),
        ("- oxytocin", ["element 1", "'oxytocin'", "mapping"]),
        ("- [unclosed", ["cannot be read", "line 1"]),
        ("elements: 3", ["expected a list"]),
        ("- {agent: oxytocin, dose: .nan, unit: IU}", ["dose"]),
    ],
)
def test_bad_yaml_is_one_regimen_error(data: str, mentions: list[str]) -> None:
    with pytest.raises(RegimenError) as caught:
        parse_regimen(data)
    for fragment in mentions:
        assert fragment in str(caught.value)


def test_unknown_agent_for_dose_times_is_a_regimen_error() -> None:
    with pytest.raises(RegimenError, match="'ketamine'"):
        parse_regimen("none").dose_times("ketamine")


# --- properties ----------------------------------------------------------------------------------

clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
positive = st.floats(min_value=0.01, max_value=1.0, allow_nan=False) | st.floats(1.0, 10.0) | st.integers(1, 10)


@st.composite
def element_dicts(draw: st.DrawFn) -> dict:
    agent = draw(st.sampled_from(["oxytocin", "placebo", "ssri", "escitalopram", "bzd", "cbt", "tsst", "conditioning",
                                  "faces"]))
    data = {
        "agent": agent,
        "interval_h": draw(st.floats(10.0, 1000.0) | st.integers(10, 1000)),
        "count": draw(st.integers(1, 10000)),
        "at": draw(st.lists(clock, min_size=1, max_size=3, unique=True)),
        "start_day": draw(st.integers(0, 1000)),
    }
    if agent == "oxytocin":
        unit = draw(st.sampled_from(["IU", "ug", "µg", "mcg"]))
        dose = draw(positive) * (20 if unit == "IU" else 33.6)
        data |= {"dose": dose, "unit": unit, "route": draw(st.sampled_from(["in", "iv"]))}
    elif agent in ("ssri", "escitalopram", "bzd"):
        data |= {"dose": draw(positive), "unit": "mg"}
    elif agent != "placebo":
        data["duration_min"] = draw(st.floats(1.0, 600.0) | st.integers(1, 600))
        data["support"] = agent == "tsst" and draw(st.booleans())
    return data


@given(st.lists(element_dicts(), max_size=4))
@settings(max_examples=300)
def test_text_and_dict_forms_round_trip(dicts: list[dict]) -> None:
    regimen = Regimen.from_dict(dicts)
    assert Regimen.from_text(regimen.to_text()) == regimen
    assert parse_regimen(regimen.to_text()) == regimen
    assert Regimen.from_dict(regimen.to_dict()) == regimen
    assert all(isinstance(e, Element) for e in regimen.elements)


TOKENS = ["oxytocin", "placebo", "ssri", "cbt", "tsst", "24", "-1", "0", "1e9", "IU", "ug", "mg", "in", "iv", "po", "x",
          "q48h", "q0d", "weekly", "@08:00", "@25:61", "@", "day", "from", "for", "min", "h", "with", "support", ";",
          "none", "x0", "2.5", ":", "elements:", "-", "{", "}"]


@given(st.lists(st.sampled_from(TOKENS), max_size=12) | st.text(max_size=40))
@settings(max_examples=500)
def test_any_input_parses_or_raises_only_regimen_error(words: list[str] | str) -> None:
    text = words if isinstance(words, str) else " ".join(words)
    try:
        regimen = parse_regimen(text)
    except RegimenError as exc:
        assert str(exc)
    else:
        assert Regimen.from_text(regimen.to_text()) == regimen
