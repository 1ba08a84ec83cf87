"""Population benchmark: patients per second of oxysim's engines against libroadrunner, same run.

Protocol (issue 3): the full model, 21 days, one 24 IU intranasal dose a day at 08:00, 8 parameters
varied log-normally with CV 30 %, outputs every 15 minutes, rtol 1e-6 and an absolute tolerance of
1e-8 times each state's typical scale (ATOL_SCALE), the same for every engine: libroadrunner gets it
state by state through ``setIndividualTolerance``. Every engine starts from
the same pre-equilibrated states (oxysim.simulation.rest_state, timed separately). libroadrunner
integrates the SBML export patient by patient (CVODE), in one process and in a process pool; the
fast engine runs with one thread and with as many threads as cores, in chunks of ``--chunk``
patients (default CHUNK = 100, 56 MB of outputs) whose outputs are dropped after the accuracy check
(bounded memory). Small chunks reuse memory that was just freed: on this project's VM a 1000-patient
chunk (565 MB) touched after a few idle seconds costs ~1.4 s of kernel time (the host backs the memory
again), which small chunks pay once for 56 MB (benchmarks/README.md).
Accuracy: the maximum relative error of each engine over all states and output times of the first
``--check`` patients, against oxysim's reference engine at rtol 1e-10 (atol 1e-10 x state scale).
``fast_matched`` is the fast engine at the loosest rtol in MATCHED_RTOLS whose error does not exceed
libroadrunner's at rtol 1e-6: the comparison "at matched accuracy".

    python benchmarks/population.py --patients 1000 [--patients 10000] [--engines fast,reference,roadrunner]
        [--repeats K] [--json]
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

import numba

from oxysim.engine.accuracy import max_relative_error
from oxysim.engine.fast import simulate_fast
from oxysim.engine.trajectory import absolute_tolerance
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
ATOL_SCALE = 1e-8
"""Absolute tolerance of every engine, as a fraction of each state's typical scale (oxysim's default)."""
CHUNK = 100
"""Patients per chunk of the fast and reference engines (outputs of one chunk: 100 x 2,017 x 35 doubles)."""
MATCHED_RTOLS = (3e-4, 2e-4, 1e-4, 7e-5, 5e-5, 3e-5, 2e-5, 1e-5, 3e-6, 1e-6)


def population(n_patients: int, seed: int = 1) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Parameters and pre-equilibrated initial states of ``n_patients`` SAD patients."""
    compiled = compile_model()
    params = patient_parameters(compiled, "SAD", n_patients, seed, variability=VARIED)
    return params, rest_state(compiled, params, n_patients)


def run_reference(params, y0, times, events, rtol=RTOL, check: int | None = None, chunk: int | None = None) -> np.ndarray:
    """The reference engine over the whole batch, or in chunks of ``chunk`` patients keeping only the first
    ``check`` patients' states (its dense result for N = 10,000 would need ~5.5 GB, its solver far more)."""
    compiled = compile_model()
    atol_scale = 1e-10 if rtol < 1e-8 else ATOL_SCALE
    n = y0.shape[0]
    chunk = chunk or n
    kept = []
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        states = simulate_batch(compiled, {k: v[rows] for k, v in params.items()}, events, times,
                                n_patients=rows.stop - rows.start, rtol=rtol, atol_scale=atol_scale, y0=y0[rows]).states
        kept.append(states if check is None else states[: max(0, check - start)].copy())  # a view would keep the chunk
    return np.concatenate(kept)


def run_fast(params, y0, times, events, threads: int, check: int, chunk: int, rtol=RTOL) -> tuple[np.ndarray, float]:
    """The first ``check`` patients' states and the mean steps per patient; chunks bound the memory."""
    compiled = compile_model()
    numba.set_num_threads(threads)
    kept, steps = [], []
    for start in range(0, y0.shape[0], chunk):
        rows = slice(start, min(start + chunk, y0.shape[0]))
        result = simulate_fast(compiled, {k: v[rows] for k, v in params.items()}, events, times,
                               n_patients=rows.stop - rows.start, rtol=rtol, atol_scale=ATOL_SCALE, y0=y0[rows])
        kept.append(result.states[: max(0, check - start)].copy())  # a view would keep the whole chunk alive
        steps.append(result.steps)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return np.concatenate(kept), float(np.mean(np.concatenate(steps)))


_RR = None


