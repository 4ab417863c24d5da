"""Nudge an integer literal: n -> n+1, n-1, 0, 1. Off-by-one bugs live here."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

_PREFIXES = {"0x": "x", "0o": "o", "0b": "b"}


def _value(node: cst.Integer) -> int | None:
    # Not `evaluated_value`: that runs ast.literal_eval, a compile per literal.
    try:
        return int(node.value.replace("_", ""), 0)
    except ValueError:
        return None


def _literal(value: int, like: str) -> str:
    """`value` written in the base `like` was written in, so 0xFF becomes 0x100, not 256."""
    prefix = like[:2].lower()
    if prefix in _PREFIXES:
        return like[:2] + format(value, _PREFIXES[prefix])
    return str(value)


class IntegerConstant(Operator):
    name = "integer-constant"
    node_types = (cst.Integer,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Integer) or (value := _value(node)) is None:
            return []
        return [n for n in dict.fromkeys((value + 1, value - 1, 0, 1)) if n != value]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Integer) or (value := _value(node)) is None:
            return None
        if not isinstance(payload, int) or isinstance(payload, bool) or payload == value:
            return None
        if payload >= 0:
            return node.with_changes(value=_literal(payload, node.value))
        # A literal cannot be negative; `x[0]` -> `x[-1]` is a unary minus on 1.
        return cst.UnaryOperation(
            operator=cst.Minus(),
            expression=cst.Integer(_literal(-payload, node.value)),
            lpar=node.lpar,
            rpar=node.rpar,
        )

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.Integer)
        return f"{node.value} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def last(xs):\n    return xs[len(xs) - 2]\n",
                "def last(xs):\n    return xs[len(xs) - 1]\n",
            ),
            ("def first(xs):\n    return xs[1]\n", "def first(xs):\n    return xs[0]\n"),
            ("def last(xs):\n    return xs[0]\n", "def last(xs):\n    return xs[-1]\n"),
            ("def low(x):\n    return x & 0xFF\n", "def low(x):\n    return x & 0x100\n"),
        ]
