"""Statistics of a virtual trial's visit table: ANCOVA, MMRM, responders, effect sizes, crossover and power.

Every estimate is an arm minus its control (or a visit minus baseline), so on anxiety scales a negative value
is an improvement. Models are fitted with statsmodels (Seabold & Perktold 2010). The numbers describe virtual
patients of a mechanistic model; they are not clinical advice and not dosing advice for any person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from oxysim.errors import InputError

VISIT_COLUMNS = ("trial", "patient", "arm", "period", "sequence", "stratum", "week", "scale", "score", "baseline")
COVARIATES = ("sex", "age", "trait_anxiety", "oxtr_rs53576", "oxtr_rs2254298", "early_adversity", "stratum")
MECHANISTIC_COLUMNS = ("trial", "patient", "arm")
MECHANISTIC_ENDPOINTS = ("amygdala_threat_response", "cortisol_auc", "extinction_retention")
RESULT_COLUMNS = ("n_per_arm", "trial", "p_value", "estimate")
FLOW_STAGES = ("assessed", "randomised", "allocated", "completed", "dropped_out", "analysed")
Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
ARM_TERM = "C(arm_code, Treatment('a0'))"  # formula term of the arm, with the control (code a0) as reference


# --- input checks ----------------------------------------------------------------------------------------


def require_columns(frame: object, columns: Iterable[str], what: str) -> pd.DataFrame:
    """``frame`` when it is a non-empty DataFrame with ``columns``; otherwise an InputError naming the gap."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame, not {type(frame).__name__}.")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(f"{what} lacks the column(s) {', '.join(missing)}; "
                         f"it has: {', '.join(map(str, frame.columns))}.")
    if frame.empty:
        raise InputError(f"{what} has no rows.")
    return frame


def _levels(values: pd.Series) -> list[Any]:
    """The distinct values of ``values`` in sorted order, as plain Python objects."""
    return sorted(set(values.tolist()))


def _codes(levels: Sequence[Any], prefix: str) -> dict[Any, str]:
    """Formula-safe names of ``levels``: prefix0, prefix1, ... in the given order."""
    return {level: f"{prefix}{i}" for i, level in enumerate(levels)}


def _require_one_value(frame: pd.DataFrame, column: str, what: str) -> None:
    """An InputError when ``column`` holds several values (replicate trials, scales): analyse one at a time."""
    values = _levels(frame[column])
    if len(values) > 1:
        raise InputError(f"{what} holds several values of {column!r} ({values}); analyse one at a time, "
                         f"e.g. table[table[{column!r}] == {values[0]!r}].")


def _visit_table(visits: object, *, parallel: bool) -> pd.DataFrame:
    """The visit table, checked for one trial, one scale and one row per visit (one period and arm if ``parallel``)."""
    visits = require_columns(visits, VISIT_COLUMNS, "The visit table")
    _require_one_value(visits, "trial", "The visit table")
    _require_one_value(visits, "scale", "The visit table")
    repeated = visits.duplicated(["patient", "period", "week"])
    if repeated.any():
        example = visits.loc[repeated, ["patient", "period", "week"]].head(1).to_dict("records")[0]
        raise InputError(f"The visit table has several rows for one visit (patient, period, week), e.g. {example}.")
    if parallel:
        periods = _levels(visits["period"])
        if len(periods) > 1:
            raise InputError(f"The visit table has periods {periods}, a crossover design; analyse it with crossover().")
        switched = visits.groupby("patient")["arm"].nunique()
        if (switched > 1).any():
            raise InputError(f"Patients {switched[switched > 1].index.tolist()[:5]} appear in several arms of a "
                             "parallel design; each patient must keep one arm.")
    return visits


def _arm_codes(frame: pd.DataFrame, control_arm: str) -> dict[str, str]:
    """Formula-safe codes of the arms: the control first as 'a0', then the other arms in sorted order."""
    arms = _levels(frame["arm"])
    if control_arm not in arms:
        raise InputError(f"Unknown control arm {control_arm!r}; the arms are: {', '.join(map(str, arms))}.")
    if len(arms) < 2:
        raise InputError(f"Only the arm {control_arm!r} is present; a comparison needs a second arm.")
    return _codes([control_arm, *(arm for arm in arms if arm != control_arm)], "a")


