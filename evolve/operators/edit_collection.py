"""Change a collection literal: drop, add or replace one element of a list, tuple, set or
dict. `[0]` -> `[0, 0]`, `("a", "b")` -> `("a", "b", "c")`, `{1: "x", 2: "y"}` -> `{1: "x"}`.

The wrong-table bug: a lookup table, a list of initial values or a set of allowed items that
misses an element or holds a wrong one. A literal element may also be written twice where it
stands (`[31, 30, 31]` -> `[31, 31, 30, 31]`): a table of repeating values that misses one.
New elements are literals of the same kind found elsewhere in the program (numbers for
numbers, strings for strings) or elements of its other collection literals: the fix's
ingredients are usually in the program already. Strings also come from the tests' inputs: a
separator the program misses may be written only there (`evolve.program.literals`).
"""

from __future__ import annotations

import ast

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

DROP, ADD, REPLACE = "drop", "add", "replace"
_COLLECTIONS = (cst.List, cst.Tuple, cst.Set, cst.Dict)
_DROPS = 8  # elements dropped, the first ones
_REPLACED = 4  # elements replaced, the first ones
_POOL = 6  # candidate new elements
_FROM_TESTS = 2  # of them at most, marks of the tests' inputs (`evolve.program.literals`)
_DUPLICATED = 12  # elements written twice, the first ones
MAX_PAYLOADS = 40


def _values(node: cst.List | cst.Tuple | cst.Set | cst.Dict) -> list[cst.BaseExpression] | None:
    """The element values (a dict's values), or None if any is starred or unpacked."""
    values = []
    for element in node.elements:
        if isinstance(element, cst.Element | cst.DictElement):
            values.append(element.value)
        else:
            return None
    return values


def _kind(value: cst.BaseExpression) -> str | None:
    if isinstance(value, cst.Integer | cst.Float):
        return "number"
    if isinstance(value, cst.UnaryOperation) and isinstance(value.expression, cst.Integer):
        return "number"
    if isinstance(value, cst.SimpleString):
        return "string"
    return None


def _pool(values: list[cst.BaseExpression], context: Context) -> list[str]:
    """New elements that fit among `values`: literals of their kind, else other elements."""
    facts = context.seed.facts
    kinds = {_kind(value) for value in values}
    if kinds == {"number"}:
        return list(facts.numbers)
    if kinds == {"string"}:
        own = [s for s in facts.strings if "b" not in s[: s.index(s[-1])].lower()]
        known = {_value(s) for s in own}
        new = [s for s in context.seed.test_literals if _value(s) not in known]
        # The program's own strings first, but a mark only the tests' inputs hold (a `";"`
        # the separators miss) among the first few still.
        first = _POOL - min(_FROM_TESTS, len(new))
        return own[:first] + new[:_FROM_TESTS] + own[first:] + new[_FROM_TESTS:]
    return list(facts.elements)


def _value(literal: str) -> object:
    """A string literal's value: `','` and `","` are one element."""
    try:
        return ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return literal


def _parse(payload: Payload) -> tuple[str, int, str | None] | None:
    if not isinstance(payload, tuple) or len(payload) not in (2, 3):
        return None
    action, index = payload[0], payload[1]
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        return None
    if action == DROP and len(payload) == 2:
        return DROP, index, None
    text = payload[2] if len(payload) == 3 else None
    if action in (ADD, REPLACE) and isinstance(text, str):
        return action, index, text
    return None


class EditCollection(Operator):
    """Payload ["drop", i], ["replace", i, code] or ["add", i, code] (insert before element i;
    i = the length appends). Dicts only drop entries or replace values."""

    name = "edit-collection"
    node_types = _COLLECTIONS
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, _COLLECTIONS) or not context.is_value:
            return []
        values = _values(node)
        if values is None:
            return []
        code = context.seed.code
        # A set cannot be emptied: `{}` is a dict.
        last = 1 if isinstance(node, cst.Set) else 0
        found: list[Payload] = [(DROP, i) for i in range(min(len(values), _DROPS))]
        if len(values) <= last:
            found = []
        if not isinstance(node, cst.Dict):
            # An element missing from the middle of a table of repeating values (the months'
            # lengths): one of its neighbours written twice.
            twice = [(ADD, i + 1, code(v)) for i, v in enumerate(values[:_DUPLICATED])]
            found += [p for p in twice if _kind(values[p[1] - 1]) is not None]
        pool = [text for text in _pool(values, context)]
        for i, value in enumerate(values[:_REPLACED]):
            own = code(value)
            found += [(REPLACE, i, text) for text in pool[:_POOL] if text != own]
        if not isinstance(node, cst.Dict):
            found += [(ADD, len(values), text) for text in pool[:_POOL]]
            if values:
                found += [(ADD, 0, text) for text in pool[: _POOL // 2]]
        return found[:MAX_PAYLOADS]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = _parse(payload)
        if parsed is None or not isinstance(node, _COLLECTIONS):
            return None
        action, index, text = parsed
        elements = list(node.elements)
        if action == DROP:
            if index >= len(elements) or (isinstance(node, cst.Set) and len(elements) == 1):
                return None
            removed = elements.pop(index)
            if index == len(elements) and elements:
                # The new last element takes the old last one's comma (or its absence).
                elements[-1] = elements[-1].with_changes(comma=removed.comma)
            if not elements and isinstance(node, cst.Tuple) and not node.lpar:
                return node.with_changes(
                    elements=elements, lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
                )
            return node.with_changes(elements=elements)
        assert text is not None
        value = context.seed.expression(text)
        if value is None:
            return None
        if action == REPLACE:
            if index >= len(elements) or elements[index].value.deep_equals(value):
                return None
            elements[index] = elements[index].with_changes(value=value)
            return node.with_changes(elements=elements)
        if isinstance(node, cst.Dict) or index > len(elements):
            return None
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        new = cst.Element(
            value=value, comma=comma if index < len(elements) else cst.MaybeSentinel.DEFAULT
        )
        elements.insert(index, new)
        return node.with_changes(elements=elements)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = _parse(payload)
        if parsed is None:
            return super().describe(node, payload, context)
        action, index, text = parsed
        where = f"element {index}" if action != ADD else f"at {index}"
        return f"{context.seed.code(node)}: {action} {where}" + (f" {text}" if text else "")

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "VOWELS = ['a', 'e', 'i', 'o', 'u']\n\n\n"
                "def count(s):\n    return sum(1 for c in s if c in ['a', 'e', 'i', 'o'])\n",
                "VOWELS = ['a', 'e', 'i', 'o', 'u']\n\n\n"
                "def count(s):\n    return sum(1 for c in s if c in ['a', 'e', 'i', 'o', 'u'])\n",
            ),
            (
                "def steps():\n    return (1, 2, 3)\n",
                "def steps():\n    return (1, 2)\n",
            ),
            (
                "def grades():\n    return {90: 'A', 80: 'B', 70: 'B'}\n",
                "def grades():\n    return {90: 'A', 80: 'B', 70: 'A'}\n",
            ),
        ]
