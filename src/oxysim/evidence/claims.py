"""The claims registry: each FRAMEWORK.md claim, what implements it and which tests check it.

Implementing processes, assignments and hypotheses are read from the model declaration itself (their
``claims`` fields), so the registry cannot drift from the code. The tests that check each claim are
listed in ``claim_tests.yaml``, which tests/test_claims_registry.py keeps equal to the
``@pytest.mark.claim`` markers in the test suite.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from oxysim.model import build_model


@lru_cache(maxsize=1)
def framework_claims() -> tuple[dict[str, Any], ...]:
    """The review's claims as declared in framework.yaml."""
    text = resources.files("oxysim.evidence").joinpath("framework.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["claims"])


@lru_cache(maxsize=1)
def claim_tests() -> dict[str, list[str]]:
    """Test node ids per claim id, from claim_tests.yaml."""
    text = resources.files("oxysim.evidence").joinpath("claim_tests.yaml").read_text(encoding="utf-8")
    return {k: list(v) for k, v in (yaml.safe_load(text) or {}).items()}


def implementations() -> dict[str, list[str]]:
    """Names of the model elements that carry each claim id (processes, assignments, hypotheses)."""
    model = build_model()
    found: dict[str, list[str]] = {}
    for kind, items in (("process", model.processes), ("assignment", model.assignments), ("hypothesis", model.hypotheses)):
        for item in items:
            for claim in item.claims:
                found.setdefault(claim, []).append(f"{kind}:{item.name}")
    return found


def claim_records() -> list[dict[str, Any]]:
    """One record per claim: id, section, effect, cited, status, reason, processes, tests."""
    implemented = implementations()
    tests = claim_tests()
    records = []
    for claim in framework_claims():
        reason = claim.get("out_of_scope")
        records.append({
            "id": claim["id"],
            "section": claim["section"],
            "effect": claim["effect"],
            "cited": claim["cited"],
            "status": "out of scope" if reason else "implemented",
            "reason": reason,
            "processes": implemented.get(claim["id"], []),
            "tests": tests.get(claim["id"], []),
        })
    return records
