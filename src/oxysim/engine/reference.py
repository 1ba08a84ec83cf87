"""Reference engine: scipy BDF on the whole batch as one system with a block-sparse Jacobian.

Readable and trusted; the tests use it as the ground truth. The batch of N patients is one ODE
system of N * n_states unknowns whose Jacobian is block diagonal (patients do not interact), so the
implicit solver's linear algebra costs O(N), not O(N^3). Integration restarts at every event time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import numpy as np
import scipy.sparse as sps
from scipy.integrate import solve_ivp

from oxysim.engine.events import Event, segment_starts
from oxysim.engine.trajectory import Trajectory, absolute_tolerance, checked_output_times, patient_arrays
from oxysim.errors import SolverError
from oxysim.model.compile import CompiledModel


def simulate_batch(
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
    """Integrate ``n_patients`` patients from t = 0 to ``output_times[-1]`` (hours).

    ``params`` holds every model parameter, each a scalar or an array of shape ``(N,)``. The
    absolute tolerance of each state is ``atol_scale`` times its declared typical ``scale``.
    """
    output_times = checked_output_times(output_times)
    model = compiled.model
    n = compiled.n_states
    p = patient_arrays(params, n_patients)
    inputs = {i.name: float(i.default) for i in model.inputs}
    y = compiled.initial_state(p, n_patients) if y0 is None else np.array(y0, dtype=float)
    atol = np.tile(absolute_tolerance(compiled, atol_scale), n_patients)
    index = {name: i for i, name in enumerate(model.state_names)}
    fun, jac = _batch_system(compiled, p, inputs, n_patients)
    t_end = float(output_times[-1])
    boundaries = segment_starts(events, t_end)
    out = np.empty((n_patients, output_times.size, n))
    for k, (t0, group) in enumerate(boundaries):
        for event in group:
            for state, amount in event.bolus.items():
                y[:, index[state]] += np.broadcast_to(np.asarray(amount, dtype=float), (n_patients,))
            inputs.update(event.inputs)
        t1 = boundaries[k + 1][0] if k + 1 < len(boundaries) else t_end
        last = k + 1 == len(boundaries)
        mask = (output_times >= t0) & ((output_times <= t1) if last else (output_times < t1))
        if t1 <= t0:
            out[:, mask, :] = y[:, None, :]
            continue
        wanted = output_times[mask]
        sol = solve_ivp(fun, (t0, t1), y.ravel(), method="BDF", jac=jac, rtol=rtol, atol=atol, dense_output=True)
        if not sol.success:
            raise SolverError(_describe_failure(sol, model.state_names, n_patients, n))
        if wanted.size:
            out[:, mask, :] = sol.sol(wanted).reshape(n_patients, n, -1).transpose(0, 2, 1)
        y = sol.y[:, -1].reshape(n_patients, n).copy()
    return Trajectory(times=output_times, states=out, state_names=model.state_names)


def _batch_system(
    compiled: CompiledModel,
    p: Mapping[str, np.ndarray],
    inputs: Mapping[str, float],
    n_patients: int,
    frozen_time: np.ndarray | None = None,
):
    """The right-hand side and sparse Jacobian of the whole batch as one flat system.

    ``inputs`` is read at each call, so the caller may change it between segments. With
    ``frozen_time`` the clock is held fixed (autonomous system, for pre-equilibration).
    """
    n = compiled.n_states
    offsets = (np.arange(n_patients) * n)[:, None]
    rows = (offsets + compiled.jac_rows[None, :]).ravel()
    cols = (offsets + compiled.jac_cols[None, :]).ravel()
    size = n_patients * n

    def fun(t: float, flat: np.ndarray) -> np.ndarray:
        clock = t if frozen_time is None else frozen_time
        return compiled.rhs(clock, flat.reshape(n_patients, n), p, inputs).ravel()

    def jac(t: float, flat: np.ndarray) -> sps.csc_matrix:
        clock = t if frozen_time is None else frozen_time
        values = compiled.jacobian_values(clock, flat.reshape(n_patients, n), p, inputs).ravel()
        return sps.csc_matrix((values, (rows, cols)), shape=(size, size))

    return fun, jac


def preequilibrate(
    compiled: CompiledModel,
    params: Mapping[str, float | np.ndarray],
    *,
    n_patients: int,
    frozen_time: float | np.ndarray,
    duration: float = 24.0 * 720,
    rtol: float = 1e-6,
    atol_scale: float = 1e-8,
) -> np.ndarray:
    """States after a long event-free run with the clock held at ``frozen_time`` (hours).

    This is PEtab-style pre-equilibration: slow states (gland masses, autoreceptors, severity)
    start at the rest state of each virtual patient instead of drifting during the study.
    """
    p = patient_arrays(params, n_patients)
    inputs = {i.name: float(i.default) for i in compiled.model.inputs}
    clock = np.broadcast_to(np.asarray(frozen_time, dtype=float), (n_patients,))
    fun, jac = _batch_system(compiled, p, inputs, n_patients, frozen_time=clock)
    y0 = compiled.initial_state(p, n_patients).ravel()
    sol = solve_ivp(fun, (0.0, duration), y0, method="BDF", jac=jac, rtol=rtol,
                    atol=np.tile(absolute_tolerance(compiled, atol_scale), n_patients))
    if not sol.success:
        raise SolverError(_describe_failure(sol, compiled.model.state_names, n_patients, compiled.n_states))
    return sol.y[:, -1].reshape(n_patients, compiled.n_states).copy()


def _describe_failure(sol, state_names: Sequence[str], n_patients: int, n: int) -> str:
    """Name the time, the patients and the states where the solver gave up."""
    t = float(sol.t[-1]) if sol.t.size else float("nan")
    last = sol.y[:, -1].reshape(n_patients, n) if sol.y.size else np.full((n_patients, n), np.nan)
    bad = np.argwhere(~np.isfinite(last))
    where = ", ".join(f"patient {i} state {state_names[j]}" for i, j in bad[:5]) or "no non-finite state"
    return f"The reference solver failed near t = {t:.4g} h ({sol.message}); {where}."
