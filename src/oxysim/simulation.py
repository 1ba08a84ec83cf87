"""`oxysim.simulate`: virtual patients of a subtype under a regimen, as a tidy xarray Dataset."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from oxysim import RESEARCH_USE_NOTICE, __version__
from oxysim.engine import get_engine
from oxysim.engine.events import input_levels
from oxysim.engine.periodic import periodic_start
from oxysim.errors import InputError
from oxysim.model import compile_model
from oxysim.model.compile import CompiledModel
from oxysim.model.units import to_model_units
from oxysim.population.subtypes import get_profile
from oxysim.population.variability import (
    DEFAULT_CORRELATIONS,
    Correlation,
    Variability,
    draw_parameters,
)
from oxysim.regimen import Regimen, parse_regimen

MAX_DAYS = 730.0
ROWS_PER_CHUNK = 200_000


def patient_parameters(
    compiled: CompiledModel,
    subtype: str,
    n_patients: int,
    seed: int | None,
    overrides: Mapping[str, float | np.ndarray] | None = None,
    variability: tuple[Variability, ...] | None = None,
    first_patient: int = 0,
    patients: Sequence[int] | None = None,
    correlations: tuple[Correlation, ...] = DEFAULT_CORRELATIONS,
) -> dict[str, np.ndarray]:
    """Parameter arrays for ``n_patients`` of a subtype, in model units.

    Without a seed every patient is the subtype's typical patient; with one, the parameters in
    ``variability`` (default: the subtype's, :meth:`~oxysim.population.subtypes.SubtypeProfile.population_variability`) vary
    log-normally per patient, correlated as ``correlations`` say. The patients are numbered
    ``first_patient, first_patient + 1, ...`` unless ``patients`` lists their indices (it then sets
    ``n_patients``).
    Profile values and ``overrides`` are in each parameter's declared unit (as ``oxysim params``
    lists it, e.g. minutes for ``ot_nasal_half_life``) and apply before the draws; an override may
    be a scalar or one value per patient.
    """
    indices = np.arange(first_patient, first_patient + n_patients) if patients is None else np.asarray(patients, dtype=int)
    base: dict[str, float | np.ndarray] = dict(compiled.model.default_parameters())
    profile = get_profile(subtype)
    declarations = {p.name: p for p in compiled.model.parameters}
    for name, value in {**profile.parameters, **(overrides or {})}.items():
        if name not in base:
            raise InputError(f"Unknown parameter {name!r}; run 'oxysim params' for the list.")
        values = np.asarray(value, dtype=float)
        if values.ndim > 1 or (values.ndim == 1 and values.size != indices.size):
            raise InputError(f"parameter {name!r} needs one value or one per patient ({indices.size}); got shape {values.shape}.")
        declared = declarations[name]
        if (declared.lower is not None and np.any(values < declared.lower)) or (
                declared.upper is not None and np.any(values > declared.upper)):
            raise InputError(f"parameter {name!r} must lie in [{declared.lower}, {declared.upper}] "
                             f"({declared.description}); got {value!r}.")
        base[name] = to_model_units(values, compiled.model.unit_of(name))
    if seed is None:
        return {k: np.broadcast_to(np.asarray(v, dtype=float), indices.shape).copy() for k, v in base.items()}
    if variability is None:
        variability = profile.population_variability()
    unknown = sorted({v.parameter for v in variability} - set(base))
    if unknown:
        raise InputError(f"variability of unknown parameter(s) {', '.join(unknown)}; run 'oxysim params' for the list.")
    return draw_parameters(base, indices, seed, variability=variability, correlations=correlations)


def rest_state(compiled: CompiledModel, params: Mapping[str, np.ndarray], n_patients: int,
               engine: str = "fast", *, periodic: bool = True) -> np.ndarray:
    """Each patient's untreated state at 00:00 of day 0 (pre-equilibration).

    The rest state with the circadian clock frozen at its mean drive; with ``periodic``, then the start of the
    24-h cycle the running clock settles into (:mod:`oxysim.engine.periodic`), from which an untreated patient
    does not drift during a study.
    """
    integrator = get_engine(engine)
    period = np.broadcast_to(np.asarray(params["circadian_period"], dtype=float), (n_patients,))
    frozen = np.asarray(params["circadian_peak_time"]) + period / 4
    start = integrator.preequilibrate(compiled, params, n_patients=n_patients, frozen_time=frozen)
    if not periodic or not np.any(np.asarray(params["circadian_amplitude"])):
        return start
    states = compiled.model.states
    bounds = {"scale": np.array([s.scale for s in states]),
              "lower": np.array([-np.inf if s.lower is None else s.lower for s in states]),
              "upper": np.array([np.inf if s.upper is None else s.upper for s in states])}
    per_patient = {k: np.broadcast_to(np.asarray(v, dtype=float), (n_patients,)) for k, v in params.items()}
    rest = start.copy()
    for length in np.unique(period):  # patients with one period share the simulations of its day map
        group = np.flatnonzero(period == length)

        def period_map(y: np.ndarray, rows: np.ndarray, group=group, length=length) -> np.ndarray:
            subset = {k: v[group[rows]] for k, v in per_patient.items()}
            return integrator.simulate(compiled, subset, [], np.array([0.0, length]), n_patients=rows.size,
                                       y0=y).states[:, -1]

        rest[group] = periodic_start(period_map, start[group], **bounds)
    return rest


def observables(
    compiled: CompiledModel, times: np.ndarray, states: np.ndarray, params: Mapping[str, np.ndarray],
    levels: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Every assignment at every output time, shape ``(N, T)``, evaluated in bounded chunks."""
    n_patients, n_times, n_states = states.shape
    result = {name: np.empty((n_patients, n_times)) for name in compiled.model.assignment_names}
    per_chunk = max(1, ROWS_PER_CHUNK // n_times)
    for start in range(0, n_patients, per_chunk):
        stop = min(n_patients, start + per_chunk)
        rows = (stop - start) * n_times
        flat = states[start:stop].reshape(rows, n_states)
        p = {k: np.repeat(np.asarray(v)[start:stop], n_times) for k, v in params.items()}
        u = {k: np.tile(v, stop - start) for k, v in levels.items()}
        values = compiled.assignments(np.tile(times, stop - start), flat, p, u)
        for name, v in values.items():
            result[name][start:stop] = v.reshape(stop - start, n_times)
    return result


def simulate(
    subtype: str = "SAD",
    regimen: str | Regimen | Mapping | list = "",
    days: float = 21.0,
    *,
    n_patients: int = 1,
    seed: int | None = None,
    hypotheses: Mapping[str, str] | None = None,
    parameters: Mapping[str, float | np.ndarray] | None = None,
    output_interval_min: float = 15.0,
    output_times_h: Sequence[float] | np.ndarray | None = None,
    rtol: float = 1e-6,
    first_patient: int = 0,
    patients: Sequence[int] | None = None,
    engine: str = "fast",
    variability: tuple[Variability, ...] | None = None,
    correlations: tuple[Correlation, ...] = DEFAULT_CORRELATIONS,
) -> xr.Dataset:
    """Simulate virtual patients of ``subtype`` under ``regimen`` for ``days`` days.

    Returns an xarray Dataset with dimensions ``(patient, time)``: every state and observable
    (plasma and CSF oxytocin, cortisol, regional activity, fear and extinction memory, clinical
    scales) with its unit in ``attrs``. Time is in hours from 00:00 of day 0; outputs are every
    ``output_interval_min`` minutes unless ``output_times_h`` lists them. Patients are numbered
    from ``first_patient`` unless ``patients`` lists their indices; patient k draws from the random
    stream (seed, k), so a shard of a large population equals the same patients of a single run.
    ``parameters`` overrides values in declared units, one value or one per patient; ``variability`` and
    ``correlations`` set the log-normal random effects (default: the subtype's, from :mod:`oxysim.population`). ``engine`` is
    ``fast`` (compiled, default) or ``reference`` (scipy BDF); they agree to about 1e-5.
    """
    if not 0 < days <= MAX_DAYS:
        raise InputError(f"the duration (days / --days) must be between 0 and {MAX_DAYS:g} days; got {days!r}.")
    if first_patient < 0:
        raise InputError(f"first_patient must be at least 0; got {first_patient!r}.")
    integrator = get_engine(engine)
    indices = _patient_indices(n_patients, first_patient, patients)
    times = _output_times(days, output_interval_min, output_times_h)
    plan = parse_regimen(regimen)
    profile = get_profile(subtype)
    compiled = compile_model(dict(hypotheses or {}))
    params = patient_parameters(compiled, profile.code, indices.size, seed, parameters, variability, patients=indices,
                                correlations=correlations)
    y0 = rest_state(compiled, params, indices.size, engine)
    events = plan.events(days)
    trajectory = integrator.simulate(compiled, params, events, times, n_patients=indices.size, rtol=rtol, y0=y0)
    levels = input_levels(events, {i.name: i.default for i in compiled.model.inputs}, times)
    derived = observables(compiled, times, trajectory.states, params, levels)
    return _dataset(compiled, times, trajectory.states, derived, levels, plan, profile.code, profile.primary_scale,
                    seed, indices, engine)


def _patient_indices(n_patients: int, first_patient: int, patients: Sequence[int] | None) -> np.ndarray:
    if patients is None:
        if n_patients < 1:
            raise InputError(f"the number of patients (n_patients / --patients) must be at least 1; got {n_patients!r}.")
        return np.arange(first_patient, first_patient + n_patients)
    indices = np.asarray(patients)
    if indices.ndim != 1 or indices.size == 0 or not np.issubdtype(indices.dtype, np.integer) or np.any(indices < 0):
        raise InputError("patients must be a non-empty list of patient indices (integers >= 0).")
    if np.unique(indices).size != indices.size:
        raise InputError("patients lists a patient index more than once; each patient is simulated once.")
    return indices


def _output_times(days: float, interval_min: float, times_h: Sequence[float] | np.ndarray | None) -> np.ndarray:
    if times_h is None:
        if not 0 < interval_min <= 24 * 60:
            raise InputError(f"the output interval (output_interval_min / --interval-min) must be between 0 and 1440 minutes; got {interval_min!r}.")
        step = interval_min / 60.0
        return np.arange(0.0, days * 24.0 + step / 2, step)
    times = np.asarray(times_h, dtype=float)
    if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) <= 0) or times[0] < 0 or times[-1] > days * 24.0:
        raise InputError(f"output_times_h must be strictly increasing hours within [0, {days * 24.0:g}] (the run's days x 24).")
    return times


def _dataset(compiled, times, states, derived, levels, plan, subtype, primary_scale, seed, patients, engine) -> xr.Dataset:
    model = compiled.model
    coords = {"patient": patients, "time": times, "day": ("time", times / 24.0)}
    data = {}
    for i, s in enumerate(model.states):
        data[s.name] = (("patient", "time"), states[:, :, i], {"units": s.unit, "long_name": s.description, "kind": "state"})
    for a in model.assignments:
        data[a.name] = (("patient", "time"), derived[a.name], {"units": a.unit, "long_name": a.description, "kind": "observable"})
    for i in model.inputs:
        data[i.name] = (("time",), levels[i.name], {"units": i.unit, "long_name": i.description, "kind": "input"})
    ds = xr.Dataset(data, coords=coords)
    ds["time"].attrs.update(units="h", long_name="time since 00:00 of day 0")
    ds.attrs.update(
        engine=engine,
        subtype=subtype,
        primary_scale=primary_scale,
        regimen=plan.to_text(),
        seed=-1 if seed is None else int(seed),
        hypotheses=json.dumps(model.chosen_variants, sort_keys=True),
        oxysim_version=__version__,
        notice=RESEARCH_USE_NOTICE,
    )
    return ds
