"""Units with pint: parameters are converted to model units and every expression is checked.

The model's time unit is the hour. A parameter declared in its source's units (a half-life in
minutes, a turnover rate per day) is converted once, at build time, to the same unit with every
time factor replaced by hours. Then each rate law is evaluated twice, once on pint quantities and
once on bare numbers; both must give the declared unit *and* the same number, so that a sum of terms
in different (compatible) units, which pint would silently convert, is caught too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import lru_cache

import numpy as np
import pint

from oxysim.errors import ModelUnitError

MODEL_TIME_UNIT = "hour"

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.formatter.default_format = "~P"


@lru_cache(maxsize=None)
def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit string, raising a message that names the offending text."""
    try:
        return ureg.Unit(unit)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError, TypeError) as exc:
        raise ModelUnitError(f"Unknown unit {unit!r}: {exc}") from exc


@lru_cache(maxsize=None)
def model_unit(unit: str) -> pint.Unit:
    """The unit a quantity declared in ``unit`` takes inside the model: time factors become hours."""
    parsed = parse_unit(unit)
    result = ureg.dimensionless
    for name, power in parsed._units.items():
        factor = ureg.Unit(name)
        if factor.dimensionality == ureg.hour.dimensionality:
            factor = ureg.hour
        result = result * factor**power
    return result


def to_model_units(value: float | np.ndarray, unit: str) -> float | np.ndarray:
    """Convert ``value`` (a number or an array) in ``unit`` to the model unit of ``unit``."""
    magnitude = ureg.Quantity(np.asarray(value, dtype=float), parse_unit(unit)).to(model_unit(unit)).magnitude
    return float(magnitude) if np.ndim(magnitude) == 0 else np.asarray(magnitude)


QUANTITY_FUNCTIONS: dict[str, Callable] = {
    "exp": np.exp, "log": np.log, "cos": np.cos, "sin": np.sin, "tanh": np.tanh, "sqrt": np.sqrt,
}
"""numpy functions for sympy.lambdify that accept pint quantities (the unit check evaluates on them)."""


def unit_factor(
    what: str,
    function: Callable[..., object],
    argument_units: list[pint.Unit],
    points: list[list[float]],
    expected_unit: pint.Unit,
) -> float:
    """The constant that converts the bare-number value of an expression to ``expected_unit``.

    ``function`` is a lambdified expression of arguments with model units ``argument_units``. It is
    evaluated on pint quantities and on bare numbers at each of ``points``. The result must be
    dimensionally ``expected_unit``, and the ratio of the two evaluations must be the same at every
    point (a sum of terms in different units gives different ratios and is refused). A ratio of 1
    means the declared units are already consistent; any other constant (1000 for ug/L -> pg/mL) is
    folded into the compiled expression.
    """
    ratios = []
    for values in points:
        quantities = [ureg.Quantity(v, u) for v, u in zip(values, argument_units, strict=True)]
        try:
            with np.errstate(all="ignore"):
                as_quantity = function(*quantities)
                as_number = float(np.asarray(function(*values)))
        except pint.errors.DimensionalityError as exc:
            raise ModelUnitError(f"{what}: inconsistent units inside the expression ({exc}).") from exc
        if not isinstance(as_quantity, pint.Quantity):
            as_quantity = ureg.Quantity(as_quantity, ureg.dimensionless)
        try:
            converted = float(np.asarray(as_quantity.to(expected_unit).magnitude))
        except pint.errors.DimensionalityError as exc:
            raise ModelUnitError(
                f"{what}: the expression has unit {as_quantity.units:~P} but {expected_unit:~P} is "
                f"declared; fix the declared unit or the units of the parameters it uses."
            ) from exc
        if as_number == 0.0 and converted == 0.0:
            continue
        ratios.append(converted / as_number)
    if not ratios:
        return 1.0
    if any(not math.isclose(r, ratios[0], rel_tol=1e-9) for r in ratios):
        raise ModelUnitError(
            f"{what}: the expression adds terms in different units; declare its parameters so that "
            f"every term has the same unit."
        )
    return 1.0 if math.isclose(ratios[0], 1.0, rel_tol=1e-12) else ratios[0]


def units_of(names: list[str], units: Mapping[str, str]) -> list[pint.Unit]:
    """Model units for a list of symbol names."""
    return [model_unit(units[n]) for n in names]