def _require_patients(arms: pd.Series, codes: Mapping[str, str], what: str, minimum: int = 2) -> None:
    """An InputError when an arm has fewer than ``minimum`` analysable units (``arms``: one arm per unit)."""
    counts = arms.value_counts().reindex(list(codes), fill_value=0)
    short = {arm: int(n) for arm, n in counts.items() if n < minimum}
    if short:
        raise InputError(f"Too few {what} per arm {short}; each arm needs at least {minimum}.")


def _check_covariates(visits: pd.DataFrame, covariates: Sequence[str]) -> list[str]:
    """The requested covariates, each a known covariate column present in the visit table."""
    present = [name for name in COVARIATES if name in visits.columns]
    unknown = [name for name in covariates if name not in present]
    if unknown:
        raise InputError(f"Unknown or absent covariate(s) {unknown}; "
                         f"the visit table has: {', '.join(present) or 'none'}.")
    return list(covariates)


def _check_fraction(value: float, name: str, *, closed: bool = False) -> None:
    """An InputError unless 0 < value < 1 (or <= 1 when ``closed``)."""
    if not (0 < value < 1 or (closed and value == 1)):
        raise InputError(f"{name} must lie in (0, 1{']' if closed else ')'}; got {value!r}.")


# --- shared pieces ---------------------------------------------------------------------------------------


def _at_week(visits: pd.DataFrame, week: float | None = None) -> tuple[pd.DataFrame, float]:
    """One row per randomised patient at ``week`` (default the last post-baseline visit); NaN score if absent."""
    weeks = _levels(visits.loc[visits["week"] > 0, "week"])
    if not weeks:
        raise InputError("The visit table has no post-baseline visit (week > 0).")
    week = weeks[-1] if week is None else week
    if week not in weeks:
        raise InputError(f"Week {week!r} is not a post-baseline visit; the visits are at weeks {weeks}.")
    arms = visits.groupby("patient", sort=True)["arm"].first()
    rows = visits[visits["week"] == week].set_index("patient").drop(columns="arm")
    return rows.reindex(arms.index).join(arms).reset_index(), float(week)


def _wald(fit: Any, term: str) -> dict[str, float]:
    """Estimate, SE, 95 % CI and p-value of one coefficient of a fitted statsmodels model."""
    low, high = fit.conf_int().loc[term]
    return {"estimate": float(fit.params[term]), "se": float(fit.bse[term]), "ci_low": float(low),
            "ci_high": float(high), "p_value": float(fit.pvalues[term])}


def _arm_contrasts(fit: Any, codes: Mapping[str, str], analysed: pd.Series, randomised: pd.Series,
                   **labels: Any) -> pd.DataFrame:
    """One row per active arm: its coefficient vs the control, with analysed and excluded patient counts.

    ``p_holm`` adjusts the p-values for the family of arm-versus-control contrasts (Holm 1979, which keeps the
    familywise error rate at 5 % whatever their correlation): with many arms sharing one control, one lucky
    or unlucky control group moves every contrast the same way.
    """
    control = next(iter(codes))
    n = analysed.value_counts().reindex(list(codes), fill_value=0)
    excluded = randomised.value_counts().reindex(list(codes), fill_value=0) - n
    table = pd.DataFrame([
        {**labels, "contrast": f"{arm} vs {control}", "arm": arm, "control": control,
         **_wald(fit, f"{ARM_TERM}[T.{code}]"), "n_arm": int(n[arm]), "n_control": int(n[control]),
         "excluded_arm": int(excluded[arm]), "excluded_control": int(excluded[control])}
        for arm, code in codes.items() if arm != control
    ])
    table.insert(table.columns.get_loc("p_value") + 1, "p_holm", multipletests(table["p_value"], method="holm")[1])
    return table


# --- continuous endpoint ---------------------------------------------------------------------------------


