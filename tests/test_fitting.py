"""Estimation and profile likelihoods (oxysim.fitting.estimate) against problems with analytic answers."""

import os

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from oxysim.errors import InputError
from oxysim.fitting.claim_constraints import MIN_MARGIN, VIOLATION_Z, ClaimConstraint
from oxysim.fitting.estimate import estimate
from oxysim.fitting.problem import FitParameter, FitProblem
from oxysim.fitting.petab_export import export_petab
from oxysim.fitting.problems import PETAB_LAYOUTS, PROBLEMS, get_problem
from oxysim.fitting.record import stored_record
from oxysim.model import build_model
from oxysim.validation import EXPERIMENTS

T = np.array([1.0, 2.0, 3.0, 4.0])
SIGMA = 0.5
THETA = 2.0
Y = THETA * T + np.array([0.3, -0.2, 0.1, -0.25])


def linear_nll(log10_x: np.ndarray) -> float:
    """y_i = theta t_i + N(0, sigma^2) with theta on the log10 scale: the profile is quadratic in theta."""
    theta = 10.0 ** log10_x[0]
    return 0.5 * float(np.sum(((theta * T - Y) / SIGMA) ** 2))


def test_the_fit_and_profile_interval_match_least_squares_by_hand():
    result = estimate(["theta"], [-1.0], [1.0], linear_nll, starts=3, seed=1)
    information = np.sum(T**2) / SIGMA**2
    theta_hat = np.sum(T * Y) / np.sum(T**2)
    half_width = np.sqrt(stats.chi2.ppf(0.95, 1) / information)  # exact for a quadratic profile
    row = result.intervals.iloc[0]
    assert result.values["theta"] == pytest.approx(theta_hat, rel=1e-3)
    assert row["identifiable"]
    assert row["ci_low"] == pytest.approx(theta_hat - half_width, rel=0.01)
    assert row["ci_high"] == pytest.approx(theta_hat + half_width, rel=0.01)
    assert len(result.starts) == 3 and result.starts["nll"].is_monotonic_increasing


def test_a_cap_on_profile_evaluations_costs_fewer_evaluations_for_the_same_interval():
    def counted(calls):
        def nll(log10_x):
            calls.append(1)
            theta = np.log10(10.0 ** log10_x[0] * 10.0 ** log10_x[1])
            return linear_nll(np.array([theta])) + 0.5 * ((log10_x[1] - 0.1) / 0.05) ** 2  # b pinned by a prior
        return nll

    free, capped = [], []
    wide = estimate(["a", "b"], [-1.0, -1.0], [1.0, 1.0], counted(free), guess=[0.1, 0.2], starts=1, seed=0)
    tight = estimate(["a", "b"], [-1.0, -1.0], [1.0, 1.0], counted(capped), guess=[0.1, 0.2], starts=1, seed=0,
                     profile_evaluations=10)
    assert len(capped) < len(free)
    for column in ("ci_low", "ci_high"):
        np.testing.assert_allclose(tight.intervals[column], wide.intervals[column], rtol=0.05)
    with pytest.raises(InputError, match="profile_evaluations"):
        estimate(["theta"], [-1.0], [1.0], linear_nll, profile_evaluations=0)


def test_a_parameter_seen_only_through_a_product_is_not_identifiable():
    def product_nll(log10_x: np.ndarray) -> float:
        a, b = 10.0 ** log10_x
        return linear_nll(np.array([np.log10(a * b)]))

    result = estimate(["a", "b"], [-1.0, -1.0], [1.0, 1.0], product_nll, guess=[0.1, 0.2], starts=2, seed=0)
    assert 10 ** result.best.sum() == pytest.approx(np.sum(T * Y) / np.sum(T**2), rel=1e-2)
    assert not result.intervals["identifiable"].any()
    assert result.intervals["note"].str.startswith("not identifiable").all()


def test_two_worker_processes_give_the_same_starts_and_profiles_as_one(tmp_path):
    pids = tmp_path / "pids.txt"

    def pinned_nll(log10_x: np.ndarray) -> float:
        with pids.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return linear_nll(log10_x[:1]) + 0.5 * ((log10_x[1] - 0.1) / 0.05) ** 2

    serial = estimate(["a", "b"], [-1.0, -1.0], [1.0, 1.0], pinned_nll, guess=[0.1, 0.2], starts=3, seed=2,
                      profile_evaluations=20)
    assert set(pids.read_text().split()) == {str(os.getpid())}
    pids.unlink()
    parallel = estimate(["a", "b"], [-1.0, -1.0], [1.0, 1.0], pinned_nll, guess=[0.1, 0.2], starts=3, seed=2,
                        profile_evaluations=20, workers=2)
    assert str(os.getpid()) not in set(pids.read_text().split())  # every evaluation ran in a worker process
    pd.testing.assert_frame_equal(parallel.starts, serial.starts)
    pd.testing.assert_frame_equal(parallel.profiles, serial.profiles)
    pd.testing.assert_frame_equal(parallel.intervals, serial.intervals)
    with pytest.raises(InputError, match="workers"):
        estimate(["theta"], [-1.0], [1.0], linear_nll, workers=0)


