"""The HTML report of a virtual trial (oxysim.trials.report): sections, figures, escaping, atomic writes."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from test_trial_analysis import visit_table  # the tests directory is on sys.path (pytest's default import mode)

from oxysim import RESEARCH_USE_NOTICE
from oxysim.errors import InputError
from oxysim.report.canvas import new_figure, png_bytes
from oxysim.trials import analysis
from oxysim.trials.report import FIGURES, write_report

ACTIVE = "oxytocin $24 IU <script>alert(1)</script>"
HEADINGS = ("Research use only", "Design", "Participant flow", "Trajectories by arm", "Primary analysis",
            "Model effect with in-silico twins", "Effect sizes", "Responders", "Power", "Mechanistic endpoints",
            "Parameters behind the answer", "Assumptions and hypotheses", "Metadata")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def inputs() -> dict[str, Any]:
    """Every argument of write_report for a small trial whose active arm's name is hostile HTML and mathtext."""
    visits = visit_table(n=30, seed=1).replace({"arm": {"A": "placebo", "B": ACTIVE}})
    mechanistic = visits[visits["week"] == 0][["trial", "patient", "arm"]].assign(
        cortisol_auc=visits.loc[visits["week"] == 8, "score"].to_numpy())
    replicates = pd.DataFrame({"n_per_arm": [10] * 4 + [20] * 4, "trial": list(range(4)) * 2,
                               "p_value": [0.2, 0.01, 0.5, 0.03, 0.01, 0.02, 0.04, 0.3], "estimate": -1.0})
    return {
        "title": "Virtual trial <script>x</script>",
        "design": {"arms": ["placebo", ACTIVE], "weeks": 8, "note": "<b>bold</b>"},
        "flow": analysis.consort_flow(visits),
        "visits": visits,
        "primary": analysis.ancova(visits, "placebo"),
        "effect_sizes": analysis.effect_sizes(visits, "placebo"),
        "responders": analysis.responders(visits, "placebo", threshold=0.2),
        "power": analysis.power_curve(replicates),
        "mechanistic": analysis.mechanistic_endpoints(mechanistic, "placebo"),
        "counterfactual": pd.DataFrame({"arm": [ACTIVE], "control": ["placebo"], "n": [30], "mean_effect": [-1.5]}),
        "sensitivity": (pd.DataFrame({"parameter": ["oxtr_ec50"], "score": [1.0], "basis": ["source: Gimpl 2001"]}),
                        png_bytes(new_figure((2, 2)))),
        "assumptions": [{"name": "k_<i>", "value": 0.5, "unit": "1/h", "source": "Smith 2020 <doi>"},
                        {"name": "dropout", "value": 0.1, "unit": "1", "assumption": "10 % per trial"}],
        "hypotheses": {"dose_response": "inverted_u (Spengler et al. 2017)"},
        "metadata": {"seed": 7, "oxysim_version": "0.1.0", "spec": {"arms": 2}},
    }


@pytest.fixture(scope="module")
def report(inputs: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report")
    path = write_report(out, **inputs)
    return out, path.read_text(encoding="utf-8")


def test_report_has_every_section_in_order(report: tuple[Path, str]) -> None:
    _, html = report
    positions = [html.index(f"<h2>{heading}</h2>") for heading in HEADINGS]
    assert positions == sorted(positions)
    assert html.count(RESEARCH_USE_NOTICE) >= 2  # at the top and in the footer
    assert "Spengler et al. 2017" in html and "source: Smith 2020 &lt;doi&gt;" in html
    assert "assumption: 10 % per trial" in html


def test_figures_are_png_files_and_embedded_in_the_page(report: tuple[Path, str]) -> None:
    out, html = report
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(FIGURES.values())
    for name in FIGURES.values():
        data = (out / "figures" / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"
        assert base64.b64encode(data).decode("ascii") in html  # the page needs no other file
    assert sorted(p.name for p in out.iterdir()) == ["figures", "report.html"]  # no temporary files left


def test_user_strings_are_escaped(report: tuple[Path, str]) -> None:
    _, html = report
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<title>Virtual trial &lt;script&gt;x&lt;/script&gt;</title>" in html


def test_missing_tables_are_marked_not_computed(inputs: dict[str, Any], tmp_path: Path) -> None:
    path = write_report(tmp_path, **{**inputs, "power": None, "mechanistic": None, "counterfactual": None,
                                     "sensitivity": None})
    html = path.read_text(encoding="utf-8")
    assert html.count("Not computed for this run.") == 4
    assert not (tmp_path / "figures" / FIGURES["power"]).exists()


def failing_write_bytes(original, fail_on: str):
    """A Path.write_bytes that writes half the data, then raises, for files whose name ends with ``fail_on``."""

    def write_bytes(self: Path, data: bytes) -> int:
        if not self.name.endswith(fail_on):
            return original(self, data)
        original(self, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    return write_bytes


@pytest.mark.parametrize("fail_on", [".png", ".html"])
def test_a_failed_write_leaves_no_partial_file(inputs: dict[str, Any], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, fail_on: str) -> None:
    previous = write_report(tmp_path, **inputs).read_bytes()
    monkeypatch.setattr(Path, "write_bytes", failing_write_bytes(Path.write_bytes, fail_on))
    with pytest.raises(OSError, match="No space left"):
        write_report(tmp_path, **{**inputs, "title": "second run"})
    assert (tmp_path / "report.html").read_bytes() == previous  # the old report is intact
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".")]
    assert leftovers == []
    for name in FIGURES.values():
        assert (tmp_path / "figures" / name).read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(("change", "message"), [
    ({"assumptions": [{"name": "k", "value": 1, "unit": "1/h"}]}, r"Assumption 0 \('k'\) lacks a source"),
    ({"flow": pd.DataFrame({"stage": ["assessed"], "arm": [""], "n": [3]})}, "lacks the stage.*randomised"),
    ({"primary": pd.DataFrame({"estimate": [1.0]})}, r"primary analysis table lacks the column\(s\) contrast"),
    ({"responders": [1, 2]}, "responder table must be a pandas DataFrame or None, not list"),
])
def test_bad_input_names_the_problem(inputs: dict[str, Any], tmp_path: Path, change: dict[str, Any],
                                     message: str) -> None:
    with pytest.raises(InputError, match=message):
        write_report(tmp_path, **{**inputs, **change})
    assert list(tmp_path.iterdir()) == []  # nothing was written