def ancova(visits: pd.DataFrame, control_arm: str, week: float | None = None,
           covariates: Sequence[str] = ()) -> pd.DataFrame:
    """ANCOVA of the change from baseline at ``week`` (default the last visit): each active arm vs control.

    OLS of ``change ~ C(arm, Treatment(control)) + baseline [+ covariates]``, the baseline-adjusted analysis
    recommended for randomised trials (Vickers & Altman 2001; EMA 2015 guideline on baseline covariates).
    Complete cases only: patients without a score at the week (dropped out) or with a missing covariate are
    left out and counted in ``excluded_arm`` / ``excluded_control``; informative dropout can bias this, see
    :func:`mmrm`. Columns: contrast, estimate (adjusted arm − control difference), se, ci_low, ci_high
    (95 %, t-based), p_value, n_arm, n_control and the exclusion counts.
    """
    visits = _visit_table(visits, parallel=True)
    codes = _arm_codes(visits, control_arm)
    covariates = _check_covariates(visits, covariates)
    final, week = _at_week(visits, week)
    data = final.assign(arm_code=final["arm"].map(codes), change=final["score"] - final["baseline"])
    complete = data.dropna(subset=["change", *covariates])
    _require_patients(complete["arm"], codes, "patients with a score at the analysed week")
    fit = smf.ols(f"change ~ {ARM_TERM} + baseline" + "".join(f" + {c}" for c in covariates), complete).fit()
    return _arm_contrasts(fit, codes, complete["arm"], final["arm"], analysis="ANCOVA (complete cases)",
                          scale=visits["scale"].iloc[0], week=week)


def mmrm(visits: pd.DataFrame, control_arm: str) -> pd.DataFrame:
    """Mixed model for repeated measures: each active arm's effect on the change from baseline at the last visit.

    ``change ~ C(arm) * C(week) + baseline * C(week)`` over every post-baseline visit a patient attended, fitted
    by REML with statsmodels MixedLM (Lindstrom & Bates 1988), so dropouts contribute their earlier visits and
    the estimate holds under missing at random (Mallinckrodt et al. 2008). An MMRM usually has an unstructured
    within-patient covariance, which MixedLM cannot fit; this model uses a random intercept per patient instead,
    i.e. compound symmetry (one correlation between any two visits). The last week is the reference level of
    C(week), so the arm coefficient is the effect at that week; CIs and p-values are Wald (normal) ones.
    Columns as :func:`ancova`, plus ``converged``; ``n_arm`` counts patients with any post-baseline score.
    """
    visits = _visit_table(visits, parallel=True)
    codes = _arm_codes(visits, control_arm)
    post = visits[visits["week"] > 0].dropna(subset=["score", "baseline"])
    weeks = _levels(post["week"])
    if len(weeks) < 2:
        raise InputError(f"mmrm needs scores at two or more post-baseline weeks; the table has {weeks}. "
                         "Use ancova() for a single visit.")
    _require_patients(post.drop_duplicates("patient")["arm"], codes, "patients with a post-baseline score")
    data = post.assign(arm_code=post["arm"].map(codes), change=post["score"] - post["baseline"],
                       visit=post["week"].map(_codes(weeks, "w")))
    visit = f"C(visit, Treatment('w{len(weeks) - 1}'))"
    fit = smf.mixedlm(f"change ~ {ARM_TERM} * {visit} + baseline * {visit}", data, groups=data["patient"]).fit(
        reml=True)
    return _arm_contrasts(fit, codes, data.drop_duplicates("patient")["arm"], visits.drop_duplicates("patient")["arm"],
                          analysis="MMRM (random intercept)", scale=visits["scale"].iloc[0], week=float(weeks[-1]),
                          converged=bool(fit.converged))


# --- binary endpoints ------------------------------------------------------------------------------------


def _compare_rates(events: int, n: int, control_events: int, control_n: int) -> dict[str, float]:
    """Risk difference (Newcombe hybrid score CI), odds ratio (Woolf CI, p-value) and NNT of two rates."""
    difference = events / n - control_events / control_n
    rd_low, rd_high = confint_proportions_2indep(events, n, control_events, control_n, method="newcomb",
                                                 compare="diff")
    table = Table2x2(np.array([[events, n - events], [control_events, control_n - control_events]], dtype=float))
    or_low, or_high = table.oddsratio_confint()
    return {"risk_difference": difference, "rd_ci_low": float(rd_low), "rd_ci_high": float(rd_high),
            "odds_ratio": float(table.oddsratio), "or_ci_low": float(or_low), "or_ci_high": float(or_high),
            "p_value": float(table.oddsratio_pvalue()), "nnt": 1.0 / difference if difference else np.inf}


