"""Hoist a loop-invariant assignment out of its loop: the repeated-work speed-up.

    for x in xs:                      n = len(ys)
        n = len(ys)           ->      for x in xs:
        total += x * n                    total += x * n

A statement of the loop body qualifies when it assigns plain names that nothing else in the
loop assigns, and its value reads no name the loop assigns or mutates (`ys.append(...)`,
`ys[i] = ...`). The payload is the statement's index in the loop body.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import children, store_names, store_targets
from evolve.operators.base import Operator, Result, code_line
from evolve.operators.context import Context
from evolve.program.patch import Payload

_PASS = cst.SimpleStatementLine(body=[cst.Pass()])
# Values that must run where they are: they suspend, or bind as a side effect.
_PINNED = (cst.Yield, cst.Await, cst.NamedExpr)


def _mutated_base(node: cst.CSTNode) -> str | None:
    """`a` in `a.x = ...`, `a[i] = ...`, `del a[i]` targets, or in a call `a.append(...)`."""
    while isinstance(node, cst.Attribute | cst.Subscript):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def loop_effects(loop: cst.For | cst.While) -> tuple[dict[str, int], set[str]]:
    """(name -> how often the loop binds it, names the loop may mutate)."""
    assigned: dict[str, int] = {}
    mutated: set[str] = set()

    def bind(target: cst.CSTNode) -> None:
        for name in store_names(target):
            assigned[name.value] = assigned.get(name.value, 0) + 1
        if isinstance(target, cst.Attribute | cst.Subscript):
            base = _mutated_base(target)
            if base is not None:
                mutated.add(base)

    def visit(node: cst.CSTNode) -> None:
        for target in store_targets(node):
            bind(target)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            base = _mutated_base(node.func.value)
            if base is not None:
                mutated.add(base)
        for _, _, child in children(node):
            visit(child)

    if isinstance(loop, cst.For):
        # The loop's own target: a binder only as part of the `for` node, which is not visited.
        bind(loop.target)
        visit(loop.target)
    else:
        visit(loop.test)
    visit(loop.body)
    return assigned, mutated


def reads(node: cst.CSTNode) -> tuple[set[str], bool]:
    """(names read in `node`, whether it holds anything pinned to its place)."""
    names: set[str] = set()
    pinned = False

    def visit(node: cst.CSTNode, skip: bool) -> None:
        nonlocal pinned
        if isinstance(node, _PINNED):
            pinned = True
        if isinstance(node, cst.Name) and not skip:
            names.add(node.value)
        for name, _, child in children(node):
            visit(child, isinstance(node, cst.Attribute) and name == "attr")

    visit(node, False)
    return names, pinned


def _hoistable(loop: cst.CSTNode) -> list[int]:
    if not isinstance(loop, cst.For | cst.While) or not isinstance(loop.body, cst.IndentedBlock):
        return []
    if isinstance(loop, cst.For) and loop.asynchronous is not None:
        return []
    assigned, mutated = loop_effects(loop)
    found = []
    for index, statement in enumerate(loop.body.body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        assign = statement.body[0]
        if not isinstance(assign, cst.Assign):
            continue
        names = [t.target.value for t in assign.targets if isinstance(t.target, cst.Name)]
        if len(names) != len(assign.targets) or any(assigned[name] != 1 for name in names):
            continue
        names_read, pinned = reads(assign.value)
        if not pinned and not names_read & (set(assigned) | mutated):
            found.append(index)
    return found


class HoistInvariant(Operator):
    name = "hoist-invariant"
    node_types = (cst.For, cst.While)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        # The hoisted statement goes into the block that holds the loop.
        return list(_hoistable(node)) if context.in_block else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not context.in_block or not isinstance(node, cst.For | cst.While):
            return None
        if not isinstance(payload, int) or isinstance(payload, bool):
            return None
        if payload not in _hoistable(node):
            return None
        assert isinstance(node.body, cst.IndentedBlock)
        body = list(node.body.body)
        statement = body.pop(payload)
        loop = node.with_changes(body=node.body.with_changes(body=body or [_PASS]))
        # The loop keeps the blank lines and comments above it, so they stay next to it.
        return cst.FlattenSentinel([statement, loop])

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        if (
            not isinstance(node, cst.For | cst.While)
            or not isinstance(node.body, cst.IndentedBlock)
            or not isinstance(payload, int)
            or not 0 <= payload < len(node.body.body)
        ):
            return super().describe(node, payload, context)
        return f"hoist `{code_line(context.seed.code(node.body.body[payload]))}` out of the loop"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def scale(xs, ys):\n    out = []\n    for x in xs:\n        n = len(ys)\n"
                "        out.append(x * n)\n    return out\n",
                "def scale(xs, ys):\n    out = []\n    n = len(ys)\n    for x in xs:\n"
                "        out.append(x * n)\n    return out\n",
            ),
            (
                "def count(xs, k):\n    i = 0\n    while i < len(xs):\n        limit = k * k\n"
                "        i += 1\n    return i\n",
                "def count(xs, k):\n    i = 0\n    limit = k * k\n    while i < len(xs):\n"
                "        i += 1\n    return i\n",
            ),
        ]
