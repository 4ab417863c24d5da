"""Return early on a degenerate input: `if not word: return 0` first thing in a function.

The missing-precondition bug: code written for the common case mishandles the empty string,
the empty list or two inputs of unequal length, and the fix is a check at the top that
answers such an input at once (TBar's "insert null pointer checker" and "insert range
checker" fix patterns, for Python's degenerate inputs). guard-statement wraps an existing
statement in a condition; this adds the check and its answer, which no single other edit
does.

The conditions come from the parameters and what the function's code says of their kinds:
`not p` for a parameter that is a sequence, a string or of unknown kind, and
`len(p) != len(q)` for two parameters that are sequences or strings. The answers are values
the function already gives: a literal it returns, the starting value of a variable it
returns (`count = 0` ... `return count` gives `0`), and for a predicate `False` and `True`.
"""

from __future__ import annotations

import itertools

import libcst as cst

from evolve.operators.analysis import children, first_position
from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.ingredients import ANY, SEQ, STR
from evolve.program.patch import Payload

_RECEIVERS = frozenset({"self", "cls"})
_MAX_PARAMETERS = 4  # the first parameters carry the input; later ones are options
_MAX_PAIRS = 3
_MAX_VALUES = 4
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_TRUTHS = ("False", "True")


def _is_literal(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Integer | cst.Float | cst.SimpleString):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, cst.Integer | cst.Float)
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    return isinstance(node, cst.List | cst.Tuple | cst.Dict) and not node.elements


def _conditions(context: Context) -> list[str]:
    kinds = context.scope.ingredients.kinds
    params = [p for p in context.scope.params if p not in _RECEIVERS][:_MAX_PARAMETERS]
    empty = [f"not {p}" for p in params if kinds.get(p, ANY) in (SEQ, STR, ANY)]
    sized = [p for p in params if kinds.get(p) in (SEQ, STR)]
    unequal = [f"len({a}) != len({b})" for a, b in itertools.combinations(sized, 2)]
    return empty + unequal[:_MAX_PAIRS]


def _values(function: cst.FunctionDef, module: cst.Module) -> list[str]:
    """What the function already answers with: literal returns, returned variables' starting
    literals, and both truth values for a predicate."""
    returned: list[cst.BaseExpression] = []
    starts: dict[str, cst.BaseExpression] = {}

    def visit(node: cst.CSTNode) -> None:
        if isinstance(node, _NESTED):
            return
        if isinstance(node, cst.Return) and node.value is not None:
            returned.append(node.value)
        if isinstance(node, cst.Assign) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name) and _is_literal(node.value):
                starts.setdefault(target.value, node.value)
        for _, _, child in children(node):
            visit(child)

    visit(function.body)
    found: dict[str, None] = {}
    predicate = False
    for value in returned:
        if isinstance(value, cst.Name) and value.value in starts:
            value = starts[value.value]
        if _is_literal(value):
            found.setdefault(module.code_for_node(value.with_changes(lpar=[], rpar=[])))
        predicate = (
            predicate
            or isinstance(value, cst.Comparison | cst.BooleanOperation)
            or (isinstance(value, cst.Name) and value.value in _TRUTHS)
        )
    if predicate:
        found.update(dict.fromkeys(_TRUTHS))
    return list(found)[:_MAX_VALUES]


def _first_check(function: cst.FunctionDef, context: Context) -> tuple[str, str] | None:
    """(condition, value) of an `if condition: return value` that opens the body, if any."""
    assert isinstance(function.body, cst.IndentedBlock)
    block = function.body.body
    at = first_position(function.body)
    if at >= len(block) or not isinstance(block[at], cst.If):
        return None
    check = block[at]
    assert isinstance(check, cst.If)
    inside = check.body.body if isinstance(check.body, cst.IndentedBlock) else ()
    if check.orelse is not None or len(inside) != 1:
        return None
    line = inside[0]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    answer = line.body[0]
    if not isinstance(answer, cst.Return) or answer.value is None:
        return None
    return context.seed.code(check.test), context.seed.code(answer.value)


def _offered(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.FunctionDef) and isinstance(node.body, cst.IndentedBlock)


class EarlyReturn(Operator):
    """Payload [condition, value] (source texts): `if condition: return value` goes first in
    the function's body."""

    name = "early-return"
    node_types = (cst.FunctionDef,)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not _offered(node) or context.scope.is_async:
            return []
        assert isinstance(node, cst.FunctionDef)
        values = _values(node, context.seed.module)
        first = _first_check(node, context)
        return [
            (test, value)
            for test in _conditions(context)
            for value in values
            if (test, value) != first
        ]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not _offered(node) or not isinstance(payload, tuple) or len(payload) != 2:
            return None
        assert isinstance(node, cst.FunctionDef) and isinstance(node.body, cst.IndentedBlock)
        test, value = payload
        if not isinstance(test, str) or test not in _conditions(context):
            return None
        if not isinstance(value, str):
            return None
        condition, answer = context.seed.expression(test), context.seed.expression(value)
        # Only literals are answers: a payload never puts arbitrary code into the program.
        if condition is None or answer is None or not _is_literal(answer):
            return None
        check = cst.If(
            test=condition,
            body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Return(value=answer)])]),
        )
        if _first_check(node, context) == (test, value):
            return None  # the check is there already
        block = node.body
        at = first_position(block)
        statements = [*block.body[:at], check, *block.body[at:]]
        return node.with_changes(body=block.with_changes(body=statements))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        if not isinstance(payload, tuple) or len(payload) != 2:
            return super().describe(node, payload, context)
        test, value = payload
        return f"first: if {test}: return {value}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                'def count(text, word):\n    """Times `word` occurs in `text`."""\n'
                "    n = 0\n    start = text.find(word)\n    while start != -1:\n"
                "        n += 1\n        start = text.find(word, start + len(word))\n"
                "    return n\n",
                'def count(text, word):\n    """Times `word` occurs in `text`."""\n'
                "    if not word:\n        return 0\n"
                "    n = 0\n    start = text.find(word)\n    while start != -1:\n"
                "        n += 1\n        start = text.find(word, start + len(word))\n"
                "    return n\n",
            ),
            (
                "def same_shape(a, b):\n    for x, y in zip(a, b):\n        if x != y:\n"
                "            return False\n    return True\n",
                "def same_shape(a, b):\n    if len(a) != len(b):\n        return False\n"
                "    for x, y in zip(a, b):\n        if x != y:\n"
                "            return False\n    return True\n",
            ),
        ]