def _binary_rows(endpoint: str, event: pd.Series, arm: pd.Series, arms: Sequence[str]) -> pd.DataFrame:
    """Per arm (control first): events, rate and Wilson CI; for active arms the comparison with the control."""
    counts = event.astype(int).groupby(arm).agg(["sum", "size"])
    control_events, control_n = (int(v) for v in counts.loc[arms[0]])
    rows = []
    for name in arms:
        events, n = (int(v) for v in counts.loc[name])
        low, high = proportion_confint(events, n, method="wilson")
        comparison = {} if name == arms[0] else {"control": arms[0],
                                                 **_compare_rates(events, n, control_events, control_n)}
        rows.append({"endpoint": endpoint, "arm": name, "n": n, "events": events, "rate": events / n,
                     "rate_ci_low": float(low), "rate_ci_high": float(high), **comparison})
    return pd.DataFrame(rows)


def responders(visits: pd.DataFrame, control_arm: str, threshold: float = 0.5,
               remission_below: float | None = None) -> pd.DataFrame:
    """Response (and remission) rates at the last visit per arm, each active arm compared with the control.

    Response is a relative reduction (baseline − score) / baseline of at least ``threshold``; remission a score
    below ``remission_below``. Patients without a score at the last visit count as non-responders and
    non-remitters (non-responder imputation, NRI). Rates carry Wilson score CIs (Wilson 1927; Newcombe 1998a);
    the risk difference a Newcombe hybrid score CI (Newcombe 1998b, method 10); the odds ratio a Woolf logit CI
    with 0.5 added to every cell when one is empty, and its p-value (statsmodels Table2x2). NNT = 1 / risk
    difference; a negative NNT is a number needed to harm (Altman 1998).
    """
    visits = _visit_table(visits, parallel=True)
    codes = _arm_codes(visits, control_arm)
    _check_fraction(threshold, "threshold", closed=True)
    if (visits["baseline"] <= 0).any():
        raise InputError("A relative reduction needs positive baseline scores; the visit table has baselines <= 0.")
    final, _ = _at_week(visits)
    events = {"response": (final["baseline"] - final["score"]) / final["baseline"] >= threshold}
    if remission_below is not None:
        events["remission"] = final["score"] < remission_below
    return pd.concat([_binary_rows(name, event, final["arm"], list(codes)) for name, event in events.items()],
                     ignore_index=True)


def sustained(missed: np.ndarray) -> np.ndarray:
    """Per row (patients x follow-up visits, in time order): ``True`` at two consecutive visits, or at the only one.

    Confirmation at consecutive visits makes relapse a sustained change, not one rating across the cut: with a
    rater error of ~10 LSAS points a single visit reclassifies many borderline patients by noise alone.
    """
    missed = np.asarray(missed, dtype=bool)
    if missed.shape[1] == 1:
        return missed[:, 0]
    return np.any(missed[:, :-1] & missed[:, 1:], axis=1)


def lost_response(baseline: np.ndarray, follow_up: np.ndarray, threshold: float) -> np.ndarray:
    """Relapse of responders: whether each missed the response criterion (a relative reduction of at least
    ``threshold`` from ``baseline``) at two consecutive follow-up visits (columns of ``follow_up``, in time
    order), or at the only one when there is one (:func:`sustained`)."""
    follow_up = np.asarray(follow_up, dtype=float)
    baseline = np.asarray(baseline, dtype=float)[:, None]
    return sustained((baseline - follow_up) / baseline < threshold)


def lost_remission(follow_up: np.ndarray, remission_below: float) -> np.ndarray:
    """Relapse of remitters: whether each scored at or above the remission cut-off ``remission_below`` (back in
    the symptomatic range) at two consecutive follow-up visits, or at the only one (:func:`sustained`)."""
    return sustained(np.asarray(follow_up, dtype=float) >= remission_below)


RELAPSE_AFTER = ("response", "remission")
"""What a relapse is a loss of: response (among end-of-treatment responders) or remission (among remitters)."""


