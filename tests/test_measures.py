"""Trajectory measures of the validation experiments against closed forms between output times."""

import numpy as np
import pytest
import xarray as xr

from oxysim.validation.measures import peak_time_min, recovery_min


def trace(values: np.ndarray, times: np.ndarray) -> xr.Dataset:
    return xr.Dataset({"x": (("patient", "time"), values[None, :])}, coords={"patient": [0], "time": times})


def test_the_peak_time_falls_between_output_times():
    times = np.arange(0.0, 3.0 + 1e-9, 1 / 60)  # one-minute grid, hours
    true_peak_h = 0.4123
    ds = trace(np.exp(-((times - true_peak_h) / 0.3) ** 2), times)  # locally quadratic around its peak
    assert peak_time_min(ds, "x", 0.0, 3.0)[0] == pytest.approx(true_peak_h * 60, abs=0.01)


def test_recovery_is_the_interpolated_crossing_of_an_exponential_decay():
    times = np.arange(0.0, 6.0 + 1e-9, 1 / 60)
    rate = 1.3  # 1/h; rise at t = 0.5 h, then exponential decay of the excess
    values = 10.0 + np.where(times < 0.5, times / 0.5, np.exp(-rate * (times - 0.5)))
    ds = trace(values, times)
    expected_h = 0.5 + np.log(10.0) / rate  # excess below 10 % of the rise
    minutes = recovery_min(ds, "x", 0.0, 0.25, 6.0)[0]
    assert minutes == pytest.approx((expected_h - 0.25) * 60, abs=0.05)
