"""Swap an arithmetic or bitwise operator for another of its family: `a + b` -> `a - b`."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result, retoken, symbol_table
from evolve.operators.context import Context
from evolve.program.patch import Payload

_SYMBOLS: dict[str, type[cst.CSTNode]] = {
    "+": cst.Add,
    "-": cst.Subtract,
    "*": cst.Multiply,
    "/": cst.Divide,
    "//": cst.FloorDivide,
    "%": cst.Modulo,
    "**": cst.Power,
    "&": cst.BitAnd,
    "|": cst.BitOr,
    "^": cst.BitXor,
    "<<": cst.LeftShift,
    ">>": cst.RightShift,
}
# Swaps stay within a family: arithmetic for arithmetic, bits for bits. `@` has no family.
_TABLE = symbol_table(
    _SYMBOLS, (("+", "-", "*", "/", "//", "%", "**"), ("&", "|", "^"), ("<<", ">>"))
)


class BinaryOperator(Operator):
    name = "binary-operator"
    node_types = (cst.BinaryOperation,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.BinaryOperation) or type(node.operator) not in _TABLE:
            return []
        return list(_TABLE[type(node.operator)][1])

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.BinaryOperation) or type(node.operator) not in _TABLE:
            return None
        if not isinstance(payload, str) or payload not in _TABLE[type(node.operator)][1]:
            return None
        return node.with_changes(operator=retoken(node.operator, _SYMBOLS[payload]))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.BinaryOperation)
        return f"{_TABLE[type(node.operator)][0]} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def area(w, h):\n    return w + h  # wrong\n",
                "def area(w, h):\n    return w * h  # wrong\n",
            ),
            ("def f(a, b):\n    return (a-b) // 2\n", "def f(a, b):\n    return (a+b) // 2\n"),
            ("def f(a, b):\n    return (a-b) // 2\n", "def f(a, b):\n    return (a-b) / 2\n"),
            ("def mask(x):\n    return x & 0xFF\n", "def mask(x):\n    return x | 0xFF\n"),
            ("def half(x):\n    return x >> 1\n", "def half(x):\n    return x << 1\n"),
        ]