def relapse(visits: pd.DataFrame, control_arm: str, end_week: float, threshold: float = 0.5,
            after: str = "response", remission_below: float | None = None) -> pd.DataFrame:
    """Relapse after treatment ends, per arm.

    ``after="response"``: among responders at ``end_week`` (relative reduction >= ``threshold``), the share who
    lose response at follow-up (:func:`lost_response`). ``after="remission"``: among remitters at ``end_week``
    (score below ``remission_below``), the share who score at or above it again (:func:`lost_remission`). Both
    need the loss at two consecutive follow-up visits, or at the only one. Levy et al. (2021, CL-08) pool relapse
    after remission, under several definitions; meeting diagnostic criteria again gives lower rates.
    Patients without a score at every follow-up visit are left out (complete cases); an arm without responders
    (remitters) has no relapse rate and is left out.
    """
    visits = _visit_table(visits, parallel=True)
    codes = _arm_codes(visits, control_arm)
    _check_fraction(threshold, "threshold", closed=True)
    if after not in RELAPSE_AFTER:
        raise InputError(f"relapse after {after!r} is not known; use one of {', '.join(RELAPSE_AFTER)}.")
    if after == "remission" and remission_below is None:
        raise InputError("Relapse after remission needs the remission cut-off (remission_below), e.g. LSAS 30.")
    end, _ = _at_week(visits, end_week)
    later = _levels(visits.loc[visits["week"] > end_week, "week"])
    if not later:
        raise InputError(f"Relapse needs a follow-up visit after week {end_week:g}; the visits end there.")
    if after == "response":
        selected = (end["baseline"] - end["score"]) / end["baseline"] >= threshold
    else:
        selected = end["score"] < remission_below
    chosen = end.loc[selected, ["patient", "arm", "baseline"]]
    follow = visits[visits["week"].isin(later)].pivot(index="patient", columns="week", values="score")
    observed = chosen.set_index("patient").join(follow.reindex(columns=later)).dropna()
    scores = observed[later].to_numpy()
    lost = (lost_response(observed["baseline"].to_numpy(), scores, threshold) if after == "response"
            else lost_remission(scores, remission_below))
    event = pd.Series(lost, index=observed.index)
    arms = [a for a in codes if (observed["arm"] == a).any()]
    if not arms or arms[0] != control_arm:
        who = "responder" if after == "response" else "remitter"
        raise InputError(f"No {who} of the control arm {control_arm!r} has a follow-up score, so relapse "
                         "cannot be compared; run more patients or a longer treatment.")
    return _binary_rows("relapse", event, observed["arm"], arms)


# --- standardised effect sizes ---------------------------------------------------------------------------


def _hedges_g(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Hedges' g of mean(x) − mean(y) with the large-sample SE and 95 % CI of Hedges & Olkin (1985)."""
    n1, n0 = len(x), len(y)
    pooled_sd = np.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n0 - 1) * np.var(y, ddof=1)) / (n1 + n0 - 2))
    g = (1 - 3 / (4 * (n1 + n0) - 9)) * (np.mean(x) - np.mean(y)) / pooled_sd
    se = np.sqrt((n1 + n0) / (n1 * n0) + g**2 / (2 * (n1 + n0)))
    return {"g": g, "se": se, "ci_low": g - Z_95 * se, "ci_high": g + Z_95 * se, "n": n1, "n_comparator": n0}


def _prepost_g(before: np.ndarray, after: np.ndarray) -> dict[str, float]:
    """Pre–post g: mean change / SD of baseline, small-sample corrected, SE from Becker (1988) / Morris (2008)."""
    n = len(before)
    r = np.corrcoef(before, after)[0, 1]
    g = (1 - 3 / (4 * (n - 1) - 1)) * np.mean(after - before) / np.std(before, ddof=1)
    se = np.sqrt(2 * (1 - r) / n + g**2 / (2 * n))
    return {"g": g, "se": se, "ci_low": g - Z_95 * se, "ci_high": g + Z_95 * se, "n": n}


