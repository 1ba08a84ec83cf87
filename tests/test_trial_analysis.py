"""Statistics of virtual trials (oxysim.trials.analysis) against known truths and independent references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from oxysim.errors import InputError
from oxysim.trials.analysis import (
    ancova,
    consort_flow,
    counterfactual_effects,
    crossover,
    effect_sizes,
    lost_remission,
    lost_response,
    mechanistic_endpoints,
    mmrm,
    power_curve,
    relapse,
    responders,
    sample_size_for,
)

WEEKS = (0.0, 4.0, 8.0)
TRUE_EFFECT = -5.0  # arm B improves 5 points more than arm A by the last week
SD = 8.0  # SD of the change from baseline at the last week (patient part 4, visit part sqrt(48))


def visit_table(n: int = 400, effect: float = TRUE_EFFECT, seed: int = 0, mar_dropout: bool = False) -> pd.DataFrame:
    """A parallel two-arm trial (A control, B active): LSAS falls 10 points on A and 10 - effect on B by week 8.

    Each patient has a random level (SD 4) shared by the visits and visit noise (SD sqrt(48)), so the change at
    week 8 has SD 8. With ``mar_dropout`` patients whose week-4 score is high (observed) miss week 8: missing at
    random, which MMRM handles and complete-case analyses may not.
    """
    rng = np.random.default_rng(seed)
    arm = np.repeat(["A", "B"], n)
    baseline = rng.normal(60.0, 10.0, 2 * n)
    level = rng.normal(0.0, 4.0, 2 * n)
    age = rng.normal(35.0, 10.0, 2 * n)
    frames, week4 = [], None
    for week in WEEKS:
        noise = rng.normal(0.0, np.sqrt(SD**2 - 16.0), 2 * n) + level if week > 0 else 0.0
        score = baseline + week / WEEKS[-1] * (-10.0 + effect * (arm == "B")) + noise
        if week == 4.0:
            week4 = score
        if week == WEEKS[-1] and mar_dropout:
            score = np.where(week4 - baseline > np.quantile(week4 - baseline, 0.7), np.nan, score)
        frames.append(pd.DataFrame({
            "trial": 0, "patient": np.arange(2 * n), "arm": arm, "period": 1, "sequence": "", "stratum": "all",
            "week": week, "scale": "LSAS", "score": score, "baseline": baseline, "age": age,
            "sex": np.where(np.arange(2 * n) % 2, "F", "M"),
        }))
    return pd.concat(frames, ignore_index=True)


def final_week(visits: pd.DataFrame) -> pd.DataFrame:
    return visits[visits["week"] == WEEKS[-1]].dropna(subset=["score"])


# --- ANCOVA ----------------------------------------------------------------------------------------------


def test_ancova_recovers_the_true_effect() -> None:
    row = ancova(visit_table(), "A").iloc[0]
    assert row["contrast"] == "B vs A" and row["n_arm"] == row["n_control"] == 400
    assert row["ci_low"] < TRUE_EFFECT < row["ci_high"]
    assert row["ci_high"] < 0 and row["p_value"] < 1e-6


@pytest.mark.parametrize("covariates", [(), ("age",)])
def test_ancova_equals_hand_least_squares(covariates: tuple[str, ...]) -> None:
    visits = visit_table(n=60, seed=3)
    visits.loc[visits.sample(frac=0.2, random_state=1).index, "score"] = np.nan  # some missing visits
    final = final_week(visits)
    x = np.column_stack([np.ones(len(final)), final["arm"] == "B", final["baseline"],
                         *(final[c] for c in covariates)]).astype(float)
    y = (final["score"] - final["baseline"]).to_numpy()
    beta, residual_ss, *_ = np.linalg.lstsq(x, y, rcond=None)
    se = np.sqrt(residual_ss[0] / (len(y) - x.shape[1]) * np.linalg.inv(x.T @ x)[1, 1])
    row = ancova(visits, "A", covariates=covariates).iloc[0]
    assert row["estimate"] == pytest.approx(beta[1], abs=1e-10)
    assert row["se"] == pytest.approx(se, rel=1e-10)
    assert row["n_arm"] + row["n_control"] == len(final)


def test_ancova_counts_the_complete_case_exclusions() -> None:
    visits = visit_table(n=50)
    dropped = visits["patient"].isin([1, 2, 3, 60]) & (visits["week"] == 8.0)
    visits.loc[dropped, "score"] = np.nan  # three A patients and one B patient miss week 8
    row = ancova(visits, "A").iloc[0]
    assert (row["excluded_control"], row["excluded_arm"], row["n_control"], row["n_arm"]) == (3, 1, 47, 49)


def test_ancova_p_values_are_roughly_uniform_without_an_effect() -> None:
    p = np.array([ancova(visit_table(n=400, effect=0.0, seed=seed), "A")["p_value"].iloc[0] for seed in range(50)])
    assert np.mean(p < 0.05) <= 0.15
    assert stats.kstest(p, "uniform").pvalue > 0.001


def test_holm_adjustment_matches_the_step_down_by_hand() -> None:
    """Holm 1979: the k-th smallest of m p-values is multiplied by (m - k + 1), then made monotone, capped at 1."""
    visits = visit_table(n=30, seed=5)
    third = visits[visits["arm"] == "B"].assign(arm="C", patient=lambda f: f["patient"] + 10_000)
    third["score"] += np.where(third["week"] > 0, 3.0, 0.0)
    fourth = visits[visits["arm"] == "A"].assign(arm="D", patient=lambda f: f["patient"] + 20_000)
    table = ancova(pd.concat([visits, third, fourth], ignore_index=True), "A")
    p = table["p_value"].to_numpy()
    order = np.argsort(p)
    by_hand = np.minimum(1.0, np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p)))))
    expected = np.empty_like(p)
    expected[order] = by_hand
    np.testing.assert_allclose(table["p_holm"], expected, rtol=1e-12)
    assert (table["p_holm"] >= table["p_value"]).all()
    single = ancova(visits, "A")
    assert single["p_holm"].iloc[0] == pytest.approx(single["p_value"].iloc[0], rel=1e-12)


def test_counterfactual_effects_average_the_paired_differences() -> None:
    rng = np.random.default_rng(4)
    twin = rng.normal(-20.0, 10.0, 300)
    effect = rng.normal(-2.0, 1.0, 300)
    patients = pd.DataFrame({
        "trial": 0, "arm": np.repeat(["ctl", "ot"], 150),
        "true_change": np.where(np.arange(300) < 150, twin, twin + effect), "control_twin_change": twin,
    })
    row = counterfactual_effects(patients, "ctl").iloc[0]
    paired = effect[150:]
    assert row["arm"] == "ot" and row["n"] == 150
    assert row["mean_effect"] == pytest.approx(paired.mean(), rel=1e-12)
    half_width = stats.t.ppf(0.975, 149) * paired.std(ddof=1) / np.sqrt(150)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * half_width, rel=1e-9)
    assert row["share_better"] == pytest.approx(np.mean(paired < -0.5))
    with pytest.raises(InputError, match="counterfactual_control"):
        counterfactual_effects(patients.assign(control_twin_change=np.nan), "ctl")


def test_ancova_at_an_earlier_week_and_a_named_week_must_exist() -> None:
    row = ancova(visit_table(), "A", week=4.0).iloc[0]
    assert row["ci_low"] < TRUE_EFFECT / 2 < row["ci_high"]
    with pytest.raises(InputError, match=r"Week 5.0 is not a post-baseline visit.*\[4.0, 8.0\]"):
        ancova(visit_table(), "A", week=5.0)


# --- MMRM ------------------------------------------------------------------------------------------------


def test_mmrm_recovers_the_effect_with_dropout() -> None:
    visits = visit_table(mar_dropout=True)
    assert visits["score"].isna().sum() == 240  # 30 % of 800 patients miss week 8
    row = mmrm(visits, "A").iloc[0]
    assert row["converged"] and row["week"] == 8.0
    assert row["n_arm"] + row["n_control"] == 800  # every patient has week 4
    assert row["ci_low"] < TRUE_EFFECT < row["ci_high"] and row["ci_high"] < 0


def test_mmrm_needs_two_post_baseline_weeks() -> None:
    visits = visit_table(n=20)
    with pytest.raises(InputError, match="two or more post-baseline weeks.*ancova"):
        mmrm(visits[visits["week"] != 4.0], "A")


# --- responders ------------------------------------------------------------------------------------------


def responder_table(counts: dict[str, tuple[int, int, int]]) -> pd.DataFrame:
    """Arms with (responders, non-responders, dropouts): baseline 50, week 8 score 20, 40 or missing."""
    finals = {arm: [20.0] * r + [40.0] * nr + [np.nan] * d for arm, (r, nr, d) in counts.items()}
    arm = np.concatenate([[name] * len(v) for name, v in finals.items()])
    final = np.concatenate(list(finals.values()))
    patient = np.arange(len(arm))
    return pd.concat([
        pd.DataFrame({"trial": 0, "patient": patient, "arm": arm, "period": 1, "sequence": "", "stratum": "all",
                      "week": week, "scale": "HAMA", "score": score, "baseline": 50.0})
        for week, score in ((0.0, 50.0), (8.0, final))
    ], ignore_index=True)


def test_responder_rates_match_published_wilson_and_newcombe_intervals() -> None:
    # Newcombe 1998a (Stat Med 17:857) Table II, Wilson score: 81/263 -> 0.2553-0.3662, 0/20 -> 0-0.1611;
    # Newcombe 1998b (Stat Med 17:873) method 10: 56/70 - 48/80 -> 0.0524-0.3339.
    table = responders(responder_table({"A": (48, 22, 10), "B": (56, 14, 0), "C": (81, 182, 0), "D": (0, 20, 0)}),
                       "A", remission_below=25)
    rows = table[table["endpoint"] == "response"].set_index("arm")
    assert rows.loc["A", ["n", "events"]].tolist() == [80, 48]  # the 10 dropouts count as non-responders (NRI)
    assert rows.loc["C", ["rate_ci_low", "rate_ci_high"]].tolist() == pytest.approx([0.2553, 0.3662], abs=5e-5)
    assert rows.loc["D", ["rate_ci_low", "rate_ci_high"]].tolist() == pytest.approx([0.0, 0.1611], abs=5e-5)
    assert rows.loc["B", ["rd_ci_low", "rd_ci_high"]].tolist() == pytest.approx([0.0524, 0.3339], abs=5e-5)
    assert rows.loc["B", "risk_difference"] == pytest.approx(0.2)
    assert rows.loc["B", "nnt"] == pytest.approx(5.0)
    assert rows.loc["B", "odds_ratio"] == pytest.approx((56 * 32) / (14 * 48))
    assert np.isnan(rows.loc["A", "risk_difference"])
    remission = table[table["endpoint"] == "remission"].set_index("arm")
    assert remission["events"].tolist() == rows["events"].tolist()  # every responder (score 20) is below 25


def test_responder_threshold_is_a_fraction() -> None:
    with pytest.raises(InputError, match="threshold must lie in"):
        responders(responder_table({"A": (1, 1, 0), "B": (1, 1, 0)}), "A", threshold=50)


# --- effect sizes ----------------------------------------------------------------------------------------


def test_effect_sizes_match_the_hand_formulas() -> None:
    visits = visit_table(n=120, seed=5)
    final = final_week(visits)
    change = {arm: (g["score"] - g["baseline"]).to_numpy() for arm, g in final.groupby("arm")}
    n1, n0 = len(change["B"]), len(change["A"])
    pooled = np.sqrt(((n1 - 1) * change["B"].var(ddof=1) + (n0 - 1) * change["A"].var(ddof=1)) / (n1 + n0 - 2))
    g = (1 - 3 / (4 * (n1 + n0) - 9)) * (change["B"].mean() - change["A"].mean()) / pooled
    se = np.sqrt((n1 + n0) / (n1 * n0) + g**2 / (2 * (n1 + n0)))
    table = effect_sizes(visits, "A").set_index(["kind", "arm"])
    between = table.loc[("between", "B")]
    assert between[["g", "se", "ci_low"]].tolist() == pytest.approx([g, se, g - 1.959964 * se], rel=1e-6)
    b = final[final["arm"] == "B"]
    r = np.corrcoef(b["baseline"], b["score"])[0, 1]
    g_pp = (1 - 3 / (4 * (n1 - 1) - 1)) * (b["score"] - b["baseline"]).mean() / b["baseline"].std(ddof=1)
    se_pp = np.sqrt(2 * (1 - r) / n1 + g_pp**2 / (2 * n1))
    assert table.loc[("pre-post", "B"), ["g", "se"]].tolist() == pytest.approx([g_pp, se_pp], rel=1e-12)


def test_hedges_g_covers_the_true_standardised_effect() -> None:
    row = effect_sizes(visit_table(), "A").query("kind == 'between'").iloc[0]
    assert row["ci_low"] < TRUE_EFFECT / SD < row["ci_high"]


# --- crossover -------------------------------------------------------------------------------------------


def crossover_table(carry_over: float = 0.0, n: int = 200, seed: int = 0) -> pd.DataFrame:
    """2x2 crossover: B lowers the period-end score by 4 vs A, period 2 is 2 lower; B may carry over into A."""
    rng = np.random.default_rng(seed)
    sequence = np.repeat(["AB", "BA"], n)
    level = rng.normal(60.0, 6.0, 2 * n)
    frames = []
    for period in (1, 2):
        arm = np.array([s[period - 1] for s in sequence])
        carried = carry_over * ((sequence == "BA") & (period == 2))
        end = level - 4.0 * (arm == "B") - 2.0 * (period == 2) + carried + rng.normal(0.0, 4.0, 2 * n)
        for week, score in ((0.0, level), (4.0, end)):
            frames.append(pd.DataFrame({
                "trial": 0, "patient": np.arange(2 * n), "arm": arm, "period": period, "sequence": sequence,
                "stratum": "all", "week": week, "scale": "LSAS", "score": score, "baseline": level}))
    return pd.concat(frames, ignore_index=True)


def test_crossover_recovers_treatment_and_period_effects() -> None:
    table = crossover(crossover_table(), "A").set_index("term")
    treatment, period, sequence = table.loc["treatment"], table.loc["period"], table.loc["sequence (carry-over)"]
    assert treatment["contrast"] == "B vs A" and treatment["n_patients"] == 400
    assert treatment["ci_low"] < -4.0 < treatment["ci_high"] < 0
    assert period["ci_low"] < -2.0 < period["ci_high"]
    assert sequence["ci_low"] < 0.0 < sequence["ci_high"]


def test_crossover_treatment_equals_the_period_difference_estimator() -> None:
    # With complete data the mixed model's treatment effect is half the difference between the sequences'
    # mean period-1 minus period-2 differences (Jones & Kenward 2014, section 2.3).
    visits = crossover_table(seed=2)
    ends = visits[visits["week"] > 0].pivot(index="patient", columns="period", values="score")
    difference = (ends[1] - ends[2]).groupby(visits.groupby("patient")["sequence"].first()).mean()
    estimate = crossover(visits, "A").set_index("term").loc["treatment", "estimate"]
    assert estimate == pytest.approx((difference["BA"] - difference["AB"]) / 2, abs=1e-8)


def test_crossover_sequence_term_flags_carry_over() -> None:
    sequence = crossover(crossover_table(carry_over=6.0), "A").set_index("term").loc["sequence (carry-over)"]
    assert sequence["p_value"] < 0.01


# --- flow, mechanistic endpoints, power ------------------------------------------------------------------


def test_consort_flow_counts_completers_and_dropouts() -> None:
    visits = visit_table(n=10)
    visits.loc[visits["patient"].isin([0, 1]) & (visits["week"] == 8.0), "score"] = np.nan
    flow = consort_flow(visits, assessed=30).set_index(["stage", "arm"])["n"]
    assert flow[("assessed", "")] == 30 and flow[("randomised", "")] == 20
    assert [flow[(stage, "A")] for stage in ("allocated", "completed", "dropped_out", "analysed")] == [10, 8, 2, 8]
    assert flow[("dropped_out", "B")] == 0
    crossover_flow = consort_flow(crossover_table(n=5)).set_index(["stage", "arm"])["n"]
    assert crossover_flow[("allocated", "AB")] == crossover_flow[("completed", "BA")] == 5


def test_mechanistic_difference_matches_scipy_welch() -> None:
    rng = np.random.default_rng(4)
    table = pd.DataFrame({"trial": 0, "patient": np.arange(70), "arm": ["A"] * 30 + ["B"] * 40,
                          "cortisol_auc": np.r_[rng.normal(10, 2, 30), rng.normal(8, 4, 40)]})
    row = mechanistic_endpoints(table, "A").set_index("arm").loc["B"]
    reference = stats.ttest_ind(table["cortisol_auc"][30:], table["cortisol_auc"][:30], equal_var=False)
    ci = reference.confidence_interval()
    assert [row["ci_low"], row["ci_high"], row["p_value"]] == pytest.approx([ci.low, ci.high, reference.pvalue])


def replicate_results(p_values: dict[int, list[float]]) -> pd.DataFrame:
    return pd.DataFrame([{"n_per_arm": n, "trial": i, "p_value": p, "estimate": -1.0}
                         for n, ps in p_values.items() for i, p in enumerate(ps)])


def test_power_is_one_when_every_replicate_rejects() -> None:
    row = power_curve(replicate_results({20: [0.001] * 20})).iloc[0]
    assert (row["power"], row["replicates"], row["ci_high"]) == (1.0, 20, pytest.approx(1.0))
    assert row["ci_low"] == pytest.approx(20 / (20 + 1.959964**2))  # Wilson lower bound for 20/20


def test_power_counts_failed_fits_as_not_significant() -> None:
    row = power_curve(replicate_results({10: [0.01, np.nan, 0.2, 0.03]})).iloc[0]
    assert (row["rejections"], row["failed"], row["power"]) == (2, 1, 0.5)


def test_sample_size_for_picks_the_smallest_n_reaching_the_target() -> None:
    table = pd.DataFrame({"n_per_arm": [80, 20, 40, 60], "power": [0.95, 0.30, 0.82, 0.78]})
    answer = sample_size_for(table, 0.8)
    assert (answer.n_per_arm, answer.power) == (40, 0.82)
    assert sample_size_for(table, 0.9).n_per_arm == 80
    missing = sample_size_for(table, 0.99)
    assert missing.n_per_arm is None and "0.95" in missing.reason and "larger" in missing.reason


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda v: ancova(v.drop(columns="score"), "A"), r"lacks the column\(s\) score; it has: trial"),
    (lambda v: ancova(v, "placebo"), "Unknown control arm 'placebo'; the arms are: A, B"),
    (lambda v: ancova(v, "A", covariates=["bmi"]), r"covariate\(s\) \['bmi'\].*has: sex, age, stratum"),
    (lambda v: ancova(pd.concat([v, v.assign(trial=1)]), "A"), r"several values of 'trial' \(\[0, 1\]\)"),
    (lambda v: mmrm(v.assign(period=v["patient"] % 2 + 1), "A"), "crossover design; analyse it with crossover"),
    (lambda v: responders(pd.concat([v, v.iloc[:1]]), "A"),
     "several rows for one visit.*'patient': 0, 'period': 1, 'week': 0.0"),
    (lambda v: effect_sizes(v["score"], "A"), "must be a pandas DataFrame, not Series"),
    (lambda v: crossover(v), "exactly two values of 'period'"),
    (lambda v: power_curve(v), r"lacks the column\(s\) n_per_arm"),
    (lambda v: power_curve(replicate_results({5: [0.1, 0.2]}).assign(trial=0)),
     "repeat .*'n_per_arm': 5, 'trial': 0"),
    (lambda v: mechanistic_endpoints(v, "A"), "none of the endpoints amygdala_threat_response"),
])
def test_bad_input_names_the_problem(call, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call(visit_table(n=10))


def test_relapse_counts_responders_who_lose_response_at_follow_up():
    rows = []
    # 10 control responders of which 3 relapse; 10 active responders of which 1 relapses; 5 non-responders each
    for arm, relapsing, offset in (("control", 3, 0), ("active", 1, 100)):
        for k in range(15):
            patient = offset + k
            responder = k < 10
            end = 40.0 if responder else 90.0
            follow = 80.0 if responder and k < relapsing else end
            for week, score in ((0.0, 100.0), (6.0, end), (12.0, follow)):
                rows.append({"trial": 0, "patient": patient, "arm": arm, "period": 1, "sequence": "",
                             "stratum": "all", "week": week, "scale": "lsas", "score": score, "baseline": 100.0})
    table = relapse(pd.DataFrame(rows), "control", end_week=6.0)
    by_arm = table.set_index("arm")
    assert by_arm.loc["control", "n"] == 10 and by_arm.loc["control", "events"] == 3
    assert by_arm.loc["active", "n"] == 10 and by_arm.loc["active", "events"] == 1
    assert by_arm.loc["active", "risk_difference"] == pytest.approx(-0.2)


def test_relapse_needs_a_loss_of_response_at_two_consecutive_follow_up_visits():
    """lost_response: a responder (baseline 100, response = reduction >= 50 %) relapses only when two consecutive
    follow-up visits miss the cut; one bad visit between good ones is not a relapse; one visit decides alone."""
    baseline = np.full(4, 100.0)
    follow_up = np.array([[60.0, 70.0, 40.0],   # missed at visits 1 and 2: relapse
                          [60.0, 40.0, 60.0],   # never two in a row: no relapse
                          [40.0, 40.0, 40.0],   # kept response: no relapse
                          [40.0, 55.0, 51.0]])  # missed at the last two: relapse
    assert lost_response(baseline, follow_up, 0.5).tolist() == [True, False, False, True]
    assert lost_response(baseline, follow_up[:, 1:2], 0.5).tolist() == [True, False, False, True]


def test_relapse_after_remission_counts_remitters_back_above_the_cut() -> None:
    """relapse(after="remission"): only end-of-treatment remitters (score below the cut) count; a remitter relapses
    when two consecutive follow-up scores are at or above the cut. Responders who did not remit are not counted."""
    rows = []
    # per arm: 8 remitters (end 20) of which `relapsing` return to 45; 6 responders who did not remit (end 40)
    for arm, relapsing, offset in (("control", 4, 0), ("active", 2, 100)):
        for k in range(14):
            end = 20.0 if k < 8 else 40.0
            follow = 45.0 if k < relapsing else end
            for week, score in ((0.0, 100.0), (6.0, end), (10.0, follow), (12.0, follow)):
                rows.append({"trial": 0, "patient": offset + k, "arm": arm, "period": 1, "sequence": "",
                             "stratum": "all", "week": week, "scale": "lsas", "score": score, "baseline": 100.0})
    table = relapse(pd.DataFrame(rows), "control", end_week=6.0, after="remission", remission_below=30.0)
    by_arm = table.set_index("arm")
    assert by_arm.loc["control", "n"] == 8 and by_arm.loc["control", "events"] == 4
    assert by_arm.loc["active", "n"] == 8 and by_arm.loc["active", "events"] == 2
    # the same visits as loss of response (50 %): all 14 responders per arm, and scores of 45 still count as response
    by_response = relapse(pd.DataFrame(rows), "control", end_week=6.0).set_index("arm")
    assert by_response.loc["control", "n"] == 14 and by_response.loc["control", "events"] == 0
    assert lost_remission(np.array([[30.0, 29.0], [31.0, 30.0], [29.0, 45.0]]), 30.0).tolist() == [False, True, False]
    with pytest.raises(InputError, match="remission_below"):
        relapse(pd.DataFrame(rows), "control", end_week=6.0, after="remission")
    with pytest.raises(InputError, match="not known"):
        relapse(pd.DataFrame(rows), "control", end_week=6.0, after="recurrence")
