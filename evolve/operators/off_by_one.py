"""Add or take one from an expression: `xs[i]` -> `xs[i + 1]`, `range(n)` -> `range(n - 1)`.

integer-constant nudges literals; this covers the off-by-one bugs written with variables and
calls, where they live: subscript indices, slice bounds, range() arguments and comparison
operands.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import plus
from evolve.program.patch import Payload

_DELTAS = (1, -1)
_BOUNDS = ("lower", "upper")
# Comparison operands worth nudging: values, not constants or literals.
_OPERANDS = (cst.Name, cst.Attribute, cst.Subscript, cst.Call)
_CONSTANTS = frozenset({"True", "False", "None"})


def _nudgeable(node: cst.BaseExpression | None) -> bool:
    # Literals are integer-constant's business.
    if node is None or isinstance(node, cst.Integer):
        return False
    return not (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, cst.Integer)
    )


def _operands(node: cst.Comparison) -> list[cst.BaseExpression]:
    return [node.left, *(target.comparator for target in node.comparisons)]


def _operand_fits(node: cst.Comparison, index: int) -> bool:
    operand = _operands(node)[index]
    if not isinstance(operand, _OPERANDS):
        return False
    if isinstance(operand, cst.Name) and operand.value in _CONSTANTS:
        return False
    # `x is y + 1` compares identities: never the off-by-one fix.
    links = node.comparisons[max(0, index - 1) : index + 1]
    return not any(isinstance(link.operator, cst.Is | cst.IsNot) for link in links)


def _range_args(node: cst.Call) -> list[int]:
    if not (isinstance(node.func, cst.Name) and node.func.value == "range"):
        return []
    return [
        i
        for i, arg in enumerate(node.args)
        if arg.keyword is None and not arg.star and _nudgeable(arg.value)
    ]


def _int(value: Payload) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pair(payload: Payload) -> tuple[Payload, int] | None:
    if not isinstance(payload, tuple) or len(payload) != 2:
        return None
    delta = _int(payload[1])
    if delta is None or delta not in _DELTAS:
        return None
    return payload[0], delta


class OffByOne(Operator):
    """Payloads: an index takes a delta (1 or -1); a slice takes [bound, delta]; a range() call
    and a comparison take [argument or operand index, delta].

    A missing slice bound can be off by one too: `xs[:]` offers `xs[1:]` and `xs[:-1]`.
    """

    name = "off-by-one"
    node_types = (cst.Index, cst.Slice, cst.Call, cst.Comparison)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if isinstance(node, cst.Index):
            return list(_DELTAS) if node.star is None and _nudgeable(node.value) else []
        if isinstance(node, cst.Slice):
            found: list[Payload] = []
            for bound, missing in (("lower", 1), ("upper", -1)):
                value = getattr(node, bound)
                if value is None:
                    found.append((bound, missing))
                elif _nudgeable(value):
                    found += [(bound, delta) for delta in _DELTAS]
            return found
        if isinstance(node, cst.Call):
            return [(i, delta) for i in _range_args(node) for delta in _DELTAS]
        if isinstance(node, cst.Comparison):
            return [
                (i, delta)
                for i in range(len(node.comparisons) + 1)
                if _operand_fits(node, i)
                for delta in _DELTAS
            ]
        return []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if isinstance(node, cst.Index):
            delta = _int(payload)
            if delta not in _DELTAS or node.star is not None or not _nudgeable(node.value):
                return None
            assert delta is not None
            return node.with_changes(value=plus(node.value, delta))
        pair = _pair(payload)
        if pair is None:
            return None
        where, delta = pair
        if isinstance(node, cst.Slice):
            return self._slice(node, where, delta)
        index = _int(where)
        if index is None:
            return None
        if isinstance(node, cst.Call):
            if index not in _range_args(node):
                return None
            args = list(node.args)
            args[index] = args[index].with_changes(value=plus(args[index].value, delta))
            return node.with_changes(args=args)
        if isinstance(node, cst.Comparison):
            if not 0 <= index <= len(node.comparisons) or not _operand_fits(node, index):
                return None
            if index == 0:
                return node.with_changes(left=plus(node.left, delta))
            targets = list(node.comparisons)
            target = targets[index - 1]
            targets[index - 1] = target.with_changes(comparator=plus(target.comparator, delta))
            return node.with_changes(comparisons=targets)
        return None

    def _slice(self, node: cst.Slice, bound: Payload, delta: int) -> Result:
        if bound not in _BOUNDS:
            return None
        value = getattr(node, str(bound))
        if value is None:
            if (bound, delta) == ("lower", 1):
                return node.with_changes(lower=cst.Integer("1"))
            if (bound, delta) == ("upper", -1):
                return node.with_changes(
                    upper=cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer("1"))
                )
            return None
        if not _nudgeable(value):
            return None
        return node.with_changes(**{str(bound): plus(value, delta)})

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        code = context.seed.code
        delta = _int(payload)
        target: cst.CSTNode | None = None
        if isinstance(node, cst.Index):
            target = node.value
        elif (pair := _pair(payload)) is not None:
            where, delta = pair
            if isinstance(node, cst.Slice) and where in _BOUNDS:
                target = getattr(node, str(where))
                if target is None:
                    return f"{where} slice bound -> {delta}"
            elif isinstance(node, cst.Call) and (i := _int(where)) is not None:
                target = node.args[i].value if 0 <= i < len(node.args) else None
            elif isinstance(node, cst.Comparison) and (i := _int(where)) is not None:
                operands = _operands(node)
                target = operands[i] if 0 <= i < len(operands) else None
        if target is None or delta is None or not isinstance(target, cst.BaseExpression):
            return super().describe(node, payload, context)
        # What the edit writes: an offset already there is folded (`k - 1` -> `k`).
        return f"{code(target)} -> {code(plus(target, delta))}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def last(xs):\n    n = len(xs)\n    return xs[n]\n",
                "def last(xs):\n    n = len(xs)\n    return xs[n - 1]\n",
            ),
            (
                "def pairs(xs):\n    return [(xs[i], xs[i + 1]) for i in range(len(xs))]\n",
                "def pairs(xs):\n    return [(xs[i], xs[i + 1]) for i in range(len(xs) - 1)]\n",
            ),
            ("def head(xs, k):\n    return xs[:k]\n", "def head(xs, k):\n    return xs[:k + 1]\n"),
            ("def rest(xs):\n    return xs[:]\n", "def rest(xs):\n    return xs[1:]\n"),
            (
                "def inside(i, xs):\n    return i < len(xs)\n",
                "def inside(i, xs):\n    return i < len(xs) - 1\n",
            ),
            (
                "def f(a, b):\n    return a[b or 0]\n",
                "def f(a, b):\n    return a[(b or 0) + 1]\n",
            ),
            # An offset already there is folded, not stacked: `n - 1 + 1` would be the same
            # repair, written as no one writes it.
            (
                "def nth(xs, n):\n    return xs[n - 1]\n",
                "def nth(xs, n):\n    return xs[n]\n",
            ),
            (
                "def window(xs, k):\n    return range(len(xs) - k + 1)\n",
                "def window(xs, k):\n    return range(len(xs) - k)\n",
            ),
        ]