def effect_sizes(visits: pd.DataFrame, control_arm: str) -> pd.DataFrame:
    """Hedges' g between arms (change from baseline) and within each arm (pre–post), in last-visit completers.

    ``kind == "between"``: arm − control change, standardised by the pooled SD, J = 1 − 3 / (4 (n1 + n0) − 9),
    SE = sqrt((n1 + n0) / (n1 n0) + g² / (2 (n1 + n0))) (Hedges & Olkin 1985). ``kind == "pre-post"``: mean
    change / baseline SD, J = 1 − 3 / (4 (n − 1) − 1), SE = sqrt(2 (1 − r) / n + g² / (2 n)) with r the
    baseline–last-visit correlation (Becker 1988; Morris 2008). The pre–post g is the metric of the review's
    calibration findings, which quote a reduction as positive; here it is negative. CIs are g ± 1.96 SE.
    """
    visits = _visit_table(visits, parallel=True)
    codes = _arm_codes(visits, control_arm)
    final, _ = _at_week(visits)
    done = final.dropna(subset=["score", "baseline"])
    _require_patients(done["arm"], codes, "patients with a score at the last visit")
    groups = {arm: done[done["arm"] == arm] for arm in codes}
    change = {arm: (g["score"] - g["baseline"]).to_numpy() for arm, g in groups.items()}
    between = [{"kind": "between", "arm": arm, "comparator": control_arm,
                **_hedges_g(change[arm], change[control_arm])} for arm in codes if arm != control_arm]
    within = [{"kind": "pre-post", "arm": arm, "comparator": "baseline",
               **_prepost_g(g["baseline"].to_numpy(), g["score"].to_numpy())} for arm, g in groups.items()]
    return pd.DataFrame(between + within)


# --- crossover -------------------------------------------------------------------------------------------


def crossover(visits: pd.DataFrame, control_arm: str | None = None) -> pd.DataFrame:
    """Treatment, period and sequence (carry-over) effects of a 2-period, 2-sequence crossover trial.

    The endpoint is the score at each period's last visit; ``score ~ C(arm) + C(period) + C(sequence)`` with a
    random intercept per patient is fitted by REML (statsmodels MixedLM), so a patient missing one period still
    contributes (Jones & Kenward 2014). In the 2×2 design the sequence term is the differential carry-over; it
    is tested between patients with little power (Grizzle 1965; Freeman 1989), so a non-significant term does
    not rule carry-over out. ``control_arm`` defaults to the first arm in sorted order. Wald CIs and p-values.
    """
    visits = _visit_table(visits, parallel=False)
    for column in ("arm", "period", "sequence"):
        if len(levels := _levels(visits[column])) != 2:
            raise InputError(f"A 2x2 crossover needs exactly two values of {column!r}; the table has {levels}.")
    codes = _arm_codes(visits, _levels(visits["arm"])[0] if control_arm is None else control_arm)
    periods, sequences = _levels(visits["period"]), _levels(visits["sequence"])
    last = visits["week"].eq(visits.groupby("period")["week"].transform("max")) & visits["week"].gt(0)
    ends = visits[last].dropna(subset=["score"])
    _require_patients(ends["arm"], codes, "period endpoints")
    data = ends.assign(arm_code=ends["arm"].map(codes), period_code=ends["period"].map(_codes(periods, "p")),
                       sequence_code=ends["sequence"].map(_codes(sequences, "s")))
    fit = smf.mixedlm(f"score ~ {ARM_TERM} + C(period_code) + C(sequence_code)", data, groups=data["patient"]).fit(
        reml=True)
    control, active = list(codes)
    analysed, randomised = data["patient"].nunique(), visits["patient"].nunique()
    terms = [("treatment", f"{active} vs {control}", f"{ARM_TERM}[T.a1]"),
             ("period", f"period {periods[1]} vs {periods[0]}", "C(period_code)[T.p1]"),
             ("sequence (carry-over)", f"sequence {sequences[1]} vs {sequences[0]}", "C(sequence_code)[T.s1]")]
    return pd.DataFrame([{"analysis": "crossover (random intercept)", "scale": visits["scale"].iloc[0], "term": term,
                          "contrast": contrast, **_wald(fit, name), "n_patients": analysed,
                          "excluded": randomised - analysed, "converged": bool(fit.converged)}
                         for term, contrast, name in terms])


# --- trial flow and mechanistic endpoints ----------------------------------------------------------------


