"""Drop a constant offset: `n - 1` -> `n`, `len(xs) + 2` -> `len(xs)`.

The extra-offset bug, the mirror of extend-expression's `+ 1` and `- 1`: a bound or a count
adjusted where it should not be (`min(hi, n - 1)` where `n` was meant). integer-constant can
only make it `n - 0`, a neutralised operand the anti-pattern check rightly distrusts, and
off-by-one folds offsets only where it nudges (indices, slices, comparisons); this removes
the offset wherever a value is computed.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import has_parens
from evolve.operators.operands import NUDGED, is_operand
from evolve.program.patch import Payload

_LEFT = "left"


def _offered(node: cst.CSTNode, context: Context) -> bool:
    if not isinstance(node, cst.BinaryOperation) or not is_operand(node, context):
        return False
    if (context.parent, context.slot) in NUDGED:
        return False  # off-by-one folds the offset there already
    right = node.right
    return (
        isinstance(node.operator, cst.Add | cst.Subtract)
        and isinstance(right, cst.Integer)
        and not has_parens(right)
    )


class DropOffset(Operator):
    """Payload "left": the operation gives way to its left operand."""

    name = "drop-offset"
    node_types = (cst.BinaryOperation,)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        return [_LEFT] if _offered(node, context) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if payload != _LEFT or not _offered(node, context):
            return None
        assert isinstance(node, cst.BinaryOperation)
        left = node.left
        # `(n - 1) * k` keeps its parentheses round what is left: `(n) * k`.
        if has_parens(node) and not has_parens(left):
            return left.with_changes(lpar=node.lpar, rpar=node.rpar)
        return left

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.BinaryOperation)
        return f"{context.seed.code(node)} -> {context.seed.code(node.left)}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def clamp(hi, n):\n    return min(hi, n - 1)\n",
                "def clamp(hi, n):\n    return min(hi, n)\n",
            ),
            (
                "def pages(total, size):\n    count = total // size + 1\n    return count\n",
                "def pages(total, size):\n    count = total // size\n    return count\n",
            ),
        ]
