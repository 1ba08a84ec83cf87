"""RODAS4, an L-stable stiffly accurate Rosenbrock method of order 4(3), compiled with numba.

Coefficients: Hairer & Wanner (1996), *Solving Ordinary Differential Equations II*, section IV.7
(rodas.f, method 1), written in the form of the KPP Rosenbrock integrators (Sandu et al. 1997,
Atmos. Environ. 31:3459): stage values ``K_i`` solve ``(I / (h gamma) - J) K_i = f(t + alpha_i h,
y + sum_j a_ij K_j) + sum_j (c_ij / h) K_j + h gamma_i df/dt``. Step-size control and rejection
factors follow KPP's defaults. Between steps the solution is interpolated with the cubic Hermite
polynomial through (y, f) at both ends (Hairer, Norsett & Wanner 1993, section II.6), whose end
derivative is reused as the next step's first stage.

Each patient is integrated with its own step sizes (no patient waits for the stiffest one), and
patients run in parallel threads (``numba.prange``). Doses and input switches are applied exactly
at segment boundaries shared by all patients.

This module is a template: :mod:`oxysim.engine.codegen` writes its source followed by a model's
``rhs``, ``dfdt`` and ``jac`` and the straight-line sparse LU of its iteration matrix
(:func:`oxysim.engine.sparse_lu.lu_source`) into one generated module, so that the model functions are module
globals of the integrator. Only then can numba cache the compiled integrator on disk (functions
passed as arguments make a compiled function uncacheable).
"""

from __future__ import annotations

import numba
import numpy as np

GAMMA = 0.25
ALPHA = np.array([0.0, 0.386, 0.21, 0.63, 1.0, 1.0])
GAMMA_I = np.array([0.25, -0.1043, 0.1035, -0.3620000000000023e-01, 0.0, 0.0])
_A7, _A8, _A9, _A10 = 0.1221224509226641e01, 0.6019134481288629e01, 0.1253708332932087e02, -0.6878860361058950
A = np.zeros((6, 6))
A[1, 0] = 0.1544000000000000e01
A[2, :2] = 0.9466785280815826, 0.2557011698983284
A[3, :3] = 0.3314825187068521e01, 0.2896124015972201e01, 0.9986419139977817
A[4, :4] = _A7, _A8, _A9, _A10
A[5, :5] = _A7, _A8, _A9, _A10, 1.0
C = np.zeros((6, 6))
C[1, 0] = -0.5668800000000000e01
C[2, :2] = -0.2430093356833875e01, -0.2063599157091915
C[3, :3] = -0.1073529058151375, -0.9594562251023355e01, -0.2047028614809616e02
C[4, :4] = 0.7496443313967647e01, -0.1024680431464352e02, -0.3399990352819905e02, 0.1170890893206160e02
C[5, :5] = 0.8083246795921522e01, -0.7981132988064893e01, -0.3152159432874371e02, 0.1631930543123136e02, -0.6058818238834054e01
M = np.array([_A7, _A8, _A9, _A10, 1.0, 1.0])
ERROR_ORDER = 4.0  # the embedded estimate is K_6 (E = e_6)

FAC_MIN, FAC_MAX, FAC_REJECT, FAC_SAFE = 0.2, 6.0, 0.1, 0.9
MAX_STEPS = 2_000_000

OK, FAILED_STEP_SIZE, FAILED_MAX_STEPS = 0, 1, 2

# The model kernels, its sparse LU and the fused stage sums; the generated module defines them after this source.
rhs = dfdt = jac = extend_parameters = lu_assemble = lu_factor = lu_solve = None
stage_point = stage_correction = step_end = None  # oxysim.engine.stages, from A, C, GAMMA_I and M
JAC_SIZE = LU_SIZE = 0  # entries of the Jacobian and of its filled LU pattern


@numba.njit(cache=True, error_model="numpy")
def _error_norm(y, ynew, yerr, rtol, atol):
    total = 0.0
    for i in range(y.size):
        scale = atol[i] + rtol * max(abs(y[i]), abs(ynew[i]))
        total += (yerr[i] / scale) ** 2
    return max(np.sqrt(total / y.size), 1e-10)


