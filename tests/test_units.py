"""Units and declarations (oxysim.model.units, oxysim.model.declaration, the unit checks of compile).

Checks that:

* ``model_unit`` / ``to_model_units`` turn every time factor into hours (values computed by hand);
* a toy module with consistent units compiles with conversion factor 1, and an assignment declared
  in pg/mL but computed from µg and L is scaled by exactly 1000 (checked numerically);
* wrong dimensions, sums of terms in different units, parameters without a unit or without exactly
  one of source/assumption, and unknown names are refused with the documented error types;
* every parameter of the full model has a unit pint parses and exactly one of source/assumption,
  and every state, input and assignment unit parses.
"""

from __future__ import annotations

import math

import numpy as np
import pint
import pytest

from oxysim.errors import ModelDefinitionError, ModelUnitError
from oxysim.model import build_model
from oxysim.model.compile import Model
from oxysim.model.declaration import Assignment, Input, Module, Parameter, Process, State
from oxysim.model.units import model_unit, parse_unit, to_model_units, ureg

# --- model_unit / to_model_units ------------------------------------------------------------------


def test_minutes_become_hours() -> None:
    assert to_model_units(4.0, "min") == pytest.approx(1.0 / 15.0, rel=1e-12)
    assert model_unit("min") == ureg.hour


def test_per_day_rate_becomes_per_hour() -> None:
    rate_per_day = math.log(2) / 20.0  # a 20-day half-life
    assert to_model_units(rate_per_day, "1/day") == pytest.approx(math.log(2) / 20.0 / 24.0, rel=1e-12)
    assert model_unit("1/day") == 1 / ureg.hour


def test_flow_per_minute_becomes_per_hour() -> None:
    assert to_model_units(1.0, "L/min") == pytest.approx(60.0, rel=1e-12)
    assert model_unit("L/min") == ureg.liter / ureg.hour


def test_non_time_units_are_left_alone() -> None:
    assert to_model_units(3.5, "ug/L") == 3.5
    assert to_model_units(2.0, "dimensionless") == 2.0
    assert to_model_units(7.0, "week") == pytest.approx(7.0 * 7 * 24, rel=1e-12)
    assert to_model_units(1.0, "umol/L/min") == pytest.approx(60.0, rel=1e-12)


def test_unknown_unit_is_a_unit_error() -> None:
    with pytest.raises(ModelUnitError, match="furlongs_per_blorp"):
        parse_unit("furlongs_per_blorp")


# --- a toy module -------------------------------------------------------------------------------


def _param(name: str, value: float, unit: str) -> Parameter:
    return Parameter(name, value, unit, f"toy {name}", assumption="toy value for a unit test")


def _toy(
    *,
    processes: tuple[Process, ...] = (),
    assignments: tuple[Assignment, ...] = (),
    extra_parameters: tuple[Parameter, ...] = (),
    extra_states: tuple[State, ...] = (),
) -> Model:
    states = (State("amount", "ug", 2.0, "drug amount"), *extra_states)
    parameters = (
        _param("k_el", 30.0, "min"),  # a half-life in minutes
        _param("volume", 4.0, "L"),
        *extra_parameters,
    )
    default_processes = (
        Process("elimination", "log(2) / k_el * amount", {"amount": -1}, "first-order elimination"),
    )
    module = Module(
        "toy", "a toy module", "nothing", states=states, parameters=parameters,
        inputs=(Input("switch", "dimensionless", "an input"),),
        assignments=assignments, processes=processes or default_processes,
    )
    return Model((module,))


def test_consistent_units_compile_with_factor_one() -> None:
    model = _toy(assignments=(Assignment("concentration", "amount / volume", "ug/L", "conc"),))
    compiled = model.compile()
    params = model.default_parameters()
    assert params["k_el"] == pytest.approx(0.5)  # 30 min in hours
    y = np.array([[2.0], [5.0]])
    # d amount / dt = -ln2 / 0.5 h * amount, no hidden factor
    expected = -math.log(2) / 0.5 * y[:, 0]
    np.testing.assert_allclose(compiled.rhs(0.0, y, params, {"switch": 0.0})[:, 0], expected, rtol=1e-12)
    conc = compiled.assignments(0.0, y, params, {"switch": 0.0})["concentration"]
    np.testing.assert_allclose(conc, y[:, 0] / 4.0, rtol=1e-12)


