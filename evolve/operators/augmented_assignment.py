"""Swap an augmented assignment for another of its family, or for a plain `=`."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result, retoken, symbol_table
from evolve.operators.context import Context
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


class AugmentedAssignment(Operator):
    name = "augmented-assignment"
    node_types = (cst.AugAssign,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.AugAssign) or type(node.operator) not in _TABLE:
            return []
        return [*_TABLE[type(node.operator)][1], _PLAIN]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
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
        ]
