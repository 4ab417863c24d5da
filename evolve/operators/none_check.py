"""Check a name against None: `if x:` -> `if x is not None:`, `if x.ok:` -> `if x is not None
and x.ok:`.

Two bug classes: a truth test where a None test was meant (so 0 and "" count as missing), and
a missing None guard before a name is used.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import children
from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.operators.extend_condition import extended, parse
from evolve.program.patch import Payload

_CONNECTORS = ("replace", "and", "or")
# Which None test each connector takes: the guard lets the rest run only for real values.
_GUARDS = (("and", "is not None"), ("or", "is None"))


def _names(test: cst.CSTNode, known: set[str]) -> list[str]:
    """Variables read in `test`, in order; attribute names and keywords are not variables."""
    found: dict[str, None] = {}

    def visit(node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name) and node.value in known:
            found.setdefault(node.value)
        for name, _, child in children(node):
            if not (isinstance(node, cst.Attribute) and name == "attr") and not (
                isinstance(node, cst.Arg) and name == "keyword"
            ):
                visit(child)

    visit(test)
    return list(found)


def _truth_tested(test: cst.BaseExpression) -> str | None:
    """The name in `if x:` or `if not x:`."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    return test.value if isinstance(test, cst.Name) and not test.lpar else None


class NoneCheck(Operator):
    """Payload [connector, condition]: "replace" puts the None test in place of a truth test;
    "and" / "or" put it in front of the condition."""

    name = "none-check"
    node_types = (cst.If, cst.While)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.If | cst.While):
            return []
        found: list[Payload] = []
        tested = _truth_tested(node.test)
        if tested is not None and tested in context.scope.names:
            found += [("replace", f"{tested} is not None"), ("replace", f"{tested} is None")]
        known = set(context.scope.names)
        for name in _names(node.test, known):
            found += [(connector, f"{name} {check}") for connector, check in _GUARDS]
        return found

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = parse(payload, _CONNECTORS)
        if not isinstance(node, cst.If | cst.While) or parsed is None:
            return None
        connector, text = parsed
        name, _, check = text.partition(" ")
        if name not in context.scope.names or check not in ("is None", "is not None"):
            return None
        clause = context.seed.expression(text)
        return None if clause is None else extended(node, connector, clause)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = parse(payload, _CONNECTORS)
        if parsed is None or not isinstance(node, cst.If | cst.While):
            return super().describe(node, payload, context)
        connector, text = parsed
        new = text if connector == "replace" else f"{text} {connector} ..."
        return f"{context.seed.code(node.test)} -> {new}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def width(w):\n    if w:\n        return w\n    return 10\n",
                "def width(w):\n    if w is not None:\n        return w\n    return 10\n",
            ),
            (
                "def size(node):\n    if node.left:\n        return 1\n    return 0\n",
                "def size(node):\n    if node is not None and node.left:\n        return 1\n"
                "    return 0\n",
            ),
        ]