def test_assignment_in_pg_per_ml_from_ug_and_litre_is_scaled_by_1000() -> None:
    model = _toy(assignments=(Assignment("concentration", "amount / volume", "pg/mL", "conc"),))
    compiled = model.compile()
    params = model.default_parameters()
    y = np.array([[2.0], [0.37]])
    conc = compiled.assignments(0.0, y, params, {"switch": 0.0})["concentration"]
    # 1 ug/L = 1e6 pg / 1e3 mL = 1000 pg/mL (pint used only as an independent cross-check)
    expected = y[:, 0] / params["volume"] * 1000.0
    np.testing.assert_allclose(conc, expected, rtol=1e-12)
    cross = ureg.Quantity(2.0 / 4.0, "ug/L").to("pg/mL").magnitude
    assert conc[0] == pytest.approx(cross, rel=1e-12)


def test_rate_feeding_a_concentration_state_via_assignment_units() -> None:
    """A process whose rate uses a pg/mL assignment and feeds a ug state must be rescaled back."""
    model = _toy(
        assignments=(Assignment("concentration", "amount / volume", "pg/mL", "conc"),),
        processes=(
            Process("clearance", "cl * concentration", {"amount": -1}, "clearance from a concentration"),
        ),
        extra_parameters=(_param("cl", 2.0, "L/h"),),
    )
    compiled = model.compile()
    params = model.default_parameters()
    y = np.array([[3.0]])
    # cl * C = 2 L/h * (3 ug / 4 L) = 1.5 ug/h, whatever unit the assignment is declared in
    assert compiled.rhs(0.0, y, params, {"switch": 0.0})[0, 0] == pytest.approx(-1.5, rel=1e-12)


def test_rate_with_wrong_dimension_names_the_process() -> None:
    model = _toy(
        processes=(Process("bad_rate", "1 / k_el", {"amount": -1}, "a rate in 1/h feeding a ug state"),),
    )
    with pytest.raises(ModelUnitError, match="bad_rate"):
        model.compile()


def test_stoichiometry_dimension_is_checked() -> None:
    model = _toy(
        processes=(Process("bad_stoich", "amount / k_el", {"amount": "1 / volume"}, "ug/L/h into ug"),),
    )
    with pytest.raises(ModelUnitError, match="bad_stoich"):
        model.compile()


def test_assignment_with_wrong_dimension_is_refused() -> None:
    model = _toy(assignments=(Assignment("concentration", "amount * volume", "pg/mL", "conc"),))
    with pytest.raises(ModelUnitError, match="concentration"):
        model.compile()


def test_sum_of_state_terms_in_different_units_is_refused() -> None:
    model = _toy(
        extra_states=(State("conc_a", "ug/L", 1.0, "a"), State("conc_b", "pg/mL", 1.0, "b")),
        assignments=(Assignment("total", "conc_a + conc_b", "pg/mL", "sum"),),
    )
    with pytest.raises(ModelUnitError, match="total"):
        model.compile()


def test_sum_of_state_and_parameter_in_different_units_is_refused() -> None:
    model = _toy(
        extra_parameters=(_param("baseline", 5.0, "pg/mL"),),
        assignments=(Assignment("total", "amount / volume + baseline", "pg/mL", "sum"),),
    )
    with pytest.raises(ModelUnitError, match="total"):
        model.compile()


def test_sum_of_parameters_in_different_units_is_refused() -> None:
    model = _toy(
        extra_parameters=(_param("c_a", 1.0, "ug/L"), _param("c_b", 1.0, "pg/mL")),
        assignments=(Assignment("total", "c_a + c_b", "pg/mL", "sum"),),
    )
    with pytest.raises(ModelUnitError, match="total"):
        model.compile()


