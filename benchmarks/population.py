"""Population benchmark: patients per second of oxysim's engines against libroadrunner, same run.

Protocol (issue 3): the full model, 21 days, one 24 IU intranasal dose a day at 08:00, 8 parameters
varied log-normally with CV 30 %, outputs every 15 minutes, rtol 1e-6. Every engine starts from
the same pre-equilibrated states (oxysim.simulation.rest_state, timed separately). libroadrunner
integrates the SBML export patient by patient (CVODE), in one process and in a process pool.
Accuracy: the maximum relative error of each engine over all states and output times of the first
``--check`` patients, against oxysim's reference engine at rtol 1e-10.

    python benchmarks/population.py --patients 1000 [--patients 10000] [--engines reference,roadrunner] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time

import numpy as np

from oxysim.engine.accuracy import max_relative_error
from oxysim.engine.reference import simulate_batch
from oxysim.interop.sbml import export_sbml
from oxysim.model import compile_model
from oxysim.population.variability import Variability
from oxysim.regimen import parse_regimen
from oxysim.simulation import patient_parameters, rest_state

REGIMEN = "oxytocin 24 IU in q24h x 21 @08:00"
VARIED = tuple(
    Variability(name, 0.3, "benchmark protocol: CV 30 %")
    for name in ("ot_fraction_systemic", "ot_fraction_brain", "ot_nasal_half_life", "oxtr_ec50",
                 "hpa_drive", "cortisol_half_life", "sert_vmax", "extinction_rate")
)
RTOL = 1e-6


def population(n_patients: int, seed: int = 1) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Parameters and pre-equilibrated initial states of ``n_patients`` SAD patients."""
    compiled = compile_model()
    params = patient_parameters(compiled, "SAD", n_patients, seed, variability=VARIED)
    return params, rest_state(compiled, params, n_patients)


def run_reference(params, y0, times, events, rtol=RTOL) -> np.ndarray:
    compiled = compile_model()
    return simulate_batch(compiled, params, events, times, n_patients=y0.shape[0], rtol=rtol, y0=y0).states


_RR = None


def _roadrunner_worker(args) -> np.ndarray:
    """Integrate a slice of patients with libroadrunner (the model is loaded once per process)."""
    global _RR
    import roadrunner

    xml, names, state_names, params, y0, times = args
    if _RR is None:
        roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)  # CVODE restart warnings after each dose
        _RR = roadrunner.RoadRunner(xml)
        _RR.integrator.relative_tolerance = RTOL
        _RR.integrator.absolute_tolerance = 1e-10
        _RR.integrator.max_steps = 500000
        _RR.timeCourseSelections = list(state_names)
    out = np.empty((y0.shape[0], times.size, len(state_names)))
    for k in range(y0.shape[0]):
        _RR.resetAll()  # time 0, events re-armed; then this patient's parameters and states
        for name in names:
            _RR[name] = float(params[name][k])
        for i, name in enumerate(state_names):
            _RR[name] = float(y0[k, i])
        result = _RR.simulate(times=times)
        columns = [list(result.colnames).index(name) for name in state_names]
        out[k] = np.asarray(result)[:, columns]
    return out


def run_roadrunner(params, y0, times, events, workers: int) -> np.ndarray:
    compiled = compile_model()
    xml = export_sbml(compiled, {k: float(v[0]) for k, v in params.items()}, y0[0], events)
    names = list(compiled.model.parameter_names)
    slices = np.array_split(np.arange(y0.shape[0]), max(1, workers))
    jobs = [(xml, names, compiled.model.state_names, {k: v[s] for k, v in params.items()}, y0[s], times)
            for s in slices if s.size]
    if workers <= 1:
        return np.concatenate([_roadrunner_worker(job) for job in jobs])
    with mp.get_context("fork").Pool(workers) as pool:
        return np.concatenate(pool.map(_roadrunner_worker, jobs))


def peak_memory_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, action="append", help="population size (repeatable; default 1000)")
    parser.add_argument("--days", type=float, default=21.0)
    parser.add_argument("--engines", default="reference,roadrunner")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--check", type=int, default=10, help="patients checked against the tight reference")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    times = np.arange(0.0, args.days * 24 + 1e-9, 0.25)
    events = parse_regimen(REGIMEN).events(args.days)
    compile_model()
    report: dict = {"protocol": {"regimen": REGIMEN, "days": args.days, "outputs": int(times.size), "rtol": RTOL,
                                 "varied": [v.parameter for v in VARIED], "cv": 0.3},
                    "cpu_count": os.cpu_count(), "runs": []}
    for n in args.patients or [1000]:
        start = time.perf_counter()
        params, y0 = population(n)
        row: dict = {"patients": n, "preequilibration_s": time.perf_counter() - start}
        check = min(args.check, n)
        sub = {k: v[:check] for k, v in params.items()}
        truth = run_reference(sub, y0[:check], times, events, rtol=1e-10)
        variants = [(e, 1) for e in engines] + ([("roadrunner", args.workers)] if "roadrunner" in engines and args.workers > 1 else [])
        for engine, workers in variants:
            label = engine if workers == 1 else f"{engine}_x{workers}"
            start = time.perf_counter()
            result = (run_reference(params, y0, times, events) if engine == "reference"
                      else run_roadrunner(params, y0, times, events, workers))
            elapsed = time.perf_counter() - start
            row[label] = {"seconds": elapsed, "patients_per_s": n / elapsed,
                          "max_rel_error": max_relative_error(result[:check], truth, compile_model())}
            del result
        if "reference" in row and "roadrunner" in row:
            row["reference_vs_roadrunner"] = row["reference"]["patients_per_s"] / row["roadrunner"]["patients_per_s"]
        row["peak_memory_mib"] = peak_memory_mib()
        report["runs"].append(row)
    report["fast_engine"] = "not implemented yet (issue 3): no speedup_vs_roadrunner to report"
    report["max_rel_error"] = max(v["max_rel_error"] for r in report["runs"] for v in r.values() if isinstance(v, dict))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for r in report["runs"]:
            print(f"N = {r['patients']}  (pre-equilibration {r['preequilibration_s']:.1f} s, peak memory {r['peak_memory_mib']:.0f} MiB)")
            for key, v in r.items():
                if isinstance(v, dict):
                    print(f"  {key:16s} {v['patients_per_s']:9.2f} patients/s  {v['seconds']:8.1f} s  max rel error {v['max_rel_error']:.2e}")
            if "reference_vs_roadrunner" in r:
                print(f"  reference / roadrunner (same cores): {r['reference_vs_roadrunner']:.2f}x")
        print(report["fast_engine"])
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
