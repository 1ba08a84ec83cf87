"""The ``oxysim`` command line: simulate virtual patients; list parameters, hypotheses and claims.

A user mistake (unknown subtype, bad regimen, bad ``--hypothesis``, days <= 0, ...) prints one
``error: ...`` line on stderr and exits with code 2, without a traceback. With ``--json`` a command
prints only JSON on stdout; the research-use notice then goes to stderr (and into the JSON).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
import xarray as xr
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from oxysim import RESEARCH_USE_NOTICE
from oxysim.errors import InputError, OxysimError
from oxysim.model import Model, build_model
from oxysim.regimen import parse_regimen
from oxysim.report import patient_summary, plot_trajectories, tidy_table, write_table_atomic
from oxysim.report.tables import atomic_path

EXIT_USER_ERROR = 2
OUTPUT_FILES = {
    "trajectories_parquet": "trajectories.parquet",
    "trajectories_csv": "trajectories.csv",
    "summary_csv": "summary.csv",
    "figure": "trajectories.png",
    "metadata": "run.json",
}

app = typer.Typer(
    help="oxysim: an in-silico laboratory for oxytocin in anxiety disorders (research use only).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
F = TypeVar("F", bound=Callable[..., Any])


def _user_errors(command: F) -> F:
    """Turn an OxysimError into one ``error: ...`` line on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OxysimError as exc:
            typer.echo("error: " + " ".join(str(exc).split()), err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper  # type: ignore[return-value]


def _emit_json(data: Any) -> None:
    """Print ``data`` as the only thing on stdout; the notice goes to stderr."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    typer.echo(RESEARCH_USE_NOTICE, err=True)


def _print_notice(console: Console) -> None:
    console.print(Panel(RESEARCH_USE_NOTICE, border_style="yellow"))


def parse_hypotheses(items: Sequence[str]) -> dict[str, str]:
    """``name=variant`` options as a mapping; anything else is an InputError naming the bad item."""
    choice: dict[str, str] = {}
    for item in items:
        name, sep, variant = (part.strip() for part in item.partition("="))
        if not (sep and name and variant):
            raise InputError(f"--hypothesis {item!r} must be written name=variant, e.g. dose_response=monotonic; "
                             "run 'oxysim hypotheses' for the choices.")
        if choice.get(name, variant) != variant:
            raise InputError(f"--hypothesis {name} is given twice ({choice[name]!r} and {variant!r}); give it once.")
        choice[name] = variant
    return choice


def write_outputs(ds: xr.Dataset, out: Path) -> dict[str, Path]:
    """Write trajectories (parquet, csv), the per-patient summary and the figure into ``out``."""
    paths = {key: out / name for key, name in OUTPUT_FILES.items()}
    table = tidy_table(ds)
    write_table_atomic(table, paths["trajectories_parquet"])
    write_table_atomic(table, paths["trajectories_csv"])
    write_table_atomic(patient_summary(ds), paths["summary_csv"])
    plot_trajectories(ds, paths["figure"])
    return paths


def run_metadata(ds: xr.Dataset, days: float, interval_min: float) -> dict[str, Any]:
    """What was simulated, with which model version and choices: enough to rerun it."""
    seed = int(ds.attrs["seed"])
    return {
        "subtype": ds.attrs["subtype"],
        "primary_scale": ds.attrs["primary_scale"],
        "regimen": ds.attrs["regimen"],
        "regimen_description": parse_regimen(ds.attrs["regimen"]).describe(),
        "days": days,
        "patients": ds.sizes["patient"],
        "seed": None if seed == -1 else seed,
        "output_interval_min": interval_min,
        "engine": ds.attrs["engine"],
        "hypotheses": json.loads(ds.attrs["hypotheses"]),
        "oxysim_version": ds.attrs["oxysim_version"],
        "files": list(OUTPUT_FILES.values()),
        "notice": RESEARCH_USE_NOTICE,
    }


def _summary_table(summary: pd.DataFrame) -> Table:
    """The summary's numeric columns: the value for one patient, else median and range over patients."""
    several = len(summary) > 1
    table = Table(title=f"Summary ({len(summary)} patient{'s' * several})")
    for heading in ("quantity", *(("median", "min", "max") if several else ("value",))):
        table.add_column(heading, justify="left" if heading == "quantity" else "right")
    for column in summary.columns.drop(["patient", "primary_scale"]):
        values = summary[column]
        cells = (values.median(), values.min(), values.max()) if several else (values.iloc[0],)
        table.add_row(column.replace("scale", summary["primary_scale"].iloc[0], 1), *(f"{v:.4g}" for v in cells))
    return table


@app.command()
@_user_errors
def simulate(
    out: Annotated[Path, typer.Option(help="Output folder; created if missing.")],
    subtype: Annotated[str, typer.Option(help="healthy, SAD, GAD, PD or SP.")] = "SAD",
    regimen: Annotated[str, typer.Option(help="e.g. 'oxytocin 24 IU in q48h x 10 @08:00'; 'none' = untreated.")] = "none",
    days: Annotated[float, typer.Option(help="Days to simulate.")] = 21.0,
    seed: Annotated[int | None, typer.Option(help="Draw varied patients with this seed; none = typical patients.")] = None,
    patients: Annotated[int, typer.Option(help="Number of virtual patients.")] = 1,
    hypothesis: Annotated[list[str] | None, typer.Option(help="name=variant, repeatable; see 'oxysim hypotheses'.")] = None,
    interval_min: Annotated[float, typer.Option(help="Output interval in minutes.")] = 15.0,
    engine: Annotated[str, typer.Option(help="fast (compiled Rodas5P) or reference (scipy BDF).")] = "fast",
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else on stdout.")] = False,
) -> None:
    """Simulate virtual patients under a regimen; write tables, a figure and run.json into OUT."""
    from oxysim.simulation import simulate as run_simulation  # here, so the catalogue commands skip the engine

    ds = run_simulation(subtype, regimen, days, n_patients=patients, seed=seed, engine=engine,
                        hypotheses=parse_hypotheses(hypothesis or []), output_interval_min=interval_min)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = write_outputs(ds, out)
        metadata = run_metadata(ds, days, interval_min)
        with atomic_path(paths["metadata"]) as tmp:
            tmp.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the results into {str(out)!r}: {exc.strerror or exc}.") from None
    summary = patient_summary(ds)
    if json_output:
        records = json.loads(summary.to_json(orient="records"))
        _emit_json({**metadata, "summary": records, "files": {k: str(p.resolve()) for k, p in paths.items()}})
        return
    console = Console()
    console.print(f"[bold]oxysim[/bold] {escape(metadata['subtype'])}: {escape(metadata['regimen_description'])}, "
                  f"{days:g} days")
    console.print(_summary_table(summary))
    console.print(f"Wrote {', '.join(OUTPUT_FILES.values())} to {escape(str(out))}")
    _print_notice(console)


@app.command()
@_user_errors
def trial(
    spec: Annotated[Path, typer.Argument(help="Study spec (YAML); see examples/.")],
    out: Annotated[Path, typer.Option(help="Output folder: shards, tables, report.html, figures/.")],
    workers: Annotated[int, typer.Option(help="Local dask worker processes (1 = run here).")] = 1,
    cluster: Annotated[str | None, typer.Option(help="Address of a running dask scheduler.")] = None,
    resume: Annotated[bool, typer.Option(help="Finish a killed run in OUT without redoing finished shards.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else on stdout.")] = False,
) -> None:
    """Run a virtual clinical trial from SPEC; write its tables and a self-contained report into OUT."""
    from rich.progress import Progress

    from oxysim.trials.spec import StudySpec
    from oxysim.trials.study import run_study

    study = StudySpec.from_yaml(spec)
    with Progress(disable=json_output, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{stage} shards", total=total)
            bar.update(tasks[stage], completed=done)

        outputs = run_study(study, out, workers=workers, cluster=cluster, resume=resume, progress=progress)
    primary = json.loads(outputs.primary.to_json(orient="records"))
    if json_output:
        _emit_json({"name": study.name, "report": str(outputs.report.resolve()), "primary": primary,
                    "notice": RESEARCH_USE_NOTICE})
        return
    console = Console()
    console.print(f"[bold]oxysim trial[/bold] {escape(study.name)}: {len(study.arms)} arms x {study.n_per_arm} "
                  f"virtual patients, {study.duration_weeks} weeks")
    console.print(outputs.primary.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    console.print(f"Report: {escape(str(outputs.report))}")
    _print_notice(console)


@app.command()
@_user_errors
def sensitivity(
    spec: Annotated[Path, typer.Argument(help="Study spec (YAML); see examples/.")],
    out: Annotated[Path, typer.Option(help="Output folder: sensitivity_morris.csv, sensitivity_sobol.csv, "
                                      "sensitivity.json, sensitivity.png.")],
    trajectories: Annotated[int, typer.Option(help="Morris trajectories (r); cost 2 r (k + 1) runs.")] = 10,
    samples: Annotated[int, typer.Option(help="Sobol base samples N (a power of 2); cost 2 N (top + 2) runs.")] = 64,
    top: Annotated[int, typer.Option(help="Parameters (highest Morris mu*) that get Sobol indices.")] = 8,
    seed: Annotated[int, typer.Option(help="Seed of the Morris and Sobol designs.")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else on stdout.")] = False,
) -> None:
    """Global sensitivity (Morris, then Sobol on the top parameters) of SPEC's main endpoints to the parameters."""
    from oxysim.sensitivity import run_sensitivity, to_json
    from oxysim.trials.spec import StudySpec

    result = run_sensitivity(StudySpec.from_yaml(spec), morris_trajectories=trajectories, sobol_samples=samples,
                             top=top, seed=seed, out_dir=out)
    if json_output:
        _emit_json({"out": str(out.resolve()), **to_json(result)})
        return
    rows = [(r.parameter, f"{r.score:.3g}", f"{r.nominal:g} [{r.low:g}, {r.high:g}] {r.unit}", r.basis)
            for r in result.top.itertuples()]
    _print_table(f"Top {len(rows)} parameters by Morris mu* ({result.design['active_arm']} vs "
                 f"{result.design['control_arm']}); tables in {out}",
                 ("parameter", "scaled mu*", "nominal [range]", "basis"), rows)


def parameter_records(model: Model) -> list[dict[str, Any]]:
    """Every parameter with its unit, module and exactly one of ``source`` or ``assumption``."""
    module_of = {p.name: m.name for m in model.modules for p in m.parameters}
    records = []
    for p in model.parameters:
        basis = {"source": p.source} if p.source and p.source.strip() else {"assumption": p.assumption}
        records.append({"name": p.name, "value": p.value, "unit": p.unit, "description": p.description,
                        "module": module_of[p.name], **basis, "lower": p.lower, "upper": p.upper})
    return records


def hypothesis_records(model: Model) -> list[dict[str, Any]]:
    """Every contested question with its variants, default variant, module and claims."""
    module_of = {h.name: m.name for m in model.modules for h in m.hypotheses}
    return [
        {"name": h.name, "description": h.description, "module": module_of[h.name], "default": h.default,
         "claims": list(h.claims),
         "variants": [{"name": v.name, "description": v.description, "evidence": v.evidence} for v in h.variants]}
        for h in model.hypotheses
    ]


def _print_table(title: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
    """A rich table of ``rows`` followed by the research-use notice."""
    console = Console()
    table = Table(title=title, show_lines=True)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(cell)) for cell in row))
    console.print(table)
    _print_notice(console)


@app.command()
@_user_errors
def params(
    json_output: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """List every model parameter with its value, unit, module and source or assumption."""
    records = parameter_records(build_model())
    if json_output:
        _emit_json(records)
        return
    rows = [(r["name"], f"{r['value']:g}", r["unit"], r["module"], r["description"],
             f"source: {r['source']}" if "source" in r else f"assumption: {r['assumption']}") for r in records]
    _print_table(f"{len(rows)} parameters", ("name", "value", "unit", "module", "description", "basis"), rows)


@app.command()
@_user_errors
def hypotheses(
    json_output: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """List the contested hypotheses, their variants (default marked *) and the claims they bear on."""
    records = hypothesis_records(build_model())
    if json_output:
        _emit_json(records)
        return
    rows = [(r["name"], ", ".join(r["claims"]), r["description"],
             "\n".join(f"{v['name']}{' *' * (v['name'] == r['default'])}: {v['description']}" for v in r["variants"]))
            for r in records]
    _print_table("Hypotheses (* = default)", ("name", "claims", "question", "variants"), rows)


@app.command()
@_user_errors
def claims(
    json_output: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """List the FRAMEWORK.md claims: implemented ones with their processes and tests, the rest with why not."""
    from oxysim.evidence.claims import claim_records

    records = claim_records()
    if json_output:
        _emit_json(records)
        return
    rows = [(r["id"], r["status"], r.get("effect", ""),
             ", ".join(r["processes"]) if r["status"] == "implemented" else r.get("reason", ""),
             len(r["tests"])) for r in records]
    _print_table(f"{len(rows)} claims", ("id", "status", "effect", "processes / reason", "tests"), rows)


@app.command()
@_user_errors
def validate(
    out: Annotated[Path | None, typer.Option(help="Folder for validation.json, validation.csv and figures/.")] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="Finding (PK-04) or experiment (PK-04.iv_half_life) "
                                                   "id, repeatable; default: every finding.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else on stdout.")] = False,
) -> None:
    """Run the published findings as experiments: prediction against data for each (exit 0 even if some fail)."""
    from oxysim.validation import run_validation, select
    from oxysim.validation.report import summary

    not_run = select(ids or None)[1]
    try:
        results = run_validation(ids or None, out)
    except OSError as exc:
        raise InputError(f"cannot write the validation report into {str(out)!r}: {exc.strerror or exc}.") from None
    if json_output:
        _emit_json(summary(results, not_run))
        return
    rows = [(r.id + (f" [{r.variant}]" if r.variant else ""), "pass" if r.passed else "FAIL", f"{r.predicted:.4g}",
             f"{r.target:.4g} [{r.low:.4g}, {r.high:.4g}]", r.units, r.confidence,
             (r.favoured or "tie") if r.variant else "") for r in results]
    rows += [(n.finding, "not run", "", "", "", "", f"{n.quantity}: {n.reason}") for n in not_run]
    passed = sum(r.passed for r in results)
    _print_table(f"Validation: {passed} of {len(results)} results inside the published band"
                 + (f"; files in {out}" if out else ""),
                 ("id", "verdict", "predicted", "target [band]", "units", "confidence", "favoured / reason"), rows)


@app.command()
@_user_errors
def fit(
    problem: Annotated[str, typer.Argument(help="Fit problem (oxysim.fitting.problems), e.g. hpa_kinetics.")],
    out: Annotated[Path, typer.Option(help="Folder for fit_record.yaml, starts/profiles/intervals/findings CSV "
                                      "and profiles.png.")],
    starts: Annotated[int, typer.Option(help="Optimiser starts: the current defaults, then random points.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the random start points.")] = 0,
    profile: Annotated[bool, typer.Option(help="Profile likelihood of every fitted parameter.")] = True,
    profile_evaluations: Annotated[int | None, typer.Option(
        help="Cap on model evaluations per profile step (default 400, as the fit's starts); profiles dominate "
             "a fit's cost.")] = None,
    workers: Annotated[int, typer.Option(help="Processes sharing the starts, then the profiles (one per "
                                         "parameter); results are the same as with 1.")] = 1,
    json_output: Annotated[bool, typer.Option("--json", help="Print the fit record as JSON and nothing else.")] = False,
) -> None:
    """Estimate a problem's parameters from its published findings (pyPESTO), with profile likelihoods."""
    from oxysim.fitting.problems import get_problem
    from oxysim.fitting.run import run_fit

    result = run_fit(get_problem(problem), out, starts=starts, seed=seed, profile=profile,
                     profile_evaluations=profile_evaluations, workers=workers)
    if json_output:
        _emit_json(result.record)
        return
    rows = [(name, f"{p['value']:.3g} {p['unit']}", f"{p['previous_default']:.3g}",
             "" if not p["ci95"] else f"[{p['ci95'][0] or float('nan'):.3g}, {p['ci95'][1] or float('nan'):.3g}]",
             p["note"]) for name, p in result.record["parameters"].items()]
    nll = result.record["negative_log_likelihood"]
    _print_table(f"Fit {problem}: -log L {nll['previous_defaults']:.4g} -> {nll['fit']:.4g}; files in {out}",
                 ("parameter", "fit", "previous", "95 % profile interval", "identifiability"), rows)


export_app = typer.Typer(help="Export the model to exchange formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("sbml")
@_user_errors
def export_sbml_command(
    out: Annotated[Path, typer.Option("--out", help="SBML file to write.")],
    subtype: Annotated[str, typer.Option(help="Anxiety subtype of the exported typical patient.")] = "SAD",
    regimen: Annotated[str, typer.Option(help="Regimen whose doses and sessions become SBML events.")] = "none",
    days: Annotated[float | None, typer.Option(help="Drop events at or after this many days.")] = None,
    hypothesis: Annotated[list[str] | None, typer.Option("--hypothesis", help="name=variant (repeatable).")] = None,
) -> None:
    """Write the assembled model as validated SBML Level 3 (units, cited sources, dose events)."""
    from oxysim.interop.sbml import patient_sbml

    xml = patient_sbml(subtype, parse_regimen(regimen), days, hypotheses=parse_hypotheses(hypothesis or []))
    try:
        with atomic_path(out) as tmp:
            tmp.write_text(xml, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {str(out)!r}: {exc.strerror or exc}.") from None
    typer.echo(f"Wrote {out} (SBML Level 3 Version 2)")
    typer.echo(RESEARCH_USE_NOTICE, err=True)


@export_app.command("petab")
@_user_errors
def export_petab_command(
    problem: Annotated[str, typer.Argument(help="Fit problem (oxysim.fitting.problems), e.g. hpa_kinetics.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for problem.yaml and the PEtab tables.")],
) -> None:
    """Write a fit problem as PEtab v1 (point findings) plus summary_statistics.tsv (the other findings)."""
    from oxysim.fitting.petab_export import export_petab
    from oxysim.fitting.problems import PETAB_LAYOUTS, get_problem

    if problem not in PETAB_LAYOUTS:
        raise InputError(f"fit problem {problem!r} has no PEtab layout; with one: {', '.join(PETAB_LAYOUTS)}")
    path = export_petab(get_problem(problem), PETAB_LAYOUTS[problem], out)
    typer.echo(f"Wrote {path} (PEtab v1) and {path.parent / 'summary_statistics.tsv'}")
    typer.echo(RESEARCH_USE_NOTICE, err=True)


def main() -> None:
    """Console-script entry point of ``oxysim``."""
    app(prog_name="oxysim")


if __name__ == "__main__":
    main()
