"""Swap an augmented assignment for another of its family, or for a plain `=`; and turn a
plain `total = x` into `total += x` where the function accumulates into `total` elsewhere,
or starts it empty and overwrites it in a loop.

The last is the lost accumulation: one branch adds to the total and another overwrites it
(`total += inner(item)` beside `total = item * depth`), or the only update of a sum started
at `total = 0` keeps the last term (`total = num * units[ch]` in the loop over a duration's
characters, which never reads `total`). Only names the function already augments, or starts
at `0`, `""` or `[]` and assigns in a loop that never reads them, get it, so an ordinary
assignment, or a state carried from pass to pass (`carry = total // 10`), is never offered an
operator it does not need.
"""

from __future__ import annotations

from typing import cast

import libcst as cst

from evolve.operators.base import Operator, Result, retoken, symbol_table
from evolve.operators.context import Context
from evolve.operators.operands import names_in
from evolve.program.patch import Payload

_SYMBOLS: dict[str, type[cst.CSTNode]] = {
    "+=": cst.AddAssign,
    "-=": cst.SubtractAssign,
    "*=": cst.MultiplyAssign,
    "/=": cst.DivideAssign,
    "//=": cst.FloorDivideAssign,
    "%=": cst.ModuloAssign,
    "**=": cst.PowerAssign,
    "&=": cst.BitAndAssign,
    "|=": cst.BitOrAssign,
    "^=": cst.BitXorAssign,
    "<<=": cst.LeftShiftAssign,
    ">>=": cst.RightShiftAssign,
}
_TABLE = symbol_table(
    _SYMBOLS,
    (("+=", "-=", "*=", "/=", "//=", "%=", "**="), ("&=", "|=", "^="), ("<<=", ">>=")),
)
# `total = x` where `total += x` was meant, and the reverse of it, are one bug.
_PLAIN = "="


def _simple(whitespace: object) -> cst.SimpleWhitespace:
    """The augmented operator's whitespace, kept for `=` when `=` can hold it."""
    return whitespace if isinstance(whitespace, cst.SimpleWhitespace) else cst.SimpleWhitespace(" ")


def _accumulation(node: cst.CSTNode, context: Context) -> str | None:
    """The augmented operator `node`, a plain assignment, may have lost, if any."""
    if not isinstance(node, cst.Assign) or len(node.targets) != 1:
        return None
    target = node.targets[0].target
    if not isinstance(target, cst.Name):
        return None
    ingredients = context.scope.ingredients
    operator = ingredients.accumulated.get(target.value)
    computed = not isinstance(node.value, cst.Name | cst.Attribute)
    overwritten = target.value in ingredients.overwritten
    if operator is None and computed and context.in_loop and overwritten:
        # Started empty before, overwritten in a loop that never reads it by a computed
        # value: a sum that keeps only its last term. A copy (`start = found`, `best = x`) is
        # a position or a state moving on, not a term.
        operator = cst.AddAssign
    if operator is None or operator not in _TABLE:
        return None
    # The start (`total = 0`) and a recomputation from itself are not lost accumulations.
    if isinstance(node.value, cst.Integer | cst.Float | cst.SimpleString | cst.List):
        return None
    if target.value in names_in(node.value):
        return None
    return _TABLE[operator][0]


class AugmentedAssignment(Operator):
    name = "augmented-assignment"
    node_types = (cst.AugAssign, cst.Assign)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if isinstance(node, cst.Assign):
            symbol = _accumulation(node, context)
            return [] if symbol is None else [symbol]
        if not isinstance(node, cst.AugAssign) or type(node.operator) not in _TABLE:
            return []
        return [*_TABLE[type(node.operator)][1], _PLAIN]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if isinstance(node, cst.Assign):
            symbol = _accumulation(node, context)
            if symbol is None or payload != symbol:
                return None
            target = node.targets[0]
            operator = cast(cst.BaseAugOp, _SYMBOLS[symbol]()).with_changes(
                whitespace_before=_simple(target.whitespace_before_equal),
                whitespace_after=_simple(target.whitespace_after_equal),
            )
            return cst.AugAssign(
                target=target.target, operator=operator, value=node.value, semicolon=node.semicolon
            )
        if not isinstance(node, cst.AugAssign) or type(node.operator) not in _TABLE:
            return None
        if payload == _PLAIN:
            return cst.Assign(
                targets=[
                    cst.AssignTarget(
                        node.target,
                        _simple(getattr(node.operator, "whitespace_before", None)),
                        _simple(getattr(node.operator, "whitespace_after", None)),
                    )
                ],
                value=node.value,
                semicolon=node.semicolon,
            )
        if not isinstance(payload, str) or payload not in _TABLE[type(node.operator)][1]:
            return None
        return node.with_changes(operator=retoken(node.operator, _SYMBOLS[payload]))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        if isinstance(node, cst.Assign):
            return f"= -> {payload}"
        assert isinstance(node, cst.AugAssign)
        return f"{_TABLE[type(node.operator)][0]} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def total(xs):\n    t = 0\n    for x in xs:\n        t -= x\n    return t\n",
                "def total(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n",
            ),
            (
                "def last(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n",
                "def last(xs):\n    t = 0\n    for x in xs:\n        t = x\n    return t\n",
            ),
            ("def f(m):\n    m |= 4\n    return m\n", "def f(m):\n    m ^= 4\n    return m\n"),
            (
                "def seconds(parts):\n    total = 0\n    for n, unit in parts:\n"
                "        total = n * unit\n    return total\n",
                "def seconds(parts):\n    total = 0\n    for n, unit in parts:\n"
                "        total += n * unit\n    return total\n",
            ),
            (
                "def weigh(items, depth):\n    total = 0\n    for item in items:\n"
                "        if isinstance(item, list):\n"
                "            total += weigh(item, depth + 1)\n        else:\n"
                "            total = item * depth\n    return total\n",
                "def weigh(items, depth):\n    total = 0\n    for item in items:\n"
                "        if isinstance(item, list):\n"
                "            total += weigh(item, depth + 1)\n        else:\n"
                "            total += item * depth\n    return total\n",
            ),
        ]
