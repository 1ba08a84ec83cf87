"""The generated fused stage sums and dense-output vectors compute what the integrator's tableau says:
checked against the tableau applied with numpy, for every stage, on random stage values (the generated
code runs as plain Python)."""

from types import SimpleNamespace

import numpy as np
import pytest

from oxysim.engine import rosenbrock
from oxysim.engine.stages import stage_source


@pytest.fixture(scope="module")
def stage_functions() -> dict:
    plain_python = SimpleNamespace(njit=lambda **options: (lambda function: function))  # numba.njit, undone
    namespace = {"numba": plain_python, "np": np}
    exec(stage_source(rosenbrock.A, rosenbrock.C, rosenbrock.GAMMA_I, rosenbrock.M, rosenbrock.H), namespace)
    return {name: namespace[name] for name in ("stage_point", "stage_correction", "step_end", "dense_output")}


def test_stage_points_and_step_end_follow_the_tableau(stage_functions: dict) -> None:
    rng = np.random.default_rng(3)
    y, k = rng.normal(size=7), rng.normal(size=(rosenbrock.STAGES, 7))
    for i in range(1, rosenbrock.STAGES):
        out = np.full(7, np.nan)
        stage_functions["stage_point"](i, y, k, out)
        np.testing.assert_allclose(out, y + rosenbrock.A[i, :i] @ k[:i], rtol=1e-14, atol=1e-14)
    out = np.full(7, np.nan)
    stage_functions["step_end"](y, k, out)
    np.testing.assert_allclose(out, y + rosenbrock.M @ k, rtol=1e-14, atol=1e-14)
    vectors = np.full((rosenbrock.H.shape[0], 7), np.nan)
    stage_functions["dense_output"](k, vectors)
    np.testing.assert_allclose(vectors, rosenbrock.H @ k, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("stage", range(rosenbrock.STAGES))
def test_stage_corrections_follow_the_tableau(stage_functions: dict, stage: int) -> None:
    rng = np.random.default_rng(stage)
    k, dft, h = rng.normal(size=(rosenbrock.STAGES, 7)), rng.normal(size=7), 0.37
    expected = k[stage] + rosenbrock.C[stage, :stage] @ k[:stage] / h + h * rosenbrock.GAMMA_I[stage] * dft
    stage_functions["stage_correction"](stage, 1.0 / h, h, k, dft)
    np.testing.assert_allclose(k[stage], expected, rtol=1e-13, atol=1e-13)