@numba.njit(cache=True, error_model="numpy")
def integrate_patient(y, p, seg_times, seg_inputs, bolus_seg, bolus_state, bolus_amount,
                      out_times, out, rtol, atol, frozen_time, h_restart, stats):
    """Integrate one patient over all segments; ``y`` ends as the final state. Returns a status
    code (``OK`` or a failure) and writes steps, rejections and the failure time into ``stats``.

    With ``frozen_time`` >= 0 the clock is held there (autonomous run, for pre-equilibration).
    """
    n = y.size
    p = extend_parameters(p)  # parameters followed by the constants derived from them, once per patient
    frozen = frozen_time >= 0.0
    k = np.zeros((6, n))
    f0 = np.empty(n)
    f1 = np.empty(n)
    dft = np.zeros(n)
    ynew = np.empty(n)
    ystage = np.empty(n)
    jv = np.empty(JAC_SIZE)
    work = np.zeros(LU_SIZE)
    io = 0
    h = h_restart
    steps = 0
    rejected = 0
    for s in range(seg_times.size - 1):
        t0 = seg_times[s]
        t1 = seg_times[s + 1]
        last = s == seg_times.size - 2
        for b in range(bolus_seg.size):
            if bolus_seg[b] == s:
                y[bolus_state[b]] += bolus_amount[b]
        u = seg_inputs[s]
        while io < out_times.size and out_times[io] <= t0:
            out[io, :] = y
            io += 1
        if t1 <= t0:
            continue
        t = t0
        h = min(h, h_restart)
        rhs(frozen_time if frozen else t, y, p, u, f0)
        reject_last = False
        reject_more = False
        while t < t1:
            if steps >= MAX_STEPS:
                stats[2] = t
                return FAILED_MAX_STEPS
            h_free = h
            final = h >= t1 - t
            if final:
                h = t1 - t
            clock = frozen_time if frozen else t
            jac(clock, y, p, u, jv)
            if not frozen:
                dfdt(clock, y, p, u, dft)
            while True:
                if h < 1e-12 * max(1.0, abs(t)):
                    stats[0] = steps
                    stats[1] = rejected
                    stats[2] = t
                    return FAILED_STEP_SIZE
                lu_assemble(work, jv, 1.0 / (h * GAMMA))
                if not lu_factor(work):
                    h *= 0.5
                    final = False
                    rejected += 1
                    continue
                inv_h = 1.0 / h
                for i in range(6):  # fused stage sums, generated from the tableau (oxysim.engine.stages)
                    if i == 0:
                        k[0, :] = f0
                    else:
                        stage_point(i, y, k, ystage)
                        rhs(frozen_time if frozen else t + ALPHA[i] * h, ystage, p, u, k[i])
                    stage_correction(i, inv_h, h, k, dft)  # dft stays 0 with the clock frozen
                    lu_solve(work, k[i])
                step_end(y, k, ynew)
                err = _error_norm(y, ynew, k[5], rtol, atol)
                if not np.isfinite(err):
                    err = 1e10
                fac = min(FAC_MAX, max(FAC_MIN, FAC_SAFE / err ** (1.0 / ERROR_ORDER)))
                if err <= 1.0:
                    break
                if reject_more:
                    fac = FAC_REJECT
                reject_more = reject_last
                reject_last = True
                rejected += 1
                h *= fac
                final = False
            t_new = t1 if final else t + h
            rhs(frozen_time if frozen else t_new, ynew, p, u, f1)
            while io < out_times.size and out_times[io] <= t_new and (last or out_times[io] < t1):
                theta = (out_times[io] - t) / h
                for m in range(n):
                    dy = ynew[m] - y[m]
                    out[io, m] = ((1.0 - theta) * y[m] + theta * ynew[m]
                                  + theta * (theta - 1.0) * ((1.0 - 2.0 * theta) * dy
                                                             + (theta - 1.0) * h * f0[m] + theta * h * f1[m]))
                io += 1
            y[:] = ynew
            f0[:] = f1
            t = t_new
            steps += 1
            if reject_last:
                fac = min(fac, 1.0)
            reject_last = False
            reject_more = False
            h = max(h * fac, h_free) if final else h * fac
    stats[0] = steps
    stats[1] = rejected
    stats[2] = seg_times[-1]
    return OK


@numba.njit(cache=True, parallel=True)
def integrate_population(y, params, seg_times, seg_inputs, bolus_seg, bolus_state, bolus_amount, out_times, out,
                         rtol, atol, frozen_time, h_restart, stats, status):
    """Integrate every patient (rows of ``y`` and ``params``) in parallel threads."""
    for q in numba.prange(y.shape[0]):
        status[q] = integrate_patient(
            y[q], params[q], seg_times, seg_inputs, bolus_seg, bolus_state, bolus_amount[:, q],
            out_times, out[q], rtol, atol, frozen_time[q], h_restart, stats[q])
