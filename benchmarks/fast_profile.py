"""Where the fast engine's time goes: cost of each part of a Rosenbrock (Rodas5P) step, and steps per patient.

Times each compiled part in a numba loop (inputs perturbed every call, so nothing is hoisted), then
integrates one typical SAD patient through the benchmark protocol (21 days, 24 IU daily) on one
thread and divides. Prints one line per part; ``--json`` prints one JSON object.

    PYTHONPATH=src python benchmarks/fast_profile.py [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numba
import numpy as np

from oxysim.engine import rosenbrock
from oxysim.engine.codegen import load_kernels, lu_pattern
from oxysim.engine.fast import simulate_fast
from oxysim.model import compile_model
from oxysim.regimen import parse_regimen
from oxysim.simulation import patient_parameters, rest_state

CALLS = 200_000


def _part_timer(kernels, lu, n: int):
    rhs, jac = kernels.rhs, kernels.jac
    lu_assemble, lu_factor, lu_solve = kernels.lu_assemble, kernels.lu_factor, kernels.lu_solve
    jac_size, lu_size = lu.jac_flat.size, lu.structure_flat.size

    @numba.njit
    def run(part, y, p, u, calls):
        out = np.zeros(n)
        values = np.zeros(jac_size)
        work = np.zeros(lu_size)
        jac(0.0, y, p, u, values)
        total = 0.0
        for call in range(calls):
            y[call % n] *= 1.0 + 1e-9
            if part == 0:
                rhs(1e-3 * call, y, p, u, out)
                total += out[0]
            elif part == 1:
                jac(1e-3 * call, y, p, u, values)
                total += values[0]
            elif part == 2:
                lu_assemble(work, values, 10.0 + 1e-6 * call)
                lu_factor(work)
                total += work[0]
            else:
                out[:] = y
                lu_solve(work, out)
                total += out[0]
        return total

    return run


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    compiled = compile_model()
    kernels = load_kernels(compiled)
    lu = lu_pattern(compiled)
    params = patient_parameters(compiled, "SAD", 1, None)
    y0 = rest_state(compiled, params, 1)
    p = np.array([params[name][0] for name in compiled.model.parameter_names])
    u = np.array([float(i.default) for i in compiled.model.inputs])
    p = kernels.extend_parameters(p)  # the kernels read the per-patient derived constants after the parameters
    run = _part_timer(kernels, lu, compiled.n_states)
    parts = {}
    for index, name in enumerate(("rhs", "jacobian", "assemble_and_factor", "solve")):
        run(index, y0[0].copy(), p, u, 10)
        start = time.perf_counter()
        run(index, y0[0].copy(), p, u, CALLS)
        parts[name] = (time.perf_counter() - start) / CALLS * 1e6
    events = parse_regimen("oxytocin 24 IU in q24h x 21 @08:00").events(21)
    times = np.arange(0.0, 21 * 24 + 1e-9, 0.25)
    numba.set_num_threads(1)
    simulate_fast(compiled, params, events, times, n_patients=1, y0=y0)
    start = time.perf_counter()
    result = simulate_fast(compiled, params, events, times, n_patients=1, y0=y0)
    seconds = time.perf_counter() - start
    steps = int(result.steps[0])
    stages = rosenbrock.STAGES  # stage 1 reuses f(y0); the step end's f(y1) is the extra call
    per_step = {f"rhs ({stages} per step)": stages * parts["rhs"], "jacobian": parts["jacobian"],
                "assemble and factor W": parts["assemble_and_factor"],
                f"solves ({stages} per step)": stages * parts["solve"]}
    report = {"steps_per_patient": steps, "us_per_step": seconds / steps * 1e6, "ms_per_patient": seconds * 1e3,
              "parts_us": parts, "per_step_us": per_step,
              "other_us_per_step": seconds / steps * 1e6 - sum(per_step.values()),
              "lu_multiply_adds": lu.flops, "lu_entries_after_fill": int(lu.structure_flat.size)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"one patient, 21 days, rtol 1e-6: {steps} steps, {seconds * 1e3:.1f} ms, "
              f"{report['us_per_step']:.2f} us per step")
        for name, value in per_step.items():
            print(f"  {name:24s} {value:6.2f} us/step  ({100 * value / report['us_per_step']:4.1f} %)")
        print(f"  {'stage sums, error norm, dense output, control':24s} {report['other_us_per_step']:6.2f} us/step")
        print(f"sparse LU: {lu.flops} multiply-adds, {lu.structure_flat.size} entries after fill")
    return report


if __name__ == "__main__":
    main()
