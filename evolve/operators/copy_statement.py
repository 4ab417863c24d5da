"""Insert a copy of a seed statement into a block: the missing-statement bug.

The fix for a missing statement is often already written somewhere else in the program (the
GenProg observation), so sources are every statement of the seed, inside any function or at
module level, not just the editable ones.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import first_position
from evolve.operators.base import Operator, Result, code_line
from evolve.operators.context import Context, Source
from evolve.program.patch import Payload


def _fits(source: Source, context: Context) -> bool:
    # A break outside a loop or an await outside an async function would not even compile.
    return (context.in_loop or not source.needs_loop) and (
        context.scope.is_async or not source.needs_async
    )


def _parse(payload: Payload, context: Context) -> tuple[int, Source] | None:
    if not isinstance(payload, tuple) or len(payload) != 2:
        return None
    position, address = payload
    if not isinstance(position, int) or isinstance(position, bool) or not isinstance(address, str):
        return None
    source = context.seed.statement(address)
    return None if source is None else (position, source)


class CopyStatement(Operator):
    """Payload [position, source address]: the copy goes before the statement now at
    `position` of the block (or last, when `position` is the block's length)."""

    name = "copy-statement"
    node_types = (cst.IndentedBlock,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.IndentedBlock):
            return []
        positions = range(first_position(node), len(node.body) + 1)
        return [
            (position, source.address)
            for source in context.seed.statements
            if _fits(source, context)
            for position in positions
        ]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = _parse(payload, context)
        if not isinstance(node, cst.IndentedBlock) or parsed is None:
            return None
        position, source = parsed
        if not first_position(node) <= position <= len(node.body) or not _fits(source, context):
            return None
        # Comments and blank lines above the original belong to it, not to the copy.
        copy = source.node.with_changes(leading_lines=())
        body = list(node.body)
        body.insert(position, copy)
        return node.with_changes(body=body)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = _parse(payload, context)
        if parsed is None:
            return super().describe(node, payload, context)
        position, source = parsed
        code = code_line(context.seed.code(source.node))
        return f"insert `{code}` (from line {source.line}) at position {position}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def count(xs):\n    n = 0\n    for x in xs:\n        pass\n    return n\n\n\n"
                "def other(n):\n    n += 1\n    return n\n",
                "def count(xs):\n    n = 0\n    for x in xs:\n        pass\n        n += 1\n"
                "    return n\n\n\ndef other(n):\n    n += 1\n    return n\n",
            ),
            (
                "def find(xs, t):\n    for x in xs:\n        if x == t:\n            return x\n"
                "        # keep going\n        continue\n    return None\n",
                "def find(xs, t):\n    for x in xs:\n        if x == t:\n            continue\n"
                "            return x\n        # keep going\n        continue\n    return None\n",
            ),
            (
                'def f(x):\n    """Doc."""\n    return x\n\n\nSCALE = 2\n',
                'def f(x):\n    """Doc."""\n    SCALE = 2\n    return x\n\n\nSCALE = 2\n',
            ),
        ]