def _roadrunner_worker(args) -> np.ndarray:
    """Integrate a slice of patients with libroadrunner (the model is loaded once per process); return the
    states of its first ``keep`` patients (bounded memory at large N)."""
    global _RR
    import roadrunner

    xml, names, state_names, atol, params, y0, times, keep = args
    if _RR is None:
        roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)  # CVODE restart warnings after each dose
        _RR = roadrunner.RoadRunner(xml)
        _RR.integrator.relative_tolerance = RTOL
        for name, value in zip(state_names, atol, strict=True):  # the fast engine's absolute tolerances
            _RR.integrator.setIndividualTolerance(name, float(value))
        _RR.integrator.max_steps = 500000
        _RR.timeCourseSelections = list(state_names)
    out = np.empty((min(keep, y0.shape[0]), times.size, len(state_names)))
    for k in range(y0.shape[0]):
        _RR.resetAll()  # time 0, events re-armed; then this patient's parameters and states
        for name in names:
            _RR[name] = float(params[name][k])
        for i, name in enumerate(state_names):
            _RR[name] = float(y0[k, i])
        result = _RR.simulate(times=times)
        if k < out.shape[0]:
            columns = [list(result.colnames).index(name) for name in state_names]
            out[k] = np.asarray(result)[:, columns]
    return out


def run_roadrunner(params, y0, times, events, workers: int, check: int) -> np.ndarray:
    """libroadrunner patient by patient in ``workers`` processes; the first ``check`` patients' states."""
    compiled = compile_model()
    xml = export_sbml(compiled, {k: float(v[0]) for k, v in params.items()}, y0[0], events)
    names = list(compiled.model.parameter_names)
    slices = np.array_split(np.arange(y0.shape[0]), max(1, workers))
    atol = absolute_tolerance(compiled, ATOL_SCALE)
    jobs = [(xml, names, compiled.model.state_names, atol, {k: v[s] for k, v in params.items()}, y0[s], times,
             max(0, check - int(s[0]))) for s in slices if s.size]
    if workers <= 1:
        return np.concatenate([_roadrunner_worker(job) for job in jobs])
    with mp.get_context("fork").Pool(workers) as pool:
        return np.concatenate(pool.map(_roadrunner_worker, jobs))


