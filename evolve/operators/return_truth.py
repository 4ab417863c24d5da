"""Return a value's truth instead of the value: `return x` -> `return not x` / `bool(x)`.

The wrong-return bug of predicates: a function that should answer True or False returns the
object it tested (`return a and b` hands back `b`, not True), or the opposite of its truth.
negate-condition already negates returned comparisons and predicates; this takes the other
values a predicate might return: names, attributes, subscripts, calls, `and`/`or`. Literals
are left to replace-return. The value stays whole, so an edit made to it first carries on.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import call, negated, spaced
from evolve.operators.negate_condition import is_boolean
from evolve.program.patch import Payload

NOT, BOOL = "not", "bool"
_VALUES = (cst.Name, cst.Attribute, cst.Subscript, cst.Call, cst.BooleanOperation)
_CONSTANTS = frozenset({"True", "False", "None"})


def _calls_bool(value: cst.BaseExpression) -> bool:
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == BOOL
    )


def _choices(value: cst.BaseExpression | None) -> list[Payload]:
    if not isinstance(value, _VALUES):
        return []
    if isinstance(value, cst.Name) and value.value in _CONSTANTS:
        return []
    if _calls_bool(value):
        return [NOT]
    found: list[Payload] = [] if is_boolean(value) else [NOT]
    # `bool(a < b)` is `a < b` already; `a and b` may be neither True nor False.
    return found if isinstance(value, cst.Call) and is_boolean(value) else [*found, BOOL]


class ReturnTruth(Operator):
    """Payload "not" or "bool"."""

    name = "return-truth"
    node_types = (cst.Return,)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        return _choices(node.value) if isinstance(node, cst.Return) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Return) or node.value is None:
            return None
        value = node.value
        if payload == NOT:
            if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not):
                return None  # negating twice is negate-condition's undoing, not a new edit
            new: cst.BaseExpression = negated(value)
        elif payload == BOOL:
            if _calls_bool(value):
                return None
            new = call(BOOL, value.with_changes(lpar=[], rpar=[]))
        else:
            return None
        after = node.whitespace_after_return
        if isinstance(after, cst.SimpleWhitespace):
            after = spaced(after)
        return node.with_changes(value=new, whitespace_after_return=after)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        if not isinstance(node, cst.Return) or node.value is None or payload not in (NOT, BOOL):
            return super().describe(node, payload, context)
        code = context.seed.code(node.value)
        return (
            f"return {code} -> return {payload} {code}"
            if payload == NOT
            else (f"return {code} -> return bool({code})")
        )

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def both(a, b):\n    return a and b\n",
                "def both(a, b):\n    return bool(a and b)\n",
            ),
            (
                "def empty(xs):\n    return xs\n",
                "def empty(xs):\n    return not xs\n",
            ),
        ]
