"""Call a builtin on a value: `d` -> `abs(d)`, `xs` -> `sorted(xs)`, `n` -> `max(n, 0)`.

The missing-call bug: a value that needed converting, clamping, measuring or sorting first.
What is offered follows the value's kind (see `ingredients`): numbers get `abs`, `int`,
`max(e, 0)` and `min`/`max` with another number of the function; sequences get `len`,
`sorted`, `list`, `sum`, `max` and `min`; strings `len`, `int` and `sorted`. A value whose
kind is unknown gets the commonest of both. The value stays whole inside the call, so an edit
made to it first carries on.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import call
from evolve.operators.ingredients import ANY, NUM, SEQ, STR
from evolve.operators.operands import is_operand, names_in
from evolve.program.patch import Payload

_BY_KIND: dict[str, tuple[str, ...]] = {
    NUM: ("abs", "int"),
    SEQ: ("len", "sorted", "list", "sum", "max", "min", "set"),
    STR: ("len", "int", "sorted", "list"),
    ANY: ("len", "abs", "int", "sorted", "list", "str"),
}
_FUNCTIONS = frozenset(f for functions in _BY_KIND.values() for f in functions) | {"max", "min"}
# Only these take the object of a subscript: `sorted(xs)[0]`, `list(d)[0]`.
_BASE_WRAPPERS = frozenset({"sorted", "list"})
_BOUNDS = 3  # other numbers of the function offered as a clamp
MAX_PAYLOADS = 16


def _parse(payload: Payload) -> tuple[str, str | None] | None:
    if not isinstance(payload, tuple) or len(payload) not in (1, 2):
        return None
    function = payload[0]
    second = payload[1] if len(payload) == 2 else None
    if not isinstance(function, str) or function not in _FUNCTIONS:
        return None
    if len(payload) == 2 and not isinstance(second, str):
        return None
    return function, second if isinstance(second, str) else None


def _callee(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
        return node.func.value
    return None


class WrapCall(Operator):
    """Payload [function] for `function(value)`, [function, other] for `function(value,
    other)` (a clamp: `max(value, 0)`)."""

    name = "wrap-call"
    node_types = (cst.Name, cst.Attribute, cst.Subscript, cst.Call, cst.BinaryOperation)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not is_operand(node, context, bases=True):
            return []
        ingredients = context.scope.ingredients
        kind = ingredients.kind(node)
        if kind not in _BY_KIND:
            return []
        found: list[tuple[str, ...]] = [(f,) for f in _BY_KIND[kind]]
        if kind in (NUM, ANY):
            found.append(("max", "0"))
            own = names_in(node)
            for other in [n for n in ingredients.numbers if n not in own][:_BOUNDS]:
                found += [("min", other), ("max", other)]
        if (context.parent, context.slot) == (cst.Subscript, "value"):
            found = [p for p in found if p[0] in _BASE_WRAPPERS and len(p) == 1]
        already = _callee(node)
        chosen: list[Payload] = [p for p in found if p[0] != already]
        return chosen[:MAX_PAYLOADS]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = _parse(payload)
        if parsed is None or not isinstance(node, self.node_types):
            return None
        function, text = parsed
        if _callee(node) == function:
            return None  # `abs(abs(x))` is no new edit
        arguments: list[cst.BaseExpression] = []
        if text is not None:
            other = context.seed.expression(text)
            if other is None:
                return None
            arguments.append(other)
        # An argument needs no parentheses of its own; `call` adds them where it must.
        return call(function, node.with_changes(lpar=[], rpar=[]), *arguments)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = _parse(payload)
        if parsed is None:
            return super().describe(node, payload, context)
        code = context.seed.code(node)
        function, text = parsed
        after = f"{function}({code})" if text is None else f"{function}({code}, {text})"
        return f"{code} -> {after}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def distance(a, b):\n    return a - b\n",
                "def distance(a, b):\n    return abs(a - b)\n",
            ),
            (
                "def median(xs):\n    n = len(xs)\n    return xs[n // 2]\n",
                "def median(xs):\n    n = len(xs)\n    return sorted(xs)[n // 2]\n",
            ),
            (
                "def left(stock, sold):\n    if sold > 0:\n        stock = stock - sold\n"
                "    return stock\n",
                "def left(stock, sold):\n    if sold > 0:\n        stock = max(stock - sold, 0)\n"
                "    return stock\n",
            ),
        ]