def test_bad_bounds_are_refused():
    with pytest.raises(InputError, match="lower < upper"):
        estimate(["theta"], [1.0], [0.0], linear_nll)


# --- problems, records and the model defaults -------------------------------------------------------------


def test_a_parameter_set_the_solver_cannot_simulate_is_infinitely_unlikely_not_the_end_of_the_fit(monkeypatch):
    from oxysim.errors import SolverError

    problem = get_problem("stress_response")

    def fails(self, values):
        raise SolverError("the step size fell below 1e-12 h")

    monkeypatch.setattr(FitProblem, "results", fails)
    assert problem.negative_log_likelihood(np.log10([1.45])) == np.inf


def test_a_prior_range_is_a_95_percent_log_normal_interval():
    parameter = FitParameter("cortisol_half_life", 15.0, 240.0, prior=(60.0, 120.0))
    assert parameter.prior_residual(np.sqrt(60.0 * 120.0)) == pytest.approx(0.0, abs=1e-12)
    assert parameter.prior_residual(120.0) == pytest.approx(1.959964, rel=1e-6)
    assert parameter.prior_residual(60.0) == pytest.approx(-1.959964, rel=1e-6)
    assert FitParameter("crh_half_life", 1.0, 30.0).prior_residual(4.0) is None


def test_a_problem_names_unknown_parameters_and_findings():
    with pytest.raises(InputError, match="unknown parameter"):
        FitProblem("x", "", (FitParameter("no_such_parameter", 1.0, 2.0),), ("HPA-10",))
    with pytest.raises(InputError, match="unknown finding or experiment"):
        FitProblem("x", "", (FitParameter("crh_half_life", 1.0, 30.0),), ("HPA-99",))
    with pytest.raises(InputError, match="known: hpa_kinetics"):
        get_problem("nope")
    with pytest.raises(InputError, match="unknown claim constraint.*known: effect_window"):
        FitProblem("x", "", (FitParameter("crh_half_life", 1.0, 30.0),), ("HPA-10",), ("no_such_claim",))


def test_a_claim_constraint_is_free_while_it_holds_and_costs_more_than_a_missed_band_once_reversed():
    toy = ClaimConstraint("toy", ("K2",), lambda values: {"margin": values["x"]})
    assert toy.residuals({"x": 0.1}) == [0.0]
    assert toy.residuals({"x": MIN_MARGIN}) == [VIOLATION_Z]
    assert toy.residuals({"x": -0.02}) == pytest.approx([VIOLATION_Z + 100 * (MIN_MARGIN + 0.02)])
    assert VIOLATION_Z > 1.96  # worse than a finding at the edge of its 95 % band


def test_every_constraint_holds_at_the_model_defaults_and_enters_the_likelihood():
    """The stored amygdala fit's optimum keeps every claim, and a problem's residuals carry one penalty per margin."""
    problem, record = get_problem("amygdala_exposure"), stored_record("amygdala_exposure")
    assert all(margin > MIN_MARGIN for margin in record["claim_margins_at_fit"].values())
    margins = problem.claim_margins(problem.nominal())  # the rounded defaults
    assert set(margins) == set(record["claim_margins_at_fit"]) and all(m > 0 for m in margins.values())
    defaults = build_model().chosen_variants
    findings = sum(r.hypotheses == defaults for r in problem.results(problem.nominal()))
    assert len(problem.residuals(problem.nominal())) == findings + len(margins)  # no priors in this problem


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_the_model_defaults_equal_the_stored_fit(name):
    record = stored_record(name)
    declared = {p.name: p for p in build_model().parameters}
    assert record["problem"] == name and set(record["parameters"]) == set(get_problem(name).names)
    key = "value" if record["adopted"] else "previous_default"
    assert record["adopted"] or record["reason"]
    profiled = all(entry["identifiable"] is not None for entry in record["parameters"].values())
    assert ("not profiled" in record["method"]) == (not profiled)  # the method says what was done
    for parameter, entry in record["parameters"].items():
        assert declared[parameter].value == entry[key], parameter
        assert declared[parameter].unit == entry["unit"]
        provenance = f"{declared[parameter].source or ''} {declared[parameter].assumption or ''}"
        assert f"evidence/fits/{name}.yaml" in provenance  # the default cites its fit


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_each_stored_fit_is_reproduced_and_no_worse_than_the_previous_defaults(name):
    """Re-evaluated now, the recorded optimum (rounded to 3 digits) gives the recorded likelihood, at least as good
    as the previous defaults'; a fit not adopted must leave those defaults inside its joint 95 % region."""
    problem, record = get_problem(name), stored_record(name)
    previous = problem.negative_log_likelihood(
        np.log10([record["parameters"][n]["previous_default"] for n in problem.names]))
    optimum = problem.negative_log_likelihood(np.log10([record["parameters"][n]["value"] for n in problem.names]))
    assert optimum <= previous + 1e-6
    assert optimum == pytest.approx(record["negative_log_likelihood"]["fit"], abs=1.0)
    if not record["adopted"]:  # kept defaults lie inside the joint 95 % region, or the record names what
        # adopting would break (validation experiments it moves, measured, in its reason)
        inside = previous - optimum < stats.chi2.ppf(0.95, len(problem.names)) / 2
        blockers = record.get("blocked_by", [])
        assert inside or (blockers and all(b in EXPERIMENT_IDS and b in record["reason"] for b in blockers))


