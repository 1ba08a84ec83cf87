"""The generated fused stage sums compute what the RODAS4 tableau says: checked against the tableau
applied with numpy, for every stage, on random stage values (the generated code runs as plain Python)."""

from types import SimpleNamespace

import numpy as np
import pytest

from oxysim.engine import rosenbrock
from oxysim.engine.stages import stage_source


@pytest.fixture(scope="module")
def stage_functions() -> dict:
    plain_python = SimpleNamespace(njit=lambda **options: (lambda function: function))  # numba.njit, undone
    namespace = {"numba": plain_python, "np": np}
    exec(stage_source(rosenbrock.A, rosenbrock.C, rosenbrock.GAMMA_I, rosenbrock.M), namespace)
    return {name: namespace[name] for name in ("stage_point", "stage_correction", "step_end")}


def test_stage_points_and_step_end_follow_the_tableau(stage_functions: dict) -> None:
    rng = np.random.default_rng(3)
    y, k = rng.normal(size=7), rng.normal(size=(6, 7))
    for i in range(1, 6):
        out = np.full(7, np.nan)
        stage_functions["stage_point"](i, y, k, out)
        np.testing.assert_allclose(out, y + rosenbrock.A[i, :i] @ k[:i], rtol=1e-14, atol=1e-14)
    out = np.full(7, np.nan)
    stage_functions["step_end"](y, k, out)
    np.testing.assert_allclose(out, y + rosenbrock.M @ k, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("stage", range(6))
def test_stage_corrections_follow_the_tableau(stage_functions: dict, stage: int) -> None:
    rng = np.random.default_rng(stage)
    k, dft, h = rng.normal(size=(6, 7)), rng.normal(size=7), 0.37
    expected = k[stage] + rosenbrock.C[stage, :stage] @ k[:stage] / h + h * rosenbrock.GAMMA_I[stage] * dft
    stage_functions["stage_correction"](stage, 1.0 / h, h, k, dft)
    np.testing.assert_allclose(k[stage], expected, rtol=1e-13, atol=1e-13)
