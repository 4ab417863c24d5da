"""Swap the operands of an operator whose order matters: `a - b` -> `b - a`.

The reversed-operands bug: subtraction, division, modulo, powers and shifts the wrong way
round, a string or list joined on the wrong side (`s + prefix` -> `prefix + s`), a membership
test inside out (`s in sub` -> `sub in s`), and `and`/`or` whose left side should guard the
right (`xs[i] > 0 and i < n` -> `i < n and xs[i] > 0`). Ordering comparisons are left out:
swapping `a < b` is comparison's `a > b`.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import binary
from evolve.operators.ingredients import SEQ, STR
from evolve.program.patch import Payload

SWAP = "swap"
_ORDERED = (
    cst.Subtract,
    cst.Divide,
    cst.FloorDivide,
    cst.Modulo,
    cst.Power,
    cst.LeftShift,
    cst.RightShift,
    cst.MatrixMultiply,
)


def _fits(node: cst.CSTNode, context: Context) -> bool:
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, _ORDERED):
            return not node.left.deep_equals(node.right)
        if isinstance(node.operator, cst.Add):
            # Numbers add either way round; strings and lists do not.
            kind = context.scope.ingredients.kind
            return bool({kind(node.left), kind(node.right)} & {SEQ, STR})
        return False
    if isinstance(node, cst.Comparison):
        return len(node.comparisons) == 1 and isinstance(
            node.comparisons[0].operator, cst.In | cst.NotIn
        )
    return isinstance(node, cst.BooleanOperation)


class SwapOperands(Operator):
    """Payload "swap"."""

    name = "swap-operands"
    node_types = (cst.BinaryOperation, cst.Comparison, cst.BooleanOperation)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        return [SWAP] if _fits(node, context) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if payload != SWAP:
            return None
        if isinstance(node, cst.BinaryOperation):
            if not isinstance(node.operator, (*_ORDERED, cst.Add)):
                return None
            # Stripped, then parenthesised again only where the new places need it.
            left = node.right.with_changes(lpar=[], rpar=[]) if _bare(node.right) else node.right
            right = node.left.with_changes(lpar=[], rpar=[]) if _bare(node.left) else node.left
            swapped = binary(left, node.operator, right)
            return swapped.with_changes(lpar=node.lpar, rpar=node.rpar)
        if isinstance(node, cst.Comparison):
            if len(node.comparisons) != 1:
                return None
            target = node.comparisons[0]
            return node.with_changes(
                left=target.comparator, comparisons=[target.with_changes(comparator=node.left)]
            )
        if isinstance(node, cst.BooleanOperation):
            # `and` and `or` are associative, and each binds tighter than its looser kin, so
            # the operands fit in each other's places as written.
            return node.with_changes(left=node.right, right=node.left)
        return None

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        after = self.apply(node, payload, context)
        if after is None or not isinstance(after, cst.CSTNode):
            return super().describe(node, payload, context)
        return f"{context.seed.code(node)} -> {context.seed.code(after)}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            ("def gap(a, b):\n    return a - b\n", "def gap(a, b):\n    return b - a\n"),
            (
                "def label(name):\n    return name + 'Dr. '\n",
                "def label(name):\n    return 'Dr. ' + name\n",
            ),
            (
                "def inside(word, text):\n    return text in word\n",
                "def inside(word, text):\n    return word in text\n",
            ),
            (
                "def positive(xs, i):\n    return xs[i] > 0 and i < len(xs)\n",
                "def positive(xs, i):\n    return i < len(xs) and xs[i] > 0\n",
            ),
            (
                "def f(a, b, c):\n    return a - (b - c)\n",
                "def f(a, b, c):\n    return b - c - a\n",
            ),
        ]


_STRIPPABLE = (
    cst.Name,
    cst.Attribute,
    cst.Subscript,
    cst.Call,
    cst.Integer,
    cst.Float,
    cst.SimpleString,
    cst.BinaryOperation,
    cst.UnaryOperation,
)


def _bare(node: cst.BaseExpression) -> bool:
    """Whether `node`'s own parentheses may go: they were there for its old place, and
    `binary` puts them back where the new place needs them. A generator expression's
    parentheses are its own."""
    return bool(node.lpar) and isinstance(node, _STRIPPABLE)