def consort_flow(visits: pd.DataFrame, assessed: int | None = None) -> pd.DataFrame:
    """CONSORT participant flow (Schulz et al. 2010) as rows of stage, arm and n.

    ``assessed`` and ``randomised`` have arm ""; then per allocation group (arm, or sequence in a crossover):
    ``allocated``, ``completed`` (a score at the last visit of every period), ``dropped_out`` and ``analysed``
    (a score at the last visit of at least one period, the patients of the primary analysis before covariate
    exclusions). ``assessed`` defaults to the randomised count: screening is not modelled.
    """
    visits = _visit_table(visits, parallel=False)
    n_periods = visits["period"].nunique()
    group = "sequence" if n_periods > 1 else "arm"
    allocation = visits.groupby("patient")[group].first()
    if assessed is not None and assessed < len(allocation):
        raise InputError(f"assessed ({assessed}) cannot be below the {len(allocation)} randomised patients.")
    last = visits["week"].eq(visits.groupby("period")["week"].transform("max")) & visits["week"].gt(0)
    observed = visits[last].groupby("patient")["score"].count().reindex(allocation.index, fill_value=0)
    rows = [("assessed", "", len(allocation) if assessed is None else assessed), ("randomised", "", len(allocation))]
    for name, members in allocation.groupby(allocation):
        periods_seen = observed[members.index]
        completed = int((periods_seen == n_periods).sum())
        rows += [("allocated", name, len(members)), ("completed", name, completed),
                 ("dropped_out", name, len(members) - completed), ("analysed", name, int((periods_seen > 0).sum()))]
    return pd.DataFrame(rows, columns=["stage", "arm", "n"])


def mechanistic_endpoints(table: pd.DataFrame, control_arm: str) -> pd.DataFrame:
    """Per mechanistic endpoint and arm: n, mean and SD; each active arm vs control with a Welch t CI.

    The endpoints (amygdala threat response, cortisol AUC, extinction retention) are model quantities of
    virtual patients, summarised to show the mechanism behind a symptom effect (Welch 1947 for unequal SDs).
    """
    table = require_columns(table, MECHANISTIC_COLUMNS, "The mechanistic table")
    _require_one_value(table, "trial", "The mechanistic table")
    endpoints = [name for name in MECHANISTIC_ENDPOINTS if name in table.columns]
    if not endpoints:
        raise InputError(f"The mechanistic table has none of the endpoints {', '.join(MECHANISTIC_ENDPOINTS)}; "
                         f"it has: {', '.join(map(str, table.columns))}.")
    codes = _arm_codes(table, control_arm)
    rows = []
    for endpoint in endpoints:
        observed = table.dropna(subset=[endpoint])
        _require_patients(observed["arm"], codes, f"patients with {endpoint}")
        values = {arm: DescrStatsW(observed.loc[observed["arm"] == arm, endpoint].to_numpy(float)) for arm in codes}
        for arm, summary in values.items():
            row = {"endpoint": endpoint, "arm": arm, "n": int(summary.nobs), "mean": summary.mean,
                   "sd": summary.std * np.sqrt(summary.nobs / (summary.nobs - 1))}
            if arm != control_arm:
                compare = CompareMeans(summary, values[control_arm])
                low, high = compare.tconfint_diff(usevar="unequal")
                row.update(control=control_arm, difference=summary.mean - values[control_arm].mean,
                           ci_low=low, ci_high=high, p_value=compare.ttest_ind(usevar="unequal")[1])
            rows.append(row)
    return pd.DataFrame(rows)


