"""Both engines (oxysim.engine.reference and oxysim.engine.fast) against closed-form solutions.

Checks that:

* a one-compartment model with first-order absorption (depot -> central -> out), dosed by several
  bolus events, matches the Bateman superposition at every output time, including output times
  exactly at dose times, where the value is the one just *after* the dose (right-continuous);
* a zero-order infusion switched on and off by input events matches its closed form;
* patients integrated together as one batch equal each patient integrated alone;
* a finite-time blow-up ends with :class:`oxysim.errors.SolverError` instead of hanging;
* pre-equilibration with a frozen clock reaches the analytic steady state.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from oxysim.engine.events import Event, input_levels
from oxysim.engine import ENGINE_NAMES, Engine, get_engine
from oxysim.errors import SolverError
from oxysim.model.compile import CompiledModel, Model
from oxysim.model.declaration import Input, Module, Parameter, Process, State

@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> Engine:
    return get_engine(request.param)


TIGHT = 1e-10  # solver rtol for comparisons with closed forms
ATOL = 1e-13  # solver atol_scale (states have scale 1): absolute errors far below the 1e-9 checked


def _param(name: str, value: float, unit: str) -> Parameter:
    return Parameter(name, value, unit, f"toy {name}", assumption="toy value for an engine test")


def one_compartment() -> CompiledModel:
    module = Module(
        "pk1", "one compartment with first-order absorption and a zero-order infusion", "Bateman",
        states=(
            State("depot", "mg", 0.0, "absorption depot", scale=1.0),
            State("central", "mg", 0.0, "central compartment", scale=1.0),
        ),
        parameters=(
            _param("ka", 1.2, "1/h"),
            _param("ke", 0.25, "1/h"),
            _param("infusion_rate", 3.0, "mg/h"),
        ),
        inputs=(Input("infusing", "dimensionless", "infusion pump running"),),
        processes=(
            Process("absorption", "ka * depot", {"depot": -1, "central": 1}, "first-order absorption"),
            Process("elimination", "ke * central", {"central": -1}, "first-order elimination"),
            Process("infusion", "infusion_rate * infusing", {"central": 1}, "zero-order infusion"),
        ),
    )
    return Model((module,)).compile()


PK = one_compartment()
PARAMS = PK.model.default_parameters()


def bateman(t: np.ndarray, doses: list[tuple[float, float]], ka: float, ke: float) -> tuple[np.ndarray, np.ndarray]:
    """Depot and central amounts after bolus ``doses`` [(time, amount)] into the depot, right-continuous."""
    depot = np.zeros_like(t)
    central = np.zeros_like(t)
    for td, dose in doses:
        tau = t - td
        on = tau >= 0
        tau = np.where(on, tau, 0.0)
        depot += np.where(on, dose * np.exp(-ka * tau), 0.0)
        central += np.where(on, dose * ka / (ka - ke) * (np.exp(-ke * tau) - np.exp(-ka * tau)), 0.0)
    return depot, central


def infusion_closed_form(t: np.ndarray, windows: list[tuple[float, float]], rate: float, ke: float) -> np.ndarray:
    """Central amount under zero-order infusions over [start, stop) windows, by superposition."""
    central = np.zeros_like(t)
    for start, stop in windows:
        for edge, sign in ((start, 1.0), (stop, -1.0)):
            tau = np.clip(t - edge, 0.0, None)
            central += sign * rate / ke * (1.0 - np.exp(-ke * tau))
    return central


def dose_events(doses: list[tuple[float, float]]) -> list[Event]:
    return [Event(td, {"depot": amount}) for td, amount in doses]


def assert_close(actual: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float, what: str) -> None:
    err = np.abs(actual - expected)
    bad = err > atol + rtol * np.abs(expected)
    assert not bad.any(), (
        f"{what}: {bad.sum()} mismatches; worst at index {np.argmax(err)}: "
        f"{actual.flat[np.argmax(err)]!r} vs {expected.flat[np.argmax(err)]!r}"
    )


# --- bolus doses ----------------------------------------------------------------------------------

DOSES = [(0.0, 10.0), (6.0, 5.0), (12.5, 20.0), (12.5, 4.0), (30.0, 8.0)]  # two simultaneous at 12.5 h


def test_repeated_boluses_match_bateman_superposition(engine: Engine) -> None:
    times = np.unique(np.concatenate([np.linspace(0.0, 48.0, 97), [6.0, 12.5, 30.0, 0.37, 29.999]]))
    traj = engine.simulate(PK, PARAMS, dose_events(DOSES), times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
    depot, central = bateman(times, DOSES, PARAMS["ka"], PARAMS["ke"])
    assert traj.states.shape == (1, times.size, 2)
    assert traj.state_names == ("depot", "central")
    assert_close(traj.states[0, :, 0], depot, rtol=1e-5, atol=1e-9, what="depot")
    assert_close(traj.states[0, :, 1], central, rtol=1e-5, atol=1e-9, what="central")


def test_output_at_dose_time_is_the_value_after_the_dose(engine: Engine) -> None:
    times = np.array([0.0, 6.0, 12.5, 20.0])
    traj = engine.simulate(PK, PARAMS, dose_events(DOSES), times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
    depot, _ = bateman(times, DOSES, PARAMS["ka"], PARAMS["ke"])
    before_6 = 10.0 * math.exp(-PARAMS["ka"] * 6.0)
    assert traj.states[0, 0, 0] == pytest.approx(10.0, rel=1e-12)  # dose at t = 0 already in
    assert traj.states[0, 1, 0] == pytest.approx(before_6 + 5.0, rel=1e-5)
    # both simultaneous doses at 12.5 h are applied before the output at 12.5 h
    assert traj.states[0, 2, 0] == pytest.approx(depot[2], rel=1e-5)
    assert traj.states[0, 2, 0] > 24.0


def test_outputs_only_between_distant_doses(engine: Engine) -> None:
    """Segments with no output time in them (doses every 1 h, outputs every 5 h) are still integrated."""
    doses = [(0.5 + k, 1.0) for k in range(20)]
    times = np.arange(0.0, 26.0, 5.0)
    traj = engine.simulate(PK, PARAMS, dose_events(doses), times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
    depot, central = bateman(times, doses, PARAMS["ka"], PARAMS["ke"])
    assert_close(traj.states[0, :, 0], depot, rtol=1e-5, atol=1e-9, what="depot")
    assert_close(traj.states[0, :, 1], central, rtol=1e-5, atol=1e-9, what="central")


def test_events_after_the_last_output_time_are_ignored(engine: Engine) -> None:
    times = np.linspace(0.0, 10.0, 11)
    events = dose_events([(0.0, 10.0), (10.5, 100.0)])
    traj = engine.simulate(PK, PARAMS, events, times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
    _, central = bateman(times, [(0.0, 10.0)], PARAMS["ka"], PARAMS["ke"])
    assert_close(traj.states[0, :, 1], central, rtol=1e-5, atol=1e-9, what="central")


def test_dose_at_the_last_output_time_is_applied(engine: Engine) -> None:
    times = np.array([0.0, 4.0, 8.0])
    events = dose_events([(0.0, 10.0), (8.0, 5.0)])
    traj = engine.simulate(PK, PARAMS, events, times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
    depot, _ = bateman(times, [(0.0, 10.0), (8.0, 5.0)], PARAMS["ka"], PARAMS["ke"])
    assert traj.states[0, -1, 0] == pytest.approx(depot[-1], rel=1e-5)


# --- input windows (zero-order infusion) ----------------------------------------------------------

WINDOWS = [(1.0, 3.5), (10.0, 10.25), (20.0, 26.0)]


def infusion_events(windows: list[tuple[float, float]]) -> list[Event]:
    events = []
    for start, stop in windows:
        events += [Event(start, inputs={"infusing": 1.0}), Event(stop, inputs={"infusing": 0.0})]
    return events


def test_infusion_windows_match_closed_form(engine: Engine) -> None:
    times = np.unique(np.concatenate([np.linspace(0.0, 36.0, 73), [e for w in WINDOWS for e in w]]))
    traj = engine.simulate(PK, PARAMS, infusion_events(WINDOWS), times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
    expected = infusion_closed_form(times, WINDOWS, PARAMS["infusion_rate"], PARAMS["ke"])
    assert expected.max() > 5.0  # the check is not vacuous
    assert_close(traj.states[0, :, 1], expected, rtol=1e-5, atol=1e-9, what="central")
    np.testing.assert_array_equal(traj.states[0, :, 0], 0.0)


def test_infusion_and_boluses_superpose(engine: Engine) -> None:
    doses = [(2.0, 7.0), (21.0, 3.0)]
    times = np.linspace(0.0, 36.0, 145)
    events = infusion_events(WINDOWS) + dose_events(doses)
    traj = engine.simulate(PK, PARAMS, events, times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
    _, central = bateman(times, doses, PARAMS["ka"], PARAMS["ke"])
    central = central + infusion_closed_form(times, WINDOWS, PARAMS["infusion_rate"], PARAMS["ke"])
    assert_close(traj.states[0, :, 1], central, rtol=1e-5, atol=1e-9, what="central")


def test_input_levels_are_right_continuous() -> None:
    times = np.array([0.0, 1.0, 2.0, 3.5, 10.0, 10.25, 26.0, 30.0])
    levels = input_levels(infusion_events(WINDOWS), {"infusing": 0.0}, times)["infusing"]
    np.testing.assert_array_equal(levels, [0, 1, 1, 0, 1, 0, 0, 0])


def test_the_caller_inputs_and_params_are_not_mutated(engine: Engine) -> None:
    params = dict(PARAMS)
    events = infusion_events(WINDOWS)
    engine.simulate(PK, params, events, np.array([0.0, 5.0]), n_patients=1)
    assert params == PARAMS
    assert [i.default for i in PK.model.inputs] == [0.0]


# --- batches ----------------------------------------------------------------------------------------


def test_batch_equals_each_patient_alone(engine: Engine) -> None:
    n = 4
    params = {
        "ka": np.array([1.2, 0.4, 3.0, 0.9]),
        "ke": np.array([0.25, 0.1, 0.6, 0.05]),
        "infusion_rate": np.array([3.0, 0.0, 1.5, 10.0]),
    }
    doses = np.array([10.0, 1.0, 50.0, 0.2])
    events = [Event(0.0, {"depot": doses}), Event(9.0, {"depot": 2 * doses}), *infusion_events(WINDOWS[:2])]
    times = np.linspace(0.0, 24.0, 49)
    batch = engine.simulate(PK, params, events, times, n_patients=n, rtol=TIGHT, atol_scale=ATOL)
    for k in range(n):
        alone_params = {name: float(v[k]) for name, v in params.items()}
        alone_events = [Event(0.0, {"depot": doses[k]}), Event(9.0, {"depot": 2 * doses[k]}),
                        *infusion_events(WINDOWS[:2])]
        alone = engine.simulate(PK, alone_params, alone_events, times, n_patients=1, rtol=TIGHT, atol_scale=ATOL)
        np.testing.assert_allclose(batch.states[k], alone.states[0], rtol=1e-6, atol=1e-10,
                                   err_msg=f"patient {k}")
        # and each matches its own closed form (a batch cannot share parameters between patients)
        depot, central = bateman(times, [(0.0, doses[k]), (9.0, 2 * doses[k])],
                                 alone_params["ka"], alone_params["ke"])
        central += infusion_closed_form(times, WINDOWS[:2], alone_params["infusion_rate"], alone_params["ke"])
        assert_close(batch.states[k, :, 1], central, rtol=1e-5, atol=1e-9, what=f"patient {k} central")


def test_y0_overrides_initial_state(engine: Engine) -> None:
    y0 = np.array([[0.0, 4.0], [2.0, 0.0]])
    times = np.array([0.0, 3.0])
    traj = engine.simulate(PK, PARAMS, [], times, n_patients=2, rtol=TIGHT, atol_scale=ATOL, y0=y0)
    np.testing.assert_allclose(traj.states[:, 0, :], y0)
    ke, ka = PARAMS["ke"], PARAMS["ka"]
    assert traj.states[0, 1, 1] == pytest.approx(4.0 * math.exp(-ke * 3.0), rel=1e-5)
    _, central = bateman(times, [(0.0, 2.0)], ka, ke)
    assert traj.states[1, 1, 1] == pytest.approx(central[1], rel=1e-5)


def test_preequilibration_reaches_the_analytic_steady_state(engine: Engine) -> None:
    module = Module(
        "turnover", "zero-order production, first-order loss", "none",
        states=(State("level", "mg", 0.0, "level"),),
        parameters=(_param("production", 2.0, "mg/h"), _param("loss", 0.5, "1/h")),
        processes=(
            Process("produce", "production", {"level": 1}, "production"),
            Process("lose", "loss * level", {"level": -1}, "loss"),
        ),
    )
    compiled = Model((module,)).compile()
    params = {"production": np.array([2.0, 1.0]), "loss": np.array([0.5, 0.01])}
    y = engine.preequilibrate(compiled, params, n_patients=2, frozen_time=0.0, duration=5000.0, rtol=1e-10)
    np.testing.assert_allclose(y[:, 0], [4.0, 100.0], rtol=1e-6)


# --- failure ----------------------------------------------------------------------------------------


def blow_up() -> CompiledModel:
    module = Module(
        "blowup", "dy/dt = c y^2: finite-time blow-up at t = 1/(c y0)", "none",
        states=(State("y", "dimensionless", 1.0, "blows up"),),
        parameters=(_param("c", 1.0, "1/h"),),
        processes=(Process("grow", "c * y**2", {"y": 1}, "quadratic growth"),),
    )
    return Model((module,)).compile()


def test_finite_time_blow_up_raises_solver_error(engine: Engine) -> None:
    compiled = blow_up()
    with pytest.raises(SolverError, match=r"t = "):
        engine.simulate(compiled, compiled.model.default_parameters(), [], np.array([0.0, 0.5, 2.0]), n_patients=1)


def test_solver_error_in_a_batch_names_the_failure_time(engine: Engine) -> None:
    compiled = blow_up()
    params = {"c": np.array([0.01, 1.0])}  # only patient 1 blows up, at t ~ 1 h
    with pytest.raises(SolverError) as info:
        engine.simulate(compiled, params, [], np.array([0.0, 2.0]), n_patients=2)
    t_fail = float(str(info.value).split("t = ")[1].split(" ")[0])
    assert 0.9 < t_fail <= 1.0 + 1e-6
