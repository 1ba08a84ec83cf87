"""Rewrite a model's expressions so that the compiled kernels do less work per call.

Two exact rewrites (the same function, evaluated in another order):

- :func:`hoist_constants`: a term such as ``log(2) / cortisol_half_life * cortisol`` pays a division
  at every right-hand-side call although ``log(2) / cortisol_half_life`` changes only between
  patients. Every maximal parameter-only subexpression (and the parameter-only factors of a product
  or terms of a sum) becomes a new symbol, a "derived constant" that the fast engine computes once
  per patient: loop-invariant code motion across calls, which the compiler cannot do by itself.
- :func:`powers_through_logarithms`: ``x**a`` with a non-numeric exponent costs a logarithm and an
  exponential. Written as ``exp(a * ln(x))`` with the parameter factors of ``x`` split off the
  logarithm, powers of the same state (and the logarithm of it) share one ``ln`` after common
  subexpression elimination, and the split-off parts are hoisted as constants.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp


class ln(sp.Function):
    """The natural logarithm, kept unevaluated so that sympy does not fold ``exp(a * ln(x))`` back into
    ``x**a``; the kernels print it as ``math.log``."""


def powers_through_logarithms(expr: sp.Expr, parameters: set[sp.Symbol]) -> sp.Expr:
    """``expr`` with every power of non-numeric exponent written as ``exp(exponent * ln(base))`` and
    every logarithm of a product split into the logarithm of its parameter-only factors plus that of
    the rest. Valid for the positive quantities (concentrations, fractions, rates) the model raises to
    powers; a negative base gives NaN either way."""

    def split_log(argument: sp.Expr) -> sp.Expr:
        factors = sp.Mul.make_args(argument)
        fixed = [f for f in factors if f.free_symbols <= parameters]
        rest = [f for f in factors if not f.free_symbols <= parameters]
        if not fixed or not rest:
            return ln(argument)
        return ln(sp.Mul(*fixed)) + ln(sp.Mul(*rest))

    expr = expr.replace(lambda e: e.is_Pow and not e.exp.is_Number, lambda e: sp.exp(e.exp * split_log(e.base)))
    return expr.replace(lambda e: isinstance(e, sp.log), lambda e: split_log(e.args[0]))


def hoist_constants(
    expression_lists: Sequence[Sequence[sp.Expr]], parameters: set[sp.Symbol], prefix: str = "_c"
) -> tuple[list[list[sp.Expr]], list[tuple[sp.Symbol, sp.Expr]]]:
    """Rewrite each list of expressions over derived constants; return the rewritten lists and the
    constants as ``(symbol, expression over parameters)`` pairs, in order of definition.

    Constants are shared between the lists (the right-hand side, its time derivative and the
    Jacobian reuse the same rates), and a parameter or number on its own is never wrapped.
    """
    constants: dict[sp.Expr, sp.Symbol] = {}

    def is_constant(expr: sp.Expr) -> bool:
        return expr.free_symbols <= parameters

    def name(expr: sp.Expr) -> sp.Expr:
        if expr.is_Atom or (expr.is_Mul and len(expr.args) == 2 and expr.args[0] == -1 and expr.args[1].is_Atom):
            return expr  # a parameter, a number or a negated parameter: nothing to save
        if expr not in constants:
            constants[expr] = sp.Symbol(f"{prefix}{len(constants)}")
        return constants[expr]

    def rewrite(expr: sp.Expr) -> sp.Expr:
        if is_constant(expr):
            return name(expr)
        if expr.is_Atom:
            return expr  # a state, an input or time
        if expr.is_Add or expr.is_Mul:
            fixed = [a for a in expr.args if is_constant(a)]
            varying = [rewrite(a) for a in expr.args if not is_constant(a)]
            if fixed:
                varying.append(name(expr.func(*fixed)))
            return expr.func(*varying)
        return expr.func(*(rewrite(a) for a in expr.args))

    rewritten = [[rewrite(e) for e in expressions] for expressions in expression_lists]
    return rewritten, [(symbol, expr) for expr, symbol in constants.items()]
