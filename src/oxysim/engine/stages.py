"""Straight-line stage combinations of a Rosenbrock method, generated from its coefficient tables.

The integrator template (:mod:`oxysim.engine.rosenbrock`) forms every stage input, stage right-hand
side and the step end as weighted sums of earlier stages. Written as one axpy loop per coefficient,
a RODAS4 step made 40 passes over the states; written here as one fused loop per stage with the
coefficients as literals, it made 12 (as Hairer's rodas.f does by hand). Same arithmetic, summed in
stage order; benchmarks/README.md has the measured effect. The dense-output vectors are generated the
same way, one fused loop for all of them.
"""

from __future__ import annotations

import numpy as np

_DECORATOR = "@numba.njit(cache=True, error_model='numpy', inline='always')"


def _weighted(coefficients: np.ndarray, vector: str, factor: str = "") -> list[str]:
    """``factor * c_j * vector[j, m]`` for every non-zero ``c_j``."""
    return [f"{factor}{float(c)!r} * {vector}[{j}, m]" for j, c in enumerate(coefficients) if c != 0.0]


def _branches(stages: range, body) -> list[str]:
    """``if i == s: for m ...: <body(s)>`` chained with ``elif`` over ``stages``."""
    lines = []
    for number, s in enumerate(stages):
        lines += [f"    {'if' if number == 0 else 'elif'} i == {s}:", "        for m in range(k.shape[1]):",
                  f"            {body(s)}"]
    return lines


def stage_source(a: np.ndarray, c: np.ndarray, gamma_i: np.ndarray, weights: np.ndarray, dense: np.ndarray) -> str:
    """Numba source of ``stage_point(i, y, k, out)`` (``out = y + sum_j a_ij k_j``),
    ``stage_correction(i, inv_h, h, k, dft)`` (``k_i += sum_j c_ij / h k_j + h gamma_i df/dt``),
    ``step_end(y, k, out)`` (``out = y + sum_j m_j k_j``) and ``dense_output(k, out)`` (``out_r = sum_j
    H_rj k_j``) for the tableau ``(a, c, gamma_i, weights, dense)``."""
    stages = range(a.shape[0])

    def correction(i: int) -> str:
        terms = _weighted(c[i, :i], "k", "inv_h * ")
        if gamma_i[i] != 0.0:
            terms.append(f"h * {float(gamma_i[i])!r} * dft[m]")
        return f"k[{i}, m] += " + (" + ".join(terms) if terms else "0.0")

    lines = [_DECORATOR, "def stage_point(i, y, k, out):",
             '    """Stage input ``y + sum_j A[i, j] k[j]`` (generated from the tableau)."""',
             *_branches(stages[1:], lambda i: "out[m] = y[m] + " + " + ".join(_weighted(a[i, :i], "k"))), "",
             _DECORATOR, "def stage_correction(i, inv_h, h, k, dft):",
             '    """``k[i] += sum_j C[i, j] / h k[j] + h GAMMA_I[i] df/dt`` (generated from the tableau)."""',
             *_branches(stages, correction), "",
             _DECORATOR, "def step_end(y, k, out):",
             '    """Solution at the step end, ``y + sum_j M[j] k[j]`` (generated from the tableau)."""',
             "    for m in range(y.size):",
             "        out[m] = y[m] + " + " + ".join(_weighted(weights, "k")), "",
             _DECORATOR, "def dense_output(k, out):",
             '    """Dense-output vectors ``sum_j H[r, j] k[j]`` (generated from the tableau)."""',
             "    for m in range(k.shape[1]):",
             *(f"        out[{r}, m] = " + " + ".join(_weighted(row, "k")) for r, row in enumerate(dense))]
    return "\n".join(lines)
