"""Swap two statements of one block: the statements-in-the-wrong-order bug."""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import declares_scope, is_docstring, is_pass
from evolve.operators.base import Operator, Result, code_line, index_pair
from evolve.operators.context import Context
from evolve.program.patch import Payload


def _movable(block: cst.IndentedBlock) -> list[int]:
    # A docstring or pass has no effect wherever it goes, and global/nonlocal must stay ahead
    # of every use of their names.
    return [
        i
        for i, statement in enumerate(block.body)
        if not is_pass(statement)
        and not (i == 0 and is_docstring(statement))
        and not declares_scope(statement)
    ]


class SwapStatements(Operator):
    """Payload [i, j], i < j, indices into the block. Blank lines and comments above each
    statement stay where they are, so the diff shows just the two statements trading places."""

    name = "swap-statements"
    node_types = (cst.IndentedBlock,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.IndentedBlock):
            return []
        movable = _movable(node)
        body = node.body
        return [
            (i, j)
            for a, i in enumerate(movable)
            for j in movable[a + 1 :]
            if not body[i].deep_equals(body[j])
        ]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        pair = index_pair(payload)
        if not isinstance(node, cst.IndentedBlock) or pair is None:
            return None
        i, j = pair
        movable = _movable(node)
        if i not in movable or j not in movable:
            return None
        body = list(node.body)
        first, second = body[i], body[j]
        if first.deep_equals(second):
            return None
        body[i] = second.with_changes(leading_lines=getattr(first, "leading_lines", ()))
        body[j] = first.with_changes(leading_lines=getattr(second, "leading_lines", ()))
        return node.with_changes(body=body)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        pair = index_pair(payload)
        if not isinstance(node, cst.IndentedBlock) or pair is None or pair[1] >= len(node.body):
            return super().describe(node, payload, context)
        first, second = (code_line(context.seed.code(node.body[k])) for k in pair)
        return f"swap `{first}` and `{second}`"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def step(xs, i):\n    i += 1\n    y = xs[i]\n    return y\n",
                "def step(xs, i):\n    y = xs[i]\n    i += 1\n    return y\n",
            ),
            (
                "def f(x):\n    a = 1\n\n    # then\n    b = 2\n    return a + b\n",
                "def f(x):\n    b = 2\n\n    # then\n    a = 1\n    return a + b\n",
            ),
        ]