EXPERIMENT_IDS = {e.id for e in EXPERIMENTS}


MILO_HALF_LIVES = {"crh_half_life": 4.0, "acth_half_life": 20.0, "cortisol_half_life": 80.0}
"""The published half-lives the HPA fit started from (Milo et al. 2025, minutes)."""


def test_the_stored_hpa_fit_beats_the_published_half_lives_on_its_findings():
    problem, record = get_problem("hpa_kinetics"), stored_record("hpa_kinetics")
    published = np.log10([MILO_HALF_LIVES[n] for n in problem.names])
    current = np.log10([problem.nominal()[n] for n in problem.names])
    fitted = problem.negative_log_likelihood(current)
    assert fitted < problem.negative_log_likelihood(published) - 10.0
    # the defaults are the record's optimum (3-digit rounding only), or the defaults it was run from if not adopted
    stored = record["negative_log_likelihood"]["fit" if record["adopted"] else "previous_defaults"]
    assert fitted == pytest.approx(stored, abs=1.0)


def test_the_petab_export_lints_clean_and_libroadrunner_reproduces_its_points(tmp_path):
    """PEtab's linter accepts the export; libroadrunner, simulating model.xml under each condition, gives the
    same values at the measurement times as oxysim's validation experiments (an independent simulator)."""
    petab = pytest.importorskip("petab.v1")
    roadrunner = pytest.importorskip("roadrunner")
    problem, layout = get_problem("hpa_kinetics"), PETAB_LAYOUTS["hpa_kinetics"]
    yaml_path = export_petab(problem, layout, tmp_path)
    loaded = petab.Problem.from_yaml(yaml_path)
    assert not petab.lint_problem(loaded)
    assert set(loaded.parameter_df.index) == set(problem.names)
    summaries = pd.read_csv(tmp_path / "summary_statistics.tsv", sep="\t")
    points = {p.experiment for p in layout.points}
    assert set(summaries["id"]) | points == {r.id for r in problem.results(problem.nominal())}
    predicted = {r.id: r.predicted for r in problem.results(problem.nominal()) if r.id in points}
    for point in layout.points:
        rr = roadrunner.RoadRunner(str(tmp_path / "model.xml"))
        rr.integrator.relative_tolerance = 1e-10
        rr.integrator.absolute_tolerance = 1e-12
        for name, value in loaded.condition_df.loc[point.condition].items():
            rr[name] = float(value)
        result = rr.simulate(0.0, point.time_h, 2, selections=["time", point.observable])
        assert result[-1, 1] == pytest.approx(predicted[point.experiment], rel=1e-4), point.experiment


def test_a_contested_finding_enters_a_fit_under_the_default_variant_only():
    """CD-01.optimal_dose runs under both dose-response variants in validation; a fit sees one residual for it,
    the one under the model's default variant, so it estimates the model users run."""
    problem = FitProblem("cd01", "", (FitParameter("oxtr_ec50", 2e-4, 2e-2),), ("CD-01",))
    results = problem.results(problem.nominal())
    defaults = build_model().chosen_variants
    assert len(results) == 3 and sum(r.hypotheses == defaults for r in results) == 2
    assert len(problem.residuals(problem.nominal())) == 2


def test_the_findings_table_keeps_each_variant_of_a_contested_finding():
    from oxysim.fitting.run import findings_table

    problem = get_problem("amygdala_exposure")
    table = findings_table(problem, problem.nominal(), problem.nominal())
    rows = table[table["id"] == "CD-01.optimal_dose"]  # contested: run under both dose-response variants
    assert len(rows) == 2 and rows["variant"].nunique() == 2
    assert (rows["predicted_before"] == rows["predicted_after"]).all()


def test_each_claim_constraint_names_framework_claims_that_the_suite_tests():
    from oxysim.evidence.claims import claim_tests, framework_claims
    from oxysim.fitting.claim_constraints import CONSTRAINTS

    known, tested = {c["id"] for c in framework_claims()}, claim_tests()
    for constraint in CONSTRAINTS.values():
        assert constraint.claims and set(constraint.claims) <= known, constraint.name
        assert all(tested.get(claim) for claim in constraint.claims), constraint.name
