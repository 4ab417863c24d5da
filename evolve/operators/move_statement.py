"""Move a statement: elsewhere in its block, out of a compound statement, or into one.

The misplaced-statement bug: an update that belongs inside the loop sits after it, a reset
that belongs before the loop sits inside it. Moves to an adjacent slot in the same block are
swaps, which swap-statements already offers, so they are left out here.
"""

from __future__ import annotations

from typing import TypeAlias

import libcst as cst

from evolve.operators.analysis import declares_scope, first_position, is_docstring, is_pass
from evolve.operators.analysis import needs_loop as breaks_out
from evolve.operators.base import Operator, Result, code_line
from evolve.operators.context import Context
from evolve.program.patch import Payload

# Compound statements a statement may move into or out of. Not function or class bodies: a
# statement moved there would run at another time, in another scope.
_COMPOUNDS = (cst.If, cst.For, cst.While, cst.With, cst.Try)
_LOOPS = (cst.For, cst.While)
_PASS = cst.SimpleStatementLine(body=[cst.Pass()])

# ("to", i, j) | ("out", compound, i, "before"/"after") | ("in", i, compound, "first"/"last")
Move: TypeAlias = tuple[str, int, int, str]


def _movable(block: cst.IndentedBlock, index: int) -> bool:
    statement = block.body[index]
    return not (
        is_pass(statement) or (index == 0 and is_docstring(statement)) or declares_scope(statement)
    )


def _inner(block: cst.IndentedBlock, index: int) -> cst.IndentedBlock | None:
    """The body of the compound statement at `index`, if it has an indented one."""
    statement = block.body[index]
    if isinstance(statement, _COMPOUNDS) and isinstance(statement.body, cst.IndentedBlock):
        return statement.body
    return None


def _moves(block: cst.IndentedBlock, context: Context) -> list[Move]:
    first, size = first_position(block), len(block.body)
    moves: list[Move] = []
    for i in range(size):
        if not _movable(block, i):
            continue
        moves += [("to", i, j, "") for j in range(first, size) if abs(i - j) > 1]
        for k in (i - 1, i + 1):
            if 0 <= k < size and _inner(block, k) is not None:
                moves += [("in", i, k, "first"), ("in", i, k, "last")]
    for k in range(size):
        inner = _inner(block, k)
        if inner is None:
            continue
        leaves_loop = isinstance(block.body[k], _LOOPS) and not context.in_loop
        for i in range(len(inner.body)):
            # A break taken out of its loop would have no loop to leave.
            if _movable(inner, i) and not (leaves_loop and breaks_out(inner.body[i])):
                moves += [("out", k, i, "before"), ("out", k, i, "after")]
    return moves


def _move(payload: Payload) -> Move | None:
    if not isinstance(payload, tuple) or len(payload) != 4:
        return None
    kind, a, b, side = payload
    if not isinstance(kind, str) or not isinstance(side, str):
        return None
    if not isinstance(a, int) or not isinstance(b, int) or isinstance(a, bool | float):
        return None
    if isinstance(b, bool):
        return None
    return kind, a, b, side


def _with_body(compound: cst.BaseStatement, body: list[cst.BaseStatement]) -> cst.BaseStatement:
    assert isinstance(compound, _COMPOUNDS)
    inner = compound.body
    assert isinstance(inner, cst.IndentedBlock)
    return compound.with_changes(body=inner.with_changes(body=body or [_PASS]))


class MoveStatement(Operator):
    """The site is the block the moves happen in; payloads are `Move` tuples, indices into
    this block and into the body of the compound statement at index `compound`."""

    name = "move-statement"
    node_types = (cst.IndentedBlock,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.IndentedBlock):
            return []
        return list(_moves(node, context))

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        move = _move(payload)
        if not isinstance(node, cst.IndentedBlock) or move is None:
            return None
        if move not in _moves(node, context):
            return None
        kind, a, b, side = move
        body = list(node.body)
        if kind == "to":
            statement = body.pop(a)
            body.insert(b, statement)
        elif kind == "in":
            statement = body[a]
            inner = _inner(node, b)
            assert inner is not None
            contents = list(inner.body)
            contents.insert(0 if side == "first" else len(contents), statement)
            body[b] = _with_body(body[b], contents)
            del body[a]
        else:
            inner = _inner(node, a)
            assert inner is not None
            contents = list(inner.body)
            statement = contents.pop(b)
            body[a] = _with_body(body[a], contents)
            body.insert(a if side == "before" else a + 1, statement)
        return node.with_changes(body=body)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        move = _move(payload)
        if (
            not isinstance(node, cst.IndentedBlock)
            or move is None
            or move not in _moves(node, context)
        ):
            return super().describe(node, payload, context)
        kind, a, b, side = move
        code = context.seed.code
        if kind == "to":
            return f"move `{code_line(code(node.body[a]))}` to position {b}"
        if kind == "in":
            target = code_line(code(node.body[b]))
            return f"move `{code_line(code(node.body[a]))}` {side} into `{target}`"
        inner = _inner(node, a)
        assert inner is not None
        return (
            f"move `{code_line(code(inner.body[b]))}` out {side} `{code_line(code(node.body[a]))}`"
        )

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def total(xs):\n    t = 0\n    for x in xs:\n        pass\n    t += x\n"
                "    return t\n",
                "def total(xs):\n    t = 0\n    for x in xs:\n        pass\n        t += x\n"
                "    return t\n",
            ),
            (
                "def count(xs):\n    for x in xs:\n        n = 0\n        n += x\n    return n\n",
                "def count(xs):\n    n = 0\n    for x in xs:\n        n += x\n    return n\n",
            ),
            (
                "def f(x):\n    y = x * 2\n    a = 1\n    b = 2\n    x = 0\n    return y\n",
                "def f(x):\n    a = 1\n    b = 2\n    y = x * 2\n    x = 0\n    return y\n",
            ),
        ]
