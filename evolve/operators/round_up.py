"""Round a quotient up instead of down: `n // k` -> `(n + k - 1) // k` or `-(-n // k)`.

The page-count bug: how many groups of k hold n items is n / k rounded up, and floor
division rounds down, so the last, partly filled group goes missing. Neither fix is one
token away from the seed: `(n + k - 1) // k` is three edits of the others' making.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import replacing
from evolve.program.patch import Payload

ADD, NEGATE = "add", "negate"


_ATOMS = (cst.Name, cst.Integer, cst.Attribute, cst.Subscript, cst.Call)


def _parts(node: cst.CSTNode, context: Context) -> tuple[str, str, str] | None:
    """(numerator, divisor, divisor as an operand) of a floor division."""
    if not isinstance(node, cst.BinaryOperation) or not isinstance(node.operator, cst.FloorDivide):
        return None
    code = context.seed.code
    left = node.left.with_changes(lpar=[], rpar=[])
    right = node.right.with_changes(lpar=[], rpar=[])
    divisor = code(right)
    return code(left), divisor, divisor if isinstance(right, _ATOMS) else f"({divisor})"


def _text(parts: tuple[str, str, str], payload: Payload) -> str | None:
    numerator, divisor, operand = parts
    if payload == ADD:
        return f"({numerator} + {divisor} - 1) // {operand}"
    if payload == NEGATE:
        return f"-(-({numerator}) // {operand})"
    return None


class RoundUp(Operator):
    """Payload "add" (`(n + k - 1) // k`) or "negate" (`-(-n // k)`)."""

    name = "round-up"
    node_types = (cst.BinaryOperation,)
    keeps_children = False
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        return [ADD, NEGATE] if context.is_value and _parts(node, context) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parts = _parts(node, context)
        text = None if parts is None else _text(parts, payload)
        value = None if text is None else context.seed.expression(text)
        if value is None or not isinstance(node, cst.BinaryOperation):
            return None
        return replacing(node, value, (context.parent, context.slot))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parts = _parts(node, context)
        text = None if parts is None else _text(parts, payload)
        if text is None:
            return super().describe(node, payload, context)
        return f"{context.seed.code(node)} -> {text}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def boxes(items, size):\n    return items // size\n",
                "def boxes(items, size):\n    return (items + size - 1) // size\n",
            ),
            (
                "def boxes(items, size):\n    return items // size\n",
                "def boxes(items, size):\n    return -(-(items) // size)\n",
            ),
        ]
