"""Sharded runs: equal to one large run patient for patient, atomic, resumable, and refuse mixing."""

import numpy as np
import pytest

from oxysim.errors import InputError
from oxysim.shards import MANIFEST, load_shards, shard_name, simulate_sharded
from oxysim.simulation import simulate

RUN = dict(subtype="GAD", regimen="oxytocin 24 IU in q24h x 2 @08:00", days=1.5, n_patients=5, seed=11,
           shard_size=2, output_interval_min=60.0, variables=["ham_a", "cortisol_nmol"])


def test_shards_equal_a_single_run_patient_for_patient(tmp_path):
    paths = simulate_sharded(tmp_path, **RUN)
    assert [p.name for p in paths] == [shard_name(i) for i in range(3)]
    table = load_shards(tmp_path)
    whole = simulate("GAD", RUN["regimen"], RUN["days"], n_patients=5, seed=11, output_interval_min=60.0)
    for variable in RUN["variables"]:
        wide = table[table.variable == variable].pivot(index="patient", columns="time_h", values="value")
        np.testing.assert_allclose(wide.values, whole[variable].values, rtol=1e-5)
    assert sorted(table.patient.unique()) == [0, 1, 2, 3, 4]


def test_resume_recomputes_only_missing_shards(tmp_path):
    simulate_sharded(tmp_path, **RUN)
    kept = (tmp_path / shard_name(0)).stat().st_mtime_ns
    (tmp_path / shard_name(1)).unlink()
    (tmp_path / ".shard-00001.abc.tmp.parquet").write_bytes(b"half-written")  # a killed writer's leftover
    calls = []
    simulate_sharded(tmp_path, **RUN, resume=True, progress=lambda done, total: calls.append((done, total)))
    assert (tmp_path / shard_name(1)).exists()
    assert (tmp_path / shard_name(0)).stat().st_mtime_ns == kept
    assert calls[-1] == (3, 3)
    assert len(load_shards(tmp_path)) == 5 * 2 * 37  # patients x variables x hourly outputs over 36 h


def test_an_existing_run_is_not_overwritten_or_mixed(tmp_path):
    simulate_sharded(tmp_path, **RUN)
    with pytest.raises(InputError, match="resume"):
        simulate_sharded(tmp_path, **RUN)
    with pytest.raises(InputError, match="seed"):
        simulate_sharded(tmp_path, **{**RUN, "seed": 12}, resume=True)
    assert (tmp_path / MANIFEST).exists()
