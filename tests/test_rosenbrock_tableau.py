"""The integrator's tableau (Rodas5P) has the orders it claims: order 5 at step ends, an embedded error
estimate of local order 5 (order 4 method) and a dense output of order 4. Checked by applying the tableau
with numpy, as the transformed Rosenbrock scheme of oxysim.engine.rosenbrock, to a forced van der Pol
oscillator (nonlinear and non-autonomous, so the Jacobian, c_ij and gamma_i terms all matter), against
scipy's DOP853 at rtol 1e-13. A wrong coefficient drops the observed orders."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from oxysim.engine import rosenbrock as method

Y0 = np.array([2.0, 0.0])


def forced_van_der_pol(t: float, y: np.ndarray) -> np.ndarray:
    return np.array([y[1], (1.0 - y[0] ** 2) * y[1] - y[0] + 0.5 * np.cos(t)])


def jacobian(t: float, y: np.ndarray) -> np.ndarray:
    return np.array([[0.0, 1.0], [-2.0 * y[0] * y[1] - 1.0, 1.0 - y[0] ** 2]])


def time_derivative(t: float, y: np.ndarray) -> np.ndarray:
    return np.array([0.0, -0.5 * np.sin(t)])


def step(t: float, y: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of the tableau: the step end, the stages and the dense-output vectors."""
    iteration = np.eye(y.size) / (h * method.GAMMA) - jacobian(t, y)
    dfdt = time_derivative(t, y)
    k = np.zeros((method.STAGES, y.size))
    for i in range(method.STAGES):
        stage_input = y + method.A[i, :i] @ k[:i]
        right = (forced_van_der_pol(t + method.ALPHA[i] * h, stage_input) + method.C[i, :i] @ k[:i] / h
                 + h * method.GAMMA_I[i] * dfdt)
        k[i] = np.linalg.solve(iteration, right)
    return y + method.M @ k, k, method.H @ k


def dense(y0: np.ndarray, y1: np.ndarray, vectors: np.ndarray, theta: float) -> np.ndarray:
    """The dense output at ``t + theta h``, in the form the integrator template evaluates."""
    return (1 - theta) * y0 + theta * (y1 + (1 - theta) * (vectors[0] + theta * (vectors[1] + theta * vectors[2])))


@pytest.fixture(scope="module")
def exact():
    return solve_ivp(forced_van_der_pol, (0.0, 1.0), Y0, method="DOP853", rtol=1e-13, atol=1e-13,
                     dense_output=True).sol


def observed_order(coarse: float, fine: float) -> float:
    return float(np.log2(coarse / fine))


def test_global_error_is_of_order_five(exact) -> None:
    errors = []
    for n in (8, 16, 32):
        y, t = Y0.copy(), 0.0
        for _ in range(n):
            y, _, _ = step(t, y, 1.0 / n)
            t += 1.0 / n
        errors.append(np.abs(y - exact(1.0)).max())
    assert observed_order(errors[0], errors[1]) > 4.8
    assert observed_order(errors[1], errors[2]) > 4.8


@pytest.mark.parametrize("what", ["step end", "error estimate", "dense output"])
def test_local_orders(exact, what: str) -> None:
    """Local errors: h^6 at the step end, h^5 for the embedded estimate K_8 and the dense output."""
    local = []
    for h in (0.05, 0.025):
        y1, k, vectors = step(0.0, Y0, h)
        local.append({"step end": np.abs(y1 - exact(h)).max(),
                      "error estimate": np.abs(k[-1]).max(),
                      "dense output": np.abs(dense(Y0, y1, vectors, 0.5) - exact(h / 2)).max()}[what])
    expected = 6 if what == "step end" else 5
    assert observed_order(*local) > expected - 0.3


def test_the_method_is_stiffly_accurate() -> None:
    """The step end is the last stage's input plus K_8, so y1 solves the last stage exactly (L-stability)."""
    np.testing.assert_array_equal(method.M[:-1], method.A[-1, :-1])
    assert method.M[-1] == 1.0 and method.ALPHA[-1] == 1.0
