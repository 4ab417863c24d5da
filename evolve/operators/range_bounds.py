"""Change the shape of a range, an enumeration or a slice, not just a bound by one.

The bound bugs off-by-one cannot reach: a range that should start at 1 (`range(n)` ->
`range(1, n)`), run backwards (`range(a, b)` -> `range(a, b, -1)`) or lose its start or step;
an enumeration counting from 1 (`enumerate(xs)` -> `enumerate(xs, 1)`); a slice with a
bound too many or one on the wrong side (`xs[i:]` -> `xs[:i]`), or reversed (`xs[::-1]`).
off-by-one already moves each bound by one.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import plus
from evolve.program.patch import Payload

START_ONE, DROP_START, REVERSE, DROP_STEP = "start-1", "drop-start", "step--1", "drop-step"
DROP_LOWER, DROP_UPPER, FLIP = "drop-lower", "drop-upper", "flip"
# `range(len(xs))` -> `range(len(xs) - k + 1)`: every window of k items, not every item.
WINDOW = "window"
_WINDOW_NAMES = 3
_CALLS = frozenset({"range", "enumerate"})


def _int(text: str) -> cst.BaseExpression:
    if text.startswith("-"):
        return cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer(text[1:]))
    return cst.Integer(text)


def _arg(value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))


def _is_literal(value: cst.BaseExpression, text: str) -> bool:
    return isinstance(value, cst.Integer) and value.value == text


def _choices(node: cst.CSTNode) -> list[str]:
    if isinstance(node, cst.Slice):
        found = [DROP_LOWER] if node.lower is not None else []
        found += [DROP_UPPER] if node.upper is not None else []
        if node.step is not None:
            found.append(DROP_STEP)
        elif node.lower is None and node.upper is None:
            found.append(REVERSE)
        if (node.lower is None) != (node.upper is None):
            found.append(FLIP)
        return found
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name):
        return []
    if node.func.value not in _CALLS or any(a.keyword or a.star for a in node.args):
        return []
    args = [arg.value for arg in node.args]
    if node.func.value == "enumerate":
        return {1: [START_ONE], 2: [DROP_START]}.get(len(args), [])
    if len(args) == 1:
        return [START_ONE, REVERSE]
    if len(args) == 2:
        return ([] if _is_literal(args[0], "0") else [DROP_START]) + [REVERSE]
    if len(args) == 3:
        return [DROP_STEP]
    return []


def _window_bound(node: cst.CSTNode) -> cst.Arg | None:
    """The upper bound of `range(len(xs))` or `range(a, len(xs))`, if `node` is one."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name):
        return None
    if node.func.value != "range" or not 1 <= len(node.args) <= 2:
        return None
    if any(a.keyword or a.star for a in node.args):
        return None
    upper = node.args[-1]
    value = upper.value
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        return upper if value.func.value == "len" else None
    return None


def _windowed(node: cst.CSTNode, name: object, context: Context) -> Result:
    upper = _window_bound(node)
    if upper is None or not isinstance(name, str) or not name.isidentifier():
        return None
    assert isinstance(node, cst.Call)
    bound = context.seed.expression(f"{context.seed.code(upper.value)} - {name} + 1")
    if bound is None:
        return None
    return node.with_changes(args=[*node.args[:-1], upper.with_changes(value=bound)])


class RangeBounds(Operator):
    """Payload: one of "start-1", "drop-start", "step--1", "drop-step" (range and
    enumerate calls), "drop-lower", "drop-upper", "drop-step", "step--1", "flip" (slices),
    or ["window", k] (`range(len(xs))` -> `range(len(xs) - k + 1)`)."""

    name = "range-bounds"
    node_types = (cst.Call, cst.Slice)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        found: list[Payload] = list(_choices(node))
        if _window_bound(node) is not None:
            names = context.scope.ingredients.numbers[:_WINDOW_NAMES]
            found += [(WINDOW, name) for name in names]
        return found

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if isinstance(payload, tuple) and len(payload) == 2 and payload[0] == WINDOW:
            return _windowed(node, payload[1], context)
        if not isinstance(payload, str) or payload not in _choices(node):
            return None
        if isinstance(node, cst.Slice):
            if payload == FLIP:
                return node.with_changes(lower=node.upper, upper=node.lower)
            if payload == REVERSE:
                return node.with_changes(step=_int("-1"), second_colon=cst.Colon())
            field = {DROP_LOWER: "lower", DROP_UPPER: "upper", DROP_STEP: "step"}[payload]
            return node.with_changes(**{field: None})
        assert isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
        args = list(node.args)
        last = args[-1]
        if payload == START_ONE:
            if node.func.value == "enumerate":
                args = [_arg(last.value), last.with_changes(value=_int("1"))]
            else:
                args = [_arg(_int("1")), *args]
        elif payload == DROP_START:
            args = [args[1]] if node.func.value == "range" else [args[0]]
            args[0] = args[0].with_changes(comma=last.comma)
        elif payload == REVERSE and len(args) == 1:
            # `range(n)` backwards: `range(n - 1, -1, -1)`.
            start = plus(last.value, -1)
            args = [_arg(start), _arg(_int("-1")), last.with_changes(value=_int("-1"))]
        elif payload == REVERSE:
            args = [*args[:-1], _arg(last.value), last.with_changes(value=_int("-1"))]
        elif payload == DROP_STEP:
            args = [args[0], args[1].with_changes(comma=last.comma)]
        return node.with_changes(args=args)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        after = self.apply(node, payload, context)
        if after is None or not isinstance(after, cst.CSTNode):
            return super().describe(node, payload, context)
        return f"{context.seed.code(node)} -> {context.seed.code(after)}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def total(n):\n    return sum(i for i in range(n))\n",
                "def total(n):\n    return sum(i for i in range(1, n))\n",
            ),
            (
                "def ranked(xs):\n    return [(i, x) for i, x in enumerate(xs)]\n",
                "def ranked(xs):\n    return [(i, x) for i, x in enumerate(xs, 1)]\n",
            ),
            ("def tail(s, k):\n    return s[k:]\n", "def tail(s, k):\n    return s[:k]\n"),
            ("def back(s):\n    return s[:]\n", "def back(s):\n    return s[::-1]\n"),
            (
                "def sums(xs, k):\n    return [sum(xs[i : i + k]) for i in range(len(xs))]\n",
                "def sums(xs, k):\n"
                "    return [sum(xs[i : i + k]) for i in range(len(xs) - k + 1)]\n",
            ),
            (
                "def down(a, b):\n    return list(range(a, b))\n",
                "def down(a, b):\n    return list(range(a, b, -1))\n",
            ),
        ]
