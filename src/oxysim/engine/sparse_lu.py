"""Sparse LU of the Rosenbrock iteration matrix with a fill pattern fixed once per model.

The matrix ``W = I / (h * gamma) - J`` has the model's Jacobian pattern plus the diagonal (122 of
35 x 35 entries for the current model). Its symbolic factorisation (a fill-reducing order and the positions of the fill)
is computed once from the pattern and written out as straight-line code (:func:`lu_source`), so each
numerical factorisation touches only those entries of a compact array, with no index arrays at run
time. There is no pivoting: W is dominated by its diagonal for small steps, and the integrator
rejects a step whose pivot is not usable.
The order is the best of natural, reverse Cuthill-McKee and greedy Markowitz (minimum degree,
Markowitz 1957) by operation count, which is what SuperLU/KLU would also look for.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def lu_source(pattern: LUPattern, *, cache: bool = True) -> str:
    """Straight-line numba source of ``lu_assemble``, ``lu_factor`` and ``lu_solve`` for ``pattern``.

    As in KPP's generated sparse linear algebra (Sandu et al. 1997), every loop over the pattern is
    unrolled and the permutation is folded into the indices, so a factorisation is 95 multiply-adds
    with no index arrays. The matrix is stored compactly: ``w[e]`` is the ``e``-th entry of the filled
    pattern (row-major, permuted order), and the factorised diagonal holds reciprocal pivots.
    """
    n = pattern.n
    slot = {int(flat): e for e, flat in enumerate(pattern.structure_flat)}
    jit = f"@numba.njit(cache={cache}, error_model='numpy')"

    def w(i: int, j: int) -> str:
        return f"w[{slot[i * n + j]}]"

    jac_at = {}
    for e, flat in enumerate(pattern.jac_flat):
        if int(flat) in jac_at:
            raise ValueError(f"Jacobian pattern lists entry {divmod(int(flat), n)} twice.")
        jac_at[int(flat)] = e
    diagonal = {int(flat) for flat in pattern.diag_flat}
    assemble = [jit, "def lu_assemble(w, jv, shift):", '    """Write shift * I - J into the compact work array."""']
    for e, flat in enumerate(pattern.structure_flat):
        terms = [f"-jv[{jac_at[int(flat)]}]"] if int(flat) in jac_at else []
        terms += ["shift"] if int(flat) in diagonal else []
        assemble.append(f"    w[{e}] = {' + '.join(terms) if terms else '0.0'}")
    factor = [jit, "def lu_factor(w):",
              '    """In-place LU without pivoting; False when a pivot is zero or not finite."""']
    solve = [jit, "def lu_solve(w, b):",
             '    """Overwrite b (original state order) with the solution of the factorised system."""']
    solve += [f"    x{a} = b[{int(pattern.perm[a])}]" for a in range(n)]
    for k in range(n):
        lower = pattern.lower_idx[pattern.lower_ptr[k]:pattern.lower_ptr[k + 1]]
        upper = pattern.upper_idx[pattern.upper_ptr[k]:pattern.upper_ptr[k + 1]]
        factor += [f"    pivot = {w(k, k)}", "    if pivot == 0.0 or not math.isfinite(pivot):", "        return False",
                   f"    {w(k, k)} = 1.0 / pivot"]
        for i in lower:
            factor.append(f"    {w(i, k)} *= {w(k, k)}")
            factor += [f"    {w(i, j)} -= {w(i, k)} * {w(k, j)}" for j in upper]
            solve.append(f"    x{i} -= {w(i, k)} * x{k}")
    factor.append("    return True")
    for k in range(n - 1, -1, -1):
        solve.append(f"    x{k} *= {w(k, k)}")
        above = pattern.above_idx[pattern.above_ptr[k]:pattern.above_ptr[k + 1]]
        solve += [f"    x{i} -= {w(i, k)} * x{k}" for i in above]
    solve += [f"    b[{int(pattern.perm[a])}] = x{a}" for a in range(n)]
    return "\n".join(["\n".join(assemble), "", "\n".join(factor), "", "\n".join(solve), ""])
