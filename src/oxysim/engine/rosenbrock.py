"""Rodas5P, an L-stable stiffly accurate Rosenbrock method of order 5(4) with a dense output of order 4,
compiled with numba.

Coefficients: Steinebach (2023), "Construction of Rosenbrock-Wanner method Rodas5P and numerical
benchmarks within the Julia Differential Equations package", BIT Numer. Math. 63:27, as tabulated in
OrdinaryDiffEq.jl (``Rodas5PTableau``). They are written in the transformed form of Hairer & Wanner
(1996, section IV.7) and of the KPP integrators (Sandu et al. 1997, Atmos. Environ. 31:3459): stage
values ``K_i`` solve ``(I / (h gamma) - J) K_i = f(t + alpha_i h, y + sum_j a_ij K_j) + sum_j (c_ij / h)
K_j + h gamma_i df/dt``; the step ends at ``y + sum_j m_j K_j`` and the last stage ``K_8`` is the error
estimate. Between steps the solution is the method's own dense output, ``y(t + theta h) = (1 - theta) y0
+ theta (y1 + (1 - theta) (d_1 + theta (d_2 + theta d_3)))`` with ``d_r = sum_j H_rj K_j``. Step-size
control and rejection factors follow KPP's defaults. The end derivative ``f(y1)`` is reused as the next
step's first stage.

Rodas5P replaced RODAS4 (Hairer & Wanner's rodas.f) on 2026-11-28: at the accuracy of libroadrunner in
the benchmark protocol it needs 655 steps per patient where RODAS4 needed 1,524, and RODAS4's cubic
Hermite output was the larger part of its error (benchmarks/README.md).

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

GAMMA = 0.21193756319429014
ALPHA = np.array([0.0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664, 1.0, 1.0, 1.0])
GAMMA_I = np.array([0.21193756319429014, -0.42387512638858027, -0.3384627126235924, 1.8046452872882734,
                    2.325825639765069, 0.0, 0.0, 0.0])
A = np.zeros((8, 8))
A[1, 0] = 3.0
A[2, :2] = 2.849394379747939, 0.45842242204463923
A[3, :3] = -6.954028509809101, 2.489845061869568, -10.358996098473584
A[4, :4] = 2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641
A[5, :5] = -7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946
A[6, :6] = *A[5, :5], 1.0  # stiffly accurate: stages 7 and 8 start from the previous stage's solution
A[7, :7] = *A[6, :6], 1.0
C = np.zeros((8, 8))
C[1, 0] = -14.155112264123755
C[2, :2] = -17.97296035885952, -2.859693295451294
C[3, :3] = 147.12150275711716, -1.41221402718213, 71.68940251302358
C[4, :4] = 165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306
C[5, :5] = 24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125, -0.6610691825249471
C[6, :6] = (30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783, -19.097331116725623,
            -28.087943162872662)
C[7, :7] = (37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047, -40.06618937091002,
            -54.66780262877968, -9.48861652309627)
M = np.array([*A[7, :7], 1.0])
H = np.array([  # dense output d_r = sum_j H[r, j] K_j
    [25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204, 0.524948541321073,
     1.1241088310450404, 0.4272876194431874, -0.17202221070155493],
    [-9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796, 20.176138334709044,
     15.98066361424651, -6.789040303419874, -6.710236069923372],
    [11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643, -52.072871366152654,
     -59.78993625266729, -0.15582684282751913, 4.883087185713722]])
STAGES = ALPHA.size
ERROR_ORDER = 5.0  # the embedded estimate K_8 is of order 4: step factor err^(-1/5)

FAC_MIN, FAC_MAX, FAC_REJECT, FAC_SAFE = 0.2, 6.0, 0.1, 0.9
MAX_STEPS = 2_000_000

OK, FAILED_STEP_SIZE, FAILED_MAX_STEPS = 0, 1, 2

# The model kernels, its sparse LU and the fused stage sums; the generated module defines them after this source.
rhs = dfdt = jac = extend_parameters = lu_assemble = lu_factor = lu_solve = None
stage_point = stage_correction = step_end = dense_output = None  # oxysim.engine.stages, from A, C, GAMMA_I, M, H
JAC_SIZE = LU_SIZE = 0  # entries of the Jacobian and of its filled LU pattern


@numba.njit(cache=True, error_model="numpy")
def _error_norm(y, ynew, yerr, rtol, atol):
    total = 0.0
    for i in range(y.size):
        scale = atol[i] + rtol * max(abs(y[i]), abs(ynew[i]))
        total += (yerr[i] / scale) ** 2
    return max(np.sqrt(total / y.size), 1e-10)


@numba.njit(cache=True, inline="always")
def _output_due(io, out_times, t_new, t1, last):
    """Whether output ``io`` falls in the step ending at ``t_new`` (at ``t1`` only in the last segment:
    otherwise the next segment writes it, after its bolus)."""
    return io < out_times.size and out_times[io] <= t_new and (last or out_times[io] < t1)


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
    k = np.zeros((STAGES, n))
    dense = np.empty((H.shape[0], n))
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
                for i in range(STAGES):  # fused stage sums, generated from the tableau (oxysim.engine.stages)
                    if i == 0:
                        k[0, :] = f0
                    else:
                        stage_point(i, y, k, ystage)
                        rhs(frozen_time if frozen else t + ALPHA[i] * h, ystage, p, u, k[i])
                    stage_correction(i, inv_h, h, k, dft)  # dft stays 0 with the clock frozen
                    lu_solve(work, k[i])
                step_end(y, k, ynew)
                err = _error_norm(y, ynew, k[STAGES - 1], rtol, atol)
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
            if _output_due(io, out_times, t_new, t1, last):
                dense_output(k, dense)
            while _output_due(io, out_times, t_new, t1, last):
                theta = (out_times[io] - t) / h
                for m in range(n):
                    out[io, m] = (1.0 - theta) * y[m] + theta * (
                        ynew[m] + (1.0 - theta) * (dense[0, m] + theta * (dense[1, m] + theta * dense[2, m])))
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
