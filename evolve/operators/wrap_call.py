"""Call a builtin on a value: `d` -> `abs(d)`, `xs` -> `sorted(xs)`, `n` -> `max(n, 0)`,
or a string's normalising method: `line` -> `line.strip()`.

The missing-call bug: a value that needed converting, clamping, measuring, sorting or
normalising first (TBar's "insert method invocation" pattern covers the last). What is
offered follows the value's kind (see `ingredients`): numbers get `abs`, `int`, `max(e, 0)`
(and `max(n, 1)` for a numeric name), `min`/`max` with another number of the function, and
with the target of the assignment the value is (`last[1] = max(end, last[1])`: the best so
far kept);
sequences get `len`, `sorted`, `list`, `sum`, `max` and `min`; strings `len`, `int`,
`sorted`, and `.strip()` and `.lower()` (the two normalisations text handling most often
forgets). A value whose kind is unknown gets the
commonest of numbers and sequences, never a method it may not have. The value stays whole
inside the call, so an edit made to it first carries on.
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
# Methods are payloads with a leading dot, so they never clash with a function's name. Only
# primaries take one without parentheses, and those are the values worth normalising.
_STRING_METHODS = (".strip", ".lower")
_RECEIVERS = (cst.Name, cst.Attribute, cst.Subscript, cst.Call)
# Only these take the object of a subscript: `sorted(xs)[0]`, `list(d)[0]`.
_BASE_WRAPPERS = frozenset({"sorted", "list"})
_BOUNDS = 3  # other numbers of the function offered as a clamp
MAX_PAYLOADS = 16


def _parse(payload: Payload) -> tuple[str, str | None] | None:
    if not isinstance(payload, tuple) or len(payload) not in (1, 2):
        return None
    function = payload[0]
    second = payload[1] if len(payload) == 2 else None
    if not isinstance(function, str) or function not in _FUNCTIONS | set(_STRING_METHODS):
        return None
    if function in _STRING_METHODS and len(payload) != 1:
        return None
    if len(payload) == 2 and not isinstance(second, str):
        return None
    return function, second if isinstance(second, str) else None


def _callee(node: cst.CSTNode) -> str | None:
    """`f` for `f(...)`, `.m` for `x.m(...)`: the payload that would have written `node`."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
        return node.func.value
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return "." + node.func.attr.value
    return None


def _assigned_to(node: cst.CSTNode, context: Context) -> str | None:
    """The target's code when `node` is the whole value of a one-target assignment to a
    name, attribute or subscript (`last[1] = end`), else None."""
    if (context.parent, context.slot) != (cst.Assign, "value"):
        return None
    suffix = ".body[0].value"
    if not context.address.endswith(suffix):
        return None
    source = context.seed.statement(context.address[: -len(suffix)])
    if source is None or not isinstance(source.node, cst.SimpleStatementLine):
        return None  # a statement repeated word for word is known by its first address
    assign = source.node.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    target = assign.targets[0].target
    if not isinstance(target, cst.Name | cst.Attribute | cst.Subscript) or target.deep_equals(node):
        return None
    return context.seed.code(target)


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
        target = _assigned_to(node, context)
        if target is not None and kind in (NUM, ANY):
            # Keeping the best so far: `best = run` -> `best = max(run, best)`.
            found += [("max", target), ("min", target)]
        if kind in (NUM, ANY):
            found.append(("max", "0"))
        if kind == NUM and isinstance(node, cst.Name):
            # Counts from one (pages, lines, positions) clamp at 1: `max(page, 1)`.
            found.append(("max", "1"))
            own = names_in(node)
            for other in [n for n in ingredients.numbers if n not in own][:_BOUNDS]:
                found += [("min", other), ("max", other)]
        if kind == STR and isinstance(node, _RECEIVERS):
            found += [(method,) for method in _STRING_METHODS]
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
        if function in _STRING_METHODS:
            if not isinstance(node, _RECEIVERS):
                return None
            method = cst.Attribute(value=node, attr=cst.Name(function[1:]))
            return cst.Call(func=method)
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
        if function in _STRING_METHODS:
            return f"{code} -> {code}{function}()"
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
            (
                "def merge(spans):\n    out = [list(spans[0])]\n    for start, end in spans[1:]:\n"
                "        last = out[-1]\n        if start <= last[1]:\n            last[1] = end\n"
                "        else:\n            out.append([start, end])\n    return out\n",
                "def merge(spans):\n    out = [list(spans[0])]\n    for start, end in spans[1:]:\n"
                "        last = out[-1]\n        if start <= last[1]:\n"
                "            last[1] = max(end, last[1])\n"
                "        else:\n            out.append([start, end])\n    return out\n",
            ),
            (
                "def keys(lines):\n    seen = set()\n    for line in lines:\n        key = line\n"
                "        if not key.startswith('#'):\n            seen.add(key)\n    return seen\n",
                "def keys(lines):\n    seen = set()\n    for line in lines:\n"
                "        key = line.strip()\n"
                "        if not key.startswith('#'):\n            seen.add(key)\n    return seen\n",
            ),
        ]