def test_sum_of_compatible_time_units_is_accepted_after_conversion() -> None:
    """Half-lives in min and in h are both hours inside the model, so their sum is consistent."""
    model = _toy(
        extra_parameters=(_param("t_a", 30.0, "min"), _param("t_b", 2.0, "h")),
        processes=(Process("elimination", "log(2) / (t_a + t_b) * amount", {"amount": -1}, "elim"),),
    )
    compiled = model.compile()
    params = model.default_parameters()
    value = compiled.rhs(0.0, np.array([[1.0]]), params, {"switch": 0.0})[0, 0]
    assert value == pytest.approx(-math.log(2) / 2.5, rel=1e-12)


# --- declaration errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["", "   "])
def test_parameter_without_unit_is_refused(unit: str) -> None:
    with pytest.raises(ModelDefinitionError, match="unit"):
        Parameter("k", 1.0, unit, "rate", assumption="a reason")


def test_parameter_with_both_source_and_assumption_is_refused() -> None:
    with pytest.raises(ModelDefinitionError, match="exactly one"):
        Parameter("k", 1.0, "1/h", "rate", source="Smith 2000", assumption="a reason")


@pytest.mark.parametrize(("source", "assumption"), [(None, None), ("", ""), ("  ", None), (None, " ")])
def test_parameter_with_neither_source_nor_assumption_is_refused(source, assumption) -> None:
    with pytest.raises(ModelDefinitionError, match="exactly one"):
        Parameter("k", 1.0, "1/h", "rate", source=source, assumption=assumption)


def test_parameter_with_one_of_source_or_assumption_is_accepted() -> None:
    assert Parameter("k", 1.0, "1/h", "rate", source="Smith 2000").source == "Smith 2000"
    assert Parameter("k", 1.0, "1/h", "rate", assumption="guess").assumption == "guess"


def test_unknown_name_in_rate_is_refused() -> None:
    model = _toy(processes=(Process("p", "k_unknown * amount", {"amount": -1}, "typo"),))
    with pytest.raises(ModelDefinitionError, match="k_unknown"):
        model.compile()


def test_unknown_name_in_assignment_is_refused() -> None:
    model = _toy(assignments=(Assignment("c", "amount / volumee", "ug/L", "typo"),))
    with pytest.raises(ModelDefinitionError, match="volumee"):
        model.compile()


def test_unknown_state_in_effects_is_refused() -> None:
    model = _toy(processes=(Process("p", "amount / k_el", {"amount_typo": -1}, "typo"),))
    with pytest.raises(ModelDefinitionError, match="amount_typo"):
        model.compile()


# --- the full model -------------------------------------------------------------------------------

FULL = build_model()


def _parses(unit: str) -> bool:
    try:
        parse_unit(unit)
    except (ModelUnitError, pint.errors.PintError):
        return False
    return True


def test_every_parameter_has_a_unit_and_exactly_one_of_source_or_assumption() -> None:
    assert FULL.parameters, "the full model declares no parameters"
    problems = []
    for p in FULL.parameters:
        if not (isinstance(p.unit, str) and p.unit.strip() and _parses(p.unit)):
            problems.append(f"{p.name}: unit {p.unit!r} does not parse")
        has_source = bool(p.source and p.source.strip())
        has_assumption = bool(p.assumption and p.assumption.strip())
        if has_source == has_assumption:
            problems.append(f"{p.name}: needs exactly one of source/assumption")
        if not math.isfinite(p.value):
            problems.append(f"{p.name}: value {p.value!r} is not finite")
    assert not problems, "\n".join(problems)


def test_every_state_input_and_assignment_unit_parses() -> None:
    bad = [
        f"{item.name}: {item.unit!r}"
        for item in (*FULL.states, *FULL.inputs, *FULL.assignments)
        if not _parses(item.unit)
    ]
    assert not bad, bad


def test_parameter_names_are_unique() -> None:
    names = [p.name for p in FULL.parameters]
    assert len(names) == len(set(names))