def counterfactual_effects(patients: pd.DataFrame, control_arm: str) -> pd.DataFrame:
    """The model's own effect of each arm: paired differences between a patient and its in-silico twin.

    With ``endpoints.counterfactual_control`` every patient of an active arm was also simulated under the control
    arm. ``true_change - control_twin_change`` is then that patient's individual effect on the noise-free primary
    score (no rater error, no dropout, no between-arm sampling), and its mean over the arm's randomised patients is
    the average treatment effect the trial's ANCOVA estimates with noise. Columns: arm, control, n, mean_effect,
    sd, ci_low, ci_high (95 %, t), and the fraction of patients who improve more (``share_better``) or less
    (``share_worse``) than their twin by over 0.5 scale points.
    """
    table = require_columns(patients, ("trial", "arm", "true_change", "control_twin_change"), "The patient table")
    _require_one_value(table, "trial", "The patient table")
    if control_arm not in set(table["arm"]):
        raise InputError(f"control arm {control_arm!r} is not in the patient table; arms: "
                         f"{', '.join(map(str, _levels(table['arm'])))}.")
    rows = []
    for arm in _levels(table["arm"]):
        if arm == control_arm:
            continue
        effect = (table.loc[table["arm"] == arm, "true_change"] - table.loc[table["arm"] == arm, "control_twin_change"])
        effect = effect.dropna().to_numpy(float)
        if effect.size < 2:
            raise InputError(f"arm {arm!r} has {effect.size} patients with a control twin; the spec needs "
                             "endpoints.counterfactual_control: true and at least 2 patients per arm.")
        summary = DescrStatsW(effect)
        low, high = summary.tconfint_mean()
        rows.append({"arm": arm, "control": control_arm, "n": int(effect.size), "mean_effect": summary.mean,
                     "sd": float(np.std(effect, ddof=1)), "ci_low": low, "ci_high": high,
                     "share_better": float(np.mean(effect < -0.5)), "share_worse": float(np.mean(effect > 0.5))})
    return pd.DataFrame(rows)


# --- power across replicate trials ----------------------------------------------------------------------


def power_curve(results: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Power per trial size: the share of replicate trials with p < ``alpha``, with a Wilson 95 % CI.

    ``results`` has one row per replicate trial and size (columns n_per_arm, trial, p_value, estimate). A
    replicate without a p-value (failed fit) counts as not significant and is counted in ``failed``. The CI is
    the Monte Carlo uncertainty of the power estimate (Morris, White & Crowther 2019).
    """
    results = require_columns(results, RESULT_COLUMNS, "The replicate results")
    _check_fraction(alpha, "alpha")
    duplicated = results.duplicated(["n_per_arm", "trial"])
    if duplicated.any():
        example = results.loc[duplicated, ["n_per_arm", "trial"]].head(1).to_dict("records")[0]
        raise InputError(f"The replicate results repeat (n_per_arm, trial) pairs, e.g. {example}; "
                         "keep one contrast per trial.")
    grouped = results.assign(rejected=results["p_value"] < alpha, failed=results["p_value"].isna()).groupby(
        "n_per_arm", sort=True)
    table = grouped.agg(replicates=("trial", "size"), rejections=("rejected", "sum"), failed=("failed", "sum"),
                        mean_estimate=("estimate", "mean")).reset_index()
    low, high = proportion_confint(table["rejections"], table["replicates"], method="wilson")
    table = table.assign(power=table["rejections"] / table["replicates"], ci_low=low, ci_high=high)
    return table[["n_per_arm", "replicates", "rejections", "power", "ci_low", "ci_high", "failed", "mean_estimate"]]


@dataclass(frozen=True)
class SampleSize:
    """The smallest simulated trial size that reaches a target power, or ``None`` and the reason why not."""

    n_per_arm: int | None
    power: float | None
    reason: str


def sample_size_for(power_table: pd.DataFrame, target: float = 0.8) -> SampleSize:
    """The smallest ``n_per_arm`` of a :func:`power_curve` table whose estimated power reaches ``target``.

    Only simulated sizes are candidates; the answer's ``reason`` says so, or why no size qualifies.
    """
    table = require_columns(power_table, ("n_per_arm", "power"), "The power table").sort_values("n_per_arm")
    _check_fraction(target, "target")
    reached = table[table["power"] >= target]
    if reached.empty:
        best = table.loc[table["power"].idxmax()]
        return SampleSize(None, None, f"No simulated size reaches power {target:g}: the highest is {best['power']:.2f} "
                                      f"at n_per_arm={best['n_per_arm']:g} (largest simulated "
                                      f"{table['n_per_arm'].iloc[-1]:g}); simulate larger trials.")
    first = reached.iloc[0]
    return SampleSize(int(first["n_per_arm"]), float(first["power"]),
                      f"n_per_arm={first['n_per_arm']:g} is the smallest simulated size with power >= {target:g} "
                      f"({first['power']:.2f}); sizes between the simulated ones were not tried.")
