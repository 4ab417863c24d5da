"""Drop a call around a value: `sorted(xs)` -> `xs`, `int(x)` -> `x`, `max(a, b)` -> `a`.

The extra-call bug, the mirror of wrap-call: a conversion, a sort or a clamp that should
not be there, or `range(len(n))` where `n` already is the count. Offered for the builtins
that take one value and give back something like it, for `min`/`max` of two values, and for
a method called on a value with no arguments (`s.strip()` -> `s`).
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import replacing
from evolve.program.patch import Payload

_ONE_ARGUMENT = frozenset(
    {"abs", "int", "float", "str", "list", "tuple", "set", "sorted", "reversed", "len"}
    | {"bool", "round", "iter", "frozenset"}
)
_TWO_ARGUMENTS = frozenset({"max", "min"})
RECEIVER = "receiver"


def _positional(node: cst.Call) -> list[cst.BaseExpression] | None:
    """The call's arguments, or None if any is a keyword or starred one."""
    if any(arg.keyword is not None or arg.star for arg in node.args):
        return None
    return [arg.value for arg in node.args]


def _choices(node: cst.CSTNode) -> list[Payload]:
    if not isinstance(node, cst.Call) or (values := _positional(node)) is None:
        return []
    func = node.func
    if isinstance(func, cst.Name):
        if func.value in _ONE_ARGUMENT and len(values) == 1:
            return [0]
        if func.value in _TWO_ARGUMENTS and len(values) == 2:
            return [0, 1]
    elif isinstance(func, cst.Attribute) and not values:
        return [RECEIVER]
    return []


class UnwrapCall(Operator):
    """Payload: the index of the argument kept, or "receiver" for a method call's object."""

    name = "unwrap-call"
    node_types = (cst.Call,)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        # A call made for its effect (`xs.sort()` as a statement) is delete-statement's.
        if not context.is_value or (context.parent, context.slot) == (cst.Expr, "value"):
            return []
        return _choices(node)

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Call) or isinstance(payload, bool):
            return None
        if payload not in _choices(node):
            return None
        if payload == RECEIVER:
            assert isinstance(node.func, cst.Attribute)
            kept = node.func.value
        else:
            assert isinstance(payload, int)
            kept = node.args[payload].value
        return replacing(node, kept, (context.parent, context.slot))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        code = context.seed.code
        if (
            isinstance(node, cst.Call)
            and payload in _choices(node)
            and not isinstance(payload, bool)
        ):
            if payload == RECEIVER and isinstance(node.func, cst.Attribute):
                return f"{code(node)} -> {code(node.func.value)}"
            if isinstance(payload, int):
                return f"{code(node)} -> {code(node.args[payload].value)}"
        return super().describe(node, payload, context)

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def first(xs):\n    return sorted(xs)[0]\n",
                "def first(xs):\n    return xs[0]\n",
            ),
            (
                "def indices(n):\n    return list(range(len(n)))\n",
                "def indices(n):\n    return list(range(n))\n",
            ),
            (
                "def same(a, b):\n    return a.lower() == b\n",
                "def same(a, b):\n    return a == b\n",
            ),
        ]
