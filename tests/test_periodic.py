"""Periodic steady state by minimal polynomial extrapolation, against analytic fixed points."""

import numpy as np
import pytest

from oxysim.engine.periodic import minimal_polynomial_extrapolation, periodic_start


def _linear_map(seed: int, n_states: int, slow: tuple[float, ...]):
    """x -> A x + b with eigenvalues ``slow`` (plus fast ones 0.01), different per patient; fixed point known."""
    rng = np.random.default_rng(seed)
    eigenvalues = np.concatenate([slow, np.full(n_states - len(slow), 0.01)])
    basis = rng.normal(size=(n_states, n_states)) + 3 * np.eye(n_states)
    matrix = basis @ np.diag(eigenvalues) @ np.linalg.inv(basis)
    fixed = rng.uniform(1.0, 2.0, n_states)
    return matrix, fixed - matrix @ fixed, fixed


def test_mpe_is_exact_for_a_linear_map_with_as_many_modes_as_its_order():
    matrix, offset, fixed = _linear_map(0, 6, (0.99, 0.95, 0.9))
    x = [np.full(6, 5.0)]
    for _ in range(10):  # 6 iterates for the fast modes to die (0.01^6), then 5 for order 3
        x.append(matrix @ x[-1] + offset)
    limit = minimal_polynomial_extrapolation(np.stack(x[6:])[:, None, :])
    # plain iteration is still ~0.99^10 of the way off; MPE lands on the fixed point
    assert np.max(np.abs(x[-1] - fixed)) > 0.1
    np.testing.assert_allclose(limit[0], fixed, rtol=1e-6)


def test_periodic_start_finds_each_patients_fixed_point_whatever_the_batch():
    maps = [_linear_map(seed, 5, (0.995, 0.97)) for seed in range(4)]

    def period_map(states, rows):
        return np.stack([maps[r][0] @ s + maps[r][1] for s, r in zip(states, rows)])

    start = np.ones((4, 5))
    kwargs = dict(scale=np.ones(5), lower=np.full(5, -np.inf), upper=np.full(5, np.inf), tol=1e-9)
    together = periodic_start(period_map, start, **kwargs)
    np.testing.assert_allclose(together, np.stack([m[2] for m in maps]), rtol=1e-7)
    alone = periodic_start(lambda s, rows: period_map(s, rows + 2), start[2:3], **kwargs)
    np.testing.assert_array_equal(alone[0], together[2])


def test_periodic_start_warns_when_a_patient_does_not_settle():
    # x -> 1.5 |x| + 1 has no fixed point: the patient keeps its last iterate, with a warning
    with pytest.warns(RuntimeWarning, match="did not reach a periodic steady state"):
        periodic_start(lambda states, rows: 1.5 * np.abs(states) + 1.0, np.ones((1, 2)), scale=np.ones(2),
                       lower=np.full(2, -np.inf), upper=np.full(2, np.inf), max_cycles=2)
