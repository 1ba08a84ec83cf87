"""The claims registry is complete and in sync with the code and the test suite."""

import runpy
from pathlib import Path

from oxysim.evidence.claims import claim_records, claim_tests, framework_claims

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "claim_markers.py"


def test_every_framework_claim_is_implemented_and_tested_or_out_of_scope_with_a_reason():
    records = claim_records()
    assert len(records) == len(framework_claims()) == 51
    for record in records:
        if record["status"] == "out of scope":
            assert record["reason"], record["id"]
            assert not record["processes"], f"{record['id']} is out of scope but implemented"
        else:
            assert record["processes"], f"{record['id']} has no implementing process"
            assert record["tests"], f"{record['id']} has no test"


def test_registry_matches_the_claim_markers_in_the_tests():
    collected = runpy.run_path(str(SCRIPT))["collect"]()
    assert claim_tests() == collected, "run 'python scripts/claim_markers.py' to update claim_tests.yaml"