def peak_memory_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def _timed(label: str, row: dict, n: int, truth: np.ndarray, run, repeats: int = 1) -> None:
    """Time ``run`` ``repeats`` times; patients per second from the median time (this VM drifts by +-20 %)."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - start)
    states, extra = result if isinstance(result, tuple) else (result, {})
    check = truth.shape[0]
    elapsed = float(np.median(seconds))
    row[label] = {"seconds": elapsed, "patients_per_s": n / elapsed, "patients_per_s_range": [n / max(seconds), n / min(seconds)],
                  "repeats": repeats, "max_rel_error": max_relative_error(states[:check], truth, compile_model()), **extra}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, action="append", help="population size (repeatable; default 1000)")
    parser.add_argument("--days", type=float, default=21.0)
    parser.add_argument("--engines", default="fast,reference,roadrunner")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--check", type=int, default=10, help="patients checked against the tight reference")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="fast and reference engines: patients per chunk")
    parser.add_argument("--repeats", type=int, default=1,
                        help="timed runs per engine (median reported; the reference engine runs once)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    times = np.arange(0.0, args.days * 24 + 1e-9, 0.25)
    events = parse_regimen(REGIMEN).events(args.days)
    compile_model()
    report: dict = {"protocol": {"regimen": REGIMEN, "days": args.days, "outputs": int(times.size), "rtol": RTOL,
                                 "varied": [v.parameter for v in VARIED], "cv": 0.3},
                    "cpu_count": os.cpu_count(), "workers": args.workers, "runs": []}
    for n in args.patients or [1000]:
        start = time.perf_counter()
        params, y0 = population(n)
        row: dict = {"patients": n, "preequilibration_s": time.perf_counter() - start}
        check = min(args.check, n)
        sub = {k: v[:check] for k, v in params.items()}
        truth = run_reference(sub, y0[:check], times, events, rtol=1e-10)
        if "fast" in engines:
            run_fast(sub, y0[:check], times, events, 1, check, args.chunk)  # compile (or load from cache) first
            for threads in sorted({1, args.workers}):
                label = "fast" if threads == 1 else f"fast_x{threads}"
                _timed(label, row, n, truth, lambda t=threads: _fast_result(params, y0, times, events, t, check, args.chunk),
                       args.repeats)
        if "reference" in engines:
            _timed("reference", row, n, truth, lambda: run_reference(params, y0, times, events, check=check,
                                                                       chunk=args.chunk))
        if "roadrunner" in engines:
            for workers in sorted({1, args.workers}):
                label = "roadrunner" if workers == 1 else f"roadrunner_x{workers}"
                _timed(label, row, n, truth, lambda w=workers: run_roadrunner(params, y0, times, events, w, check),
                       args.repeats)
        if "fast" in engines and "roadrunner" in engines:
            _matched(row, params, y0, times, events, truth, n, args)
            for suffix in ("", f"_x{args.workers}"):
                if f"fast{suffix}" in row and f"roadrunner{suffix}" in row:
                    row[f"speedup_vs_roadrunner{suffix}"] = (row[f"fast{suffix}"]["patients_per_s"]
                                                              / row[f"roadrunner{suffix}"]["patients_per_s"])
        if "reference" in row and "roadrunner" in row:
            row["reference_vs_roadrunner"] = row["reference"]["patients_per_s"] / row["roadrunner"]["patients_per_s"]
        row["peak_memory_mib"] = peak_memory_mib()
        report["runs"].append(row)
    first = report["runs"][0]
    if "speedup_vs_roadrunner" in first:
        report["speedup_vs_roadrunner"] = first["speedup_vs_roadrunner"]
        report["speedup_vs_roadrunner_all_cores"] = first.get(f"speedup_vs_roadrunner_x{args.workers}")
        report["speedup_vs_roadrunner_matched_accuracy"] = first.get("speedup_matched_accuracy")
        report["speedup_vs_roadrunner_matched_accuracy_all_cores"] = first.get(f"speedup_matched_accuracy_x{args.workers}")
    report["max_rel_error"] = max(v["max_rel_error"] for r in report["runs"] for v in r.values() if isinstance(v, dict))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return report


def _fast_result(params, y0, times, events, threads: int, check: int, chunk: int, rtol=RTOL):
    states, steps = run_fast(params, y0, times, events, threads, check, chunk, rtol)
    return states, {"mean_steps": steps, "rtol": rtol, "threads": threads}


def _matched(row: dict, params, y0, times, events, truth, n: int, args) -> None:
    """The fast engine at the loosest rtol whose error is within libroadrunner's, on one core and on all
    (against libroadrunner on as many processes)."""
    target = row["roadrunner"]["max_rel_error"]
    check = truth.shape[0]
    sub = {k: v[:check] for k, v in params.items()}
    for rtol in MATCHED_RTOLS:
        states, _ = run_fast(sub, y0[:check], times, events, 1, check, args.chunk, rtol)
        if max_relative_error(states, truth, compile_model()) <= target:
            for threads in sorted({1, args.workers}):
                suffix = "" if threads == 1 else f"_x{threads}"
                if f"roadrunner{suffix}" not in row:
                    continue
                _timed(f"fast_matched{suffix}", row, n, truth,
                       lambda r=rtol, t=threads: _fast_result(params, y0, times, events, t, check, args.chunk, r),
                       args.repeats)
                row[f"speedup_matched_accuracy{suffix}"] = (row[f"fast_matched{suffix}"]["patients_per_s"]
                                                            / row[f"roadrunner{suffix}"]["patients_per_s"])
            return


def _print(report: dict) -> None:
    for r in report["runs"]:
        print(f"N = {r['patients']}  (pre-equilibration {r['preequilibration_s']:.1f} s, peak memory {r['peak_memory_mib']:.0f} MiB)")
        for key, v in r.items():
            if isinstance(v, dict):
                extra = f"  rtol {v['rtol']:.0e}, {v['mean_steps']:.0f} steps/patient" if "rtol" in v else ""
                spread = (f" (runs {v['patients_per_s_range'][0]:.1f}-{v['patients_per_s_range'][1]:.1f})"
                          if v.get("repeats", 1) > 1 else "")
                print(f"  {key:16s} {v['patients_per_s']:9.2f} patients/s{spread}  {v['seconds']:8.1f} s  "
                      f"max rel error {v['max_rel_error']:.2e}{extra}")
        for key in ("speedup_vs_roadrunner", f"speedup_vs_roadrunner_x{report['workers']}", "speedup_matched_accuracy",
                    f"speedup_matched_accuracy_x{report['workers']}",
                    "reference_vs_roadrunner"):
            if key in r:
                print(f"  {key}: {r[key]:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
