"""The kernel rewrites are exact: the rewritten expressions, with their derived constants, evaluate
to the original ones, and the parameter-only work leaves the per-call expressions."""

import math

import sympy as sp

from oxysim.engine.rewrite import hoist_constants, ln, powers_through_logarithms

x, y = sp.symbols("x y")  # states
k, half_life, hill, ec50 = sp.symbols("k half_life hill ec50")  # parameters
PARAMETERS = {k, half_life, hill, ec50}
VALUES = {x: 0.7, y: 2.3, k: 1.9, half_life: 33.0, hill: 3.6, ec50: 0.02}


def _value(expr: sp.Expr, constants: list[tuple[sp.Symbol, sp.Expr]]) -> float:
    values = dict(VALUES)
    values.update({symbol: float(definition.subs(VALUES)) for symbol, definition in constants})
    return float(expr.subs(values))


def test_hoisted_expressions_keep_their_value_and_lose_their_parameter_only_parts() -> None:
    rates = [sp.log(2) / half_life * x, -k * x * y / (y + ec50) + 3 * k / half_life, x * sp.exp(-k / half_life)]
    jacobian = [sp.diff(rates[0], x), sp.diff(rates[1], y)]
    (new_rates, new_jacobian), constants = hoist_constants([rates, jacobian], PARAMETERS)
    for before, after in zip(rates + jacobian, new_rates + new_jacobian, strict=True):
        assert math.isclose(_value(after, constants), float(before.subs(VALUES)), rel_tol=1e-13)
        # no division by a parameter and no function of parameters alone is left in the per-call code
        for node in sp.preorder_traversal(after):
            assert not (node.free_symbols and node.free_symbols <= PARAMETERS and not node.is_Atom), node
    assert all(definition.free_symbols <= PARAMETERS for _, definition in constants)
    # log(2) / half_life is computed once and shared by the rate and its Jacobian entry
    assert sum(1 for _, d in constants if d.has(half_life) and d.has(sp.log(2))) == 1


def test_powers_share_one_logarithm_of_the_state() -> None:
    exprs = [(x / ec50) ** (-hill * y), (x / ec50) ** (-k), sp.log(k * x)]
    rewritten = [powers_through_logarithms(e, PARAMETERS) for e in exprs]
    for before, after in zip(exprs, rewritten, strict=True):
        assert math.isclose(float(after.subs(VALUES)), float(before.subs(VALUES)), rel_tol=1e-13)
    logs_of_states = {node for e in rewritten for node in sp.preorder_traversal(e)
                      if isinstance(node, ln) and not node.free_symbols <= PARAMETERS}
    assert logs_of_states == {ln(x)}  # one logarithm for all three, after common subexpressions
    assert not any(isinstance(node, sp.Pow) and not node.exp.is_Number
                   for e in rewritten for node in sp.preorder_traversal(e))
