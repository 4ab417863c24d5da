"""Put an expression built from the function's own ingredients in place of a value.

The wrong-expression bug whose fix is already half written (the redundancy assumption of
GenProg; SimFix, CapGen and ARJA build fixes from such ingredients): `mid = (lo + hi) // 2`
where `lo + (hi - lo) // 2` was meant, `return count` where `len(xs) - count` was. Candidates,
most local first: the function's own sub-expressions of a fitting kind (nearest line first),
`len()` of its sequences, then combinations of two of its numbers (`a + b`, `a - b`,
`(a + b) // 2`, `a + (b - a) // 2`) and elements `xs[i]`. Bare names and literals are left to
replace-name and integer-constant.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import replacing
from evolve.operators.ingredients import ANY, NUM, SEQ
from evolve.operators.operands import is_operand, measurable
from evolve.program.patch import Payload

_PAIRED = 4  # numbers of the function combined in pairs, its own first
_SIZED = 3  # sequences and strings offered under len() or indexed
MAX_PAYLOADS = 40


def _halves(node: cst.CSTNode) -> bool:
    """Whether `node` divides by two somewhere (`(lo + hi) // 2`, `n >> 1`)."""
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.FloorDivide | cst.Divide | cst.RightShift):
            return True
        return _halves(node.left) or _halves(node.right)
    return False


class SynthesiseExpression(Operator):
    """Payload: the new expression's source text."""

    name = "synthesise-expression"
    node_types = (
        cst.Name,
        cst.Attribute,
        cst.Subscript,
        cst.Call,
        cst.BinaryOperation,
        cst.Integer,
    )
    keeps_children = False
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if isinstance(node, cst.Integer):
            fits = context.is_value and (context.parent, context.slot) != (cst.Expr, "value")
        else:
            fits = is_operand(node, context)
        ingredients = context.scope.ingredients
        if not fits or ingredients.kind(node) not in (NUM, ANY):
            return []
        line = context.line
        nearest = sorted(
            (e for e in ingredients.expressions if e.kind in (NUM, ANY)),
            key=lambda e: abs(e.line - line),
        )
        found = [e.code for e in nearest]
        sized = ingredients.sized[:_SIZED]
        measured = list(dict.fromkeys([*sized, *measurable(context)]))
        found += [f"len({s})" for s in measured] + [f"len({s}) - 1" for s in measured]
        numbers = ingredients.numbers[:_PAIRED]
        # Midpoints only in place of a halving: elsewhere `c + (j - c) // 2` passes a few
        # tests by accident far more often than it is meant.
        halves = _halves(node)
        for a in numbers:
            for b in numbers:
                if a < b:
                    found += [f"{a} + {b}"] + ([f"({a} + {b}) // 2"] if halves else [])
                if a != b:
                    found += [f"{a} - {b}"] + ([f"{a} + ({b} - {a}) // 2"] if halves else [])
        sequences = [s for s in sized if ingredients.kinds.get(s) == SEQ]
        found += [f"{s}[{i}]" for s in sequences for i in numbers[:_SIZED]]
        own = context.seed.code(node)
        # `(hours % 12)` is the ingredient `hours % 12` in its parentheses: the same code.
        parenthesised = isinstance(node, cst.BaseExpression) and bool(node.lpar)
        bare = context.seed.code(node.with_changes(lpar=[], rpar=[])) if parenthesised else own
        chosen: list[Payload] = [code for code in dict.fromkeys(found) if code not in (own, bare)]
        return chosen[:MAX_PAYLOADS]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, self.node_types) or not isinstance(payload, str):
            return None
        value = context.seed.expression(payload)
        if value is None or context.seed.code(node) == payload:
            return None
        return replacing(node, value, (context.parent, context.slot))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        return f"{context.seed.code(node)} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def mid(xs, lo, hi):\n    while lo < hi:\n        m = (lo + hi) // 2\n"
                "        if xs[m] < 0:\n            lo = m + 1\n        else:\n            hi = m\n"
                "    return lo\n",
                "def mid(xs, lo, hi):\n    while lo < hi:\n        m = lo + (hi - lo) // 2\n"
                "        if xs[m] < 0:\n            lo = m + 1\n        else:\n            hi = m\n"
                "    return lo\n",
            ),
            (
                "def size(xs):\n    n = 0\n    for x in xs:\n        n += x\n    return n\n",
                "def size(xs):\n    n = 0\n    for x in xs:\n        n += x\n    return len(xs)\n",
            ),
        ]
