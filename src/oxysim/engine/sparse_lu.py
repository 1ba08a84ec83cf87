"""Sparse LU of the Rosenbrock iteration matrix with a fill pattern fixed once per model.

The matrix ``W = I / (h * gamma) - J`` has the model's Jacobian pattern plus the diagonal (120 of
34 x 34 entries). Its symbolic factorisation (a fill-reducing order and the positions of the fill)
is computed once from the pattern; each numerical factorisation then touches only those entries,
in a dense 34 x 34 work array that stays in the L1 cache. There is no pivoting: W is dominated by
its diagonal for small steps, and the integrator rejects a step whose pivot is not usable.
The order is the best of natural, reverse Cuthill-McKee and greedy Markowitz (minimum degree,
Markowitz 1957) by operation count, which is what SuperLU/KLU would also look for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import reverse_cuthill_mckee


@dataclass(frozen=True)
class LUPattern:
    """Index arrays that drive :func:`factor` and :func:`solve` for one sparsity pattern.

    ``perm[a]`` is the state at position ``a``; the work matrix is stored in that order. For each
    pivot ``k``: ``lower`` rows below it, ``upper`` columns right of it (row ``k`` of U), and
    ``above`` rows above it (column ``k`` of U), each as a CSR-style (pointer, index) pair.
    """

    n: int
    perm: np.ndarray
    position: np.ndarray
    jac_flat: np.ndarray
    diag_flat: np.ndarray
    structure_flat: np.ndarray
    lower_ptr: np.ndarray
    lower_idx: np.ndarray
    upper_ptr: np.ndarray
    upper_idx: np.ndarray
    above_ptr: np.ndarray
    above_idx: np.ndarray
    flops: int


def _filled(pattern: np.ndarray) -> np.ndarray:
    """The pattern of L + U after elimination in the given (already permuted) order."""
    filled = pattern.copy()
    n = filled.shape[0]
    for k in range(n):
        rows = np.nonzero(filled[k + 1:, k])[0] + k + 1
        cols = np.nonzero(filled[k, k + 1:])[0] + k + 1
        filled[np.ix_(rows, cols)] = True
    return filled


def _cost(filled: np.ndarray) -> int:
    """Multiply-adds of one factorisation: for each pivot, (entries below) x (entries to the right)."""
    n = filled.shape[0]
    return int(sum(np.count_nonzero(filled[k + 1:, k]) * (1 + np.count_nonzero(filled[k, k + 1:])) for k in range(n)))


def _markowitz_order(pattern: np.ndarray) -> np.ndarray:
    """Greedy order that picks, at each step, the pivot with the smallest Markowitz count."""
    work = pattern.copy()
    remaining = list(range(pattern.shape[0]))
    order = []
    while remaining:
        sub = work[np.ix_(remaining, remaining)]
        counts = (sub.sum(axis=1) - 1) * (sub.sum(axis=0) - 1)
        pick = remaining[int(np.argmin(counts))]
        rows = [i for i in remaining if i != pick and work[i, pick]]
        cols = [j for j in remaining if j != pick and work[pick, j]]
        work[np.ix_(rows, cols)] = True
        order.append(pick)
        remaining.remove(pick)
    return np.array(order)


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    pointer = np.zeros(len(lists) + 1, dtype=np.int64)
    pointer[1:] = np.cumsum([len(x) for x in lists])
    index = np.array([i for x in lists for i in x], dtype=np.int64)
    return pointer, index


def analyse(n: int, rows: np.ndarray, cols: np.ndarray) -> LUPattern:
    """The symbolic factorisation of a pattern ``(rows, cols)`` of an ``n x n`` matrix plus its diagonal."""
    pattern = np.zeros((n, n), dtype=bool)
    pattern[rows, cols] = True
    pattern[np.arange(n), np.arange(n)] = True
    candidates = [np.arange(n), reverse_cuthill_mckee(csr_matrix(pattern | pattern.T), symmetric_mode=True),
                  _markowitz_order(pattern)]
    scored = [(_cost(_filled(pattern[np.ix_(p, p)])), i, p) for i, p in enumerate(candidates)]
    flops, _, perm = min(scored, key=lambda item: (item[0], item[1]))
    perm = np.asarray(perm, dtype=np.int64)
    position = np.empty(n, dtype=np.int64)
    position[perm] = np.arange(n)
    filled = _filled(pattern[np.ix_(perm, perm)])
    lower_ptr, lower_idx = _csr([list(np.nonzero(filled[k + 1:, k])[0] + k + 1) for k in range(n)])
    upper_ptr, upper_idx = _csr([list(np.nonzero(filled[k, k + 1:])[0] + k + 1) for k in range(n)])
    above_ptr, above_idx = _csr([list(np.nonzero(filled[:k, k])[0]) for k in range(n)])
    return LUPattern(
        n=n, perm=perm, position=position,
        jac_flat=(position[rows] * n + position[cols]).astype(np.int64),
        diag_flat=(np.arange(n) * (n + 1)).astype(np.int64),
        structure_flat=np.flatnonzero(filled).astype(np.int64),
        lower_ptr=lower_ptr, lower_idx=lower_idx, upper_ptr=upper_ptr, upper_idx=upper_idx,
        above_ptr=above_ptr, above_idx=above_idx, flops=flops,
    )


@numba.njit(cache=True, error_model="numpy")
def assemble(work, jac_values, shift, jac_flat, diag_flat, structure_flat):
    """Write ``shift * I - J`` into the flat work matrix (permuted order)."""
    for e in structure_flat:
        work[e] = 0.0
    for e in range(jac_flat.size):
        work[jac_flat[e]] -= jac_values[e]
    for e in diag_flat:
        work[e] += shift


@numba.njit(cache=True, error_model="numpy")
def factor(work, n, lower_ptr, lower_idx, upper_ptr, upper_idx) -> bool:
    """In-place LU without pivoting; False when a pivot is zero or not finite."""
    for k in range(n):
        pivot = work[k * n + k]
        if pivot == 0.0 or not np.isfinite(pivot):
            return False
        for a in range(lower_ptr[k], lower_ptr[k + 1]):
            i = lower_idx[a]
            factor_ik = work[i * n + k] / pivot
            work[i * n + k] = factor_ik
            for b in range(upper_ptr[k], upper_ptr[k + 1]):
                j = upper_idx[b]
                work[i * n + j] -= factor_ik * work[k * n + j]
    return True


@numba.njit(cache=True, error_model="numpy")
def solve(work, n, perm, lower_ptr, lower_idx, above_ptr, above_idx, rhs, scratch):
    """Overwrite ``rhs`` (original state order) with the solution of the factorised system."""
    for a in range(n):
        scratch[a] = rhs[perm[a]]
    for k in range(n):
        zk = scratch[k]
        for a in range(lower_ptr[k], lower_ptr[k + 1]):
            i = lower_idx[a]
            scratch[i] -= work[i * n + k] * zk
    for k in range(n - 1, -1, -1):
        zk = scratch[k] / work[k * n + k]
        scratch[k] = zk
        for a in range(above_ptr[k], above_ptr[k + 1]):
            i = above_idx[a]
            scratch[i] -= work[i * n + k] * zk
    for a in range(n):
        rhs[perm[a]] = scratch[a]
