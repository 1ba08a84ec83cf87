"""Fast engine: each patient integrated by compiled Rodas5P with its own step sizes, patients in parallel.

Same equations as the reference engine (the same sympy expressions, compiled by
:mod:`oxysim.engine.codegen`), same events and the same tolerance definitions; the tests hold it to
the reference engine. What makes it fast (benchmarks/README.md has the measurements):

- right-hand side, time derivative and Jacobian are scalar numba code, not numpy over a batch;
- the 35 x 35 iteration matrix is factorised with a fixed sparse pattern (96 multiply-adds);
- the stage sums are fused loops with the tableau's coefficients as literals (:mod:`oxysim.engine.stages`);
- every patient has its own step sizes, so no patient pays for the stiffest one;
- output values come from the method's dense output at no extra right-hand-side evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from oxysim.engine import rosenbrock
from oxysim.engine.codegen import load_kernels
from oxysim.engine.events import Event, segment_starts
from oxysim.engine.trajectory import Trajectory, absolute_tolerance, checked_output_times, patient_arrays
from oxysim.errors import SolverError
from oxysim.model.compile import CompiledModel

H_RESTART = 1e-3
"""First trial step (hours, 3.6 s) after every event: doses are discontinuities."""


def _parameter_matrix(compiled: CompiledModel, params: Mapping[str, float | np.ndarray], n_patients: int) -> np.ndarray:
    p = patient_arrays(params, n_patients)
    missing = [n for n in compiled.model.parameter_names if n not in p]
    if missing:
        raise ValueError(f"parameters missing: {', '.join(missing)}")
    return np.ascontiguousarray(np.stack([p[n] for n in compiled.model.parameter_names], axis=1))


def _schedule(compiled: CompiledModel, events: Sequence[Event], t_end: float, n_patients: int):
    """Segment boundaries, the inputs in each segment, and the boluses at each segment start."""
    starts = segment_starts(events, t_end)
    index = {name: i for i, name in enumerate(compiled.model.state_names)}
    input_index = {name: i for i, name in enumerate(compiled.model.input_names)}
    level = np.array([float(i.default) for i in compiled.model.inputs])
    seg_inputs = np.empty((len(starts), level.size))
    bolus_seg, bolus_state, bolus_amount = [], [], []
    for s, (_, group) in enumerate(starts):
        for event in group:
            for state, amount in event.bolus.items():
                bolus_seg.append(s)
                bolus_state.append(index[state])
                bolus_amount.append(np.broadcast_to(np.asarray(amount, dtype=float), (n_patients,)))
            for name, value in event.inputs.items():
                level[input_index[name]] = value
        seg_inputs[s] = level
    seg_times = np.array([t for t, _ in starts] + [t_end])
    amounts = np.array(bolus_amount).reshape(len(bolus_amount), n_patients)
    return seg_times, seg_inputs, np.array(bolus_seg, dtype=np.int64), np.array(bolus_state, dtype=np.int64), amounts


def _run(compiled, y, p, schedule, out_times, rtol, atol_scale, frozen_time) -> tuple[np.ndarray, np.ndarray]:
    kernels = load_kernels(compiled)
    n_patients = y.shape[0]
    out = np.empty((n_patients, out_times.size, compiled.n_states))
    stats = np.zeros((n_patients, 3))
    status = np.zeros(n_patients, dtype=np.int64)
    seg_times, seg_inputs, bolus_seg, bolus_state, bolus_amount = schedule
    kernels.integrate_population(
        y, p, seg_times, seg_inputs, bolus_seg, bolus_state, bolus_amount,
        out_times, out, float(rtol), absolute_tolerance(compiled, atol_scale), frozen_time, H_RESTART,
        stats, status)
    failed = np.nonzero(status != rosenbrock.OK)[0]
    if failed.size:
        q = int(failed[0])
        why = "the step size fell below 1e-12 h" if status[q] == rosenbrock.FAILED_STEP_SIZE else "too many steps"
        raise SolverError(f"The fast solver failed for {failed.size} patient(s); first: patient row {q} near "
                          f"t = {stats[q, 2]:.4g} h ({why}).")
    return out, stats


def simulate_fast(
    compiled: CompiledModel,
    params: Mapping[str, float | np.ndarray],
    events: Sequence[Event],
    output_times: np.ndarray,
    *,
    n_patients: int,
    rtol: float = 1e-6,
    atol_scale: float = 1e-8,
    y0: np.ndarray | None = None,
) -> Trajectory:
    """Integrate ``n_patients`` from t = 0 to ``output_times[-1]`` (hours); same contract as
    :func:`oxysim.engine.reference.simulate_batch`."""
    output_times = checked_output_times(output_times)
    p = _parameter_matrix(compiled, params, n_patients)
    y = compiled.initial_state(patient_arrays(params, n_patients), n_patients) if y0 is None else y0
    y = np.array(y, dtype=float, order="C")
    schedule = _schedule(compiled, events, float(output_times[-1]), n_patients)
    out, stats = _run(compiled, y, p, schedule, output_times, rtol, atol_scale, np.full(n_patients, -1.0))
    return Trajectory(times=output_times, states=out, state_names=compiled.model.state_names,
                      steps=stats[:, 0].astype(np.int64))


def preequilibrate_fast(
    compiled: CompiledModel,
    params: Mapping[str, float | np.ndarray],
    *,
    n_patients: int,
    frozen_time: float | np.ndarray,
    duration: float = 24.0 * 720,
    rtol: float = 1e-6,
    atol_scale: float = 1e-8,
) -> np.ndarray:
    """States after a long event-free run with the clock held at ``frozen_time`` (hours); same
    contract as :func:`oxysim.engine.reference.preequilibrate`."""
    p = _parameter_matrix(compiled, params, n_patients)
    y = np.array(compiled.initial_state(patient_arrays(params, n_patients), n_patients), dtype=float, order="C")
    frozen = np.array(np.broadcast_to(np.asarray(frozen_time, dtype=float), (n_patients,)))
    if np.any(frozen < 0):
        raise ValueError("frozen_time must be >= 0 hours.")
    schedule = _schedule(compiled, [], duration, n_patients)
    _run(compiled, y, p, schedule, np.array([duration]), rtol, atol_scale, frozen)
    return y
