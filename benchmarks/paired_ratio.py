"""The matched-accuracy ratio (fast engine / libroadrunner, one core each) from interleaved pairs of runs.

On a shared VM both engines' speed drifts by tens of per cent within minutes, so separate medians per engine
(population.py --repeats) can land in different phases of the drift. Here each pair times libroadrunner and the
fast engine back to back (alternating which goes first), and the ratio is taken within the pair; the median of
the pair ratios and its spread are printed (``--json``: one object). Same protocol, populations, accuracy check
and matched-rtol choice as population.py.

    PYTHONPATH=src python benchmarks/paired_ratio.py --patients 1000 --pairs 7 [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial

import numpy as np

from oxysim.engine.accuracy import max_relative_error
from oxysim.model import compile_model
from oxysim.regimen import parse_regimen
from population import CHUNK, MATCHED_RTOLS, REGIMEN, population, run_fast, run_reference, run_roadrunner


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--check", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    times = np.arange(0.0, 21 * 24 + 1e-9, 0.25)
    events = parse_regimen(REGIMEN).events(21)
    params, y0 = population(args.patients)
    sub = {k: v[: args.check] for k, v in params.items()}
    truth = run_reference(sub, y0[: args.check], times, events, rtol=1e-10)
    roadrunner_error = max_relative_error(run_roadrunner(sub, y0[: args.check], times, events, 1, args.check),
                                          truth, compile_model())
    rtol = next(r for r in MATCHED_RTOLS if max_relative_error(
        run_fast(sub, y0[: args.check], times, events, 1, args.check, args.check, r)[0], truth, compile_model())
        <= roadrunner_error)

    def timed(run) -> float:
        start = time.perf_counter()
        run()
        return args.patients / (time.perf_counter() - start)

    fast = partial(run_fast, params, y0, times, events, 1, 0, CHUNK, rtol)
    roadrunner = partial(run_roadrunner, params, y0, times, events, 1, 0)
    pairs = []
    for k in range(args.pairs):
        first, second = (fast, roadrunner) if k % 2 == 0 else (roadrunner, fast)
        a, b = timed(first), timed(second)
        fast_rate, rr_rate = (a, b) if k % 2 == 0 else (b, a)
        pairs.append({"fast_matched": fast_rate, "roadrunner": rr_rate, "ratio": fast_rate / rr_rate})
        if not args.json:
            print(f"pair {k + 1}: fast {fast_rate:7.1f}, libroadrunner {rr_rate:5.1f} patients/s "
                  f"-> {fast_rate / rr_rate:5.2f}x", flush=True)
    ratios = np.array([p["ratio"] for p in pairs])
    report = {"patients": args.patients, "rtol": rtol, "roadrunner_max_rel_error": roadrunner_error, "pairs": pairs,
              "median_ratio": float(np.median(ratios)), "ratio_quartiles": np.percentile(ratios, [25, 75]).tolist(),
              "pairs_at_or_above_10x": int(np.sum(ratios >= 10.0))}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"matched rtol {rtol:g}; median ratio {report['median_ratio']:.2f}x "
              f"(quartiles {report['ratio_quartiles'][0]:.2f}-{report['ratio_quartiles'][1]:.2f}); "
              f"{report['pairs_at_or_above_10x']} of {args.pairs} pairs >= 10x")
    return report


if __name__ == "__main__":
    main()
