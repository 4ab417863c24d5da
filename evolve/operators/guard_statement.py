"""Wrap a statement in `if <condition>:`: the missing-guard bug.

Conditions come from the enclosing function (its tests, comparisons and parameters), as
source text, so the payload reads as the guard it adds.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import declares_scope, is_docstring, is_pass
from evolve.operators.base import Operator, Result, code_line
from evolve.operators.context import Context
from evolve.program.patch import Payload


def _guardable(node: cst.CSTNode, context: Context) -> bool:
    # A guarded `pass` or docstring changes nothing, and a guarded global declaration would
    # no longer precede the uses of its names.
    return (
        isinstance(node, cst.BaseStatement)
        and context.in_block
        and not is_pass(node)
        and not is_docstring(node)
        and not declares_scope(node)
    )


class GuardStatement(Operator):
    name = "guard-statement"
    node_types = (cst.BaseStatement,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not _guardable(node, context):
            return []
        # `if c:` guarded by `c` again changes nothing.
        own = context.seed.code(node.test) if isinstance(node, cst.If) else None
        return [condition for condition in context.scope.conditions if condition != own]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.SimpleStatementLine | cst.BaseCompoundStatement):
            return None
        if not _guardable(node, context):
            return None
        if not isinstance(payload, str) or payload not in context.scope.conditions:
            return None
        if isinstance(node, cst.If) and context.seed.code(node.test) == payload:
            return None
        test = context.seed.expression(payload)
        if test is None:
            return None
        # Comments and blank lines above the statement now belong above the guard.
        return cst.If(
            test=test,
            body=cst.IndentedBlock(body=[node.with_changes(leading_lines=())]),
            leading_lines=node.leading_lines,
        )

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        return f"guard `{code_line(context.seed.code(node))}` with `if {payload}:`"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def first(xs):\n    # the head\n    return xs[0]\n",
                "def first(xs):\n    # the head\n    if xs:\n        return xs[0]\n",
            ),
            (
                "def total(xs, k):\n    t = 0\n    for x in xs:\n        t += x\n"
                "        if x > k:\n            break\n    return t\n",
                "def total(xs, k):\n    t = 0\n    for x in xs:\n        if x > k:\n"
                "            t += x\n        if x > k:\n            break\n    return t\n",
            ),
        ]
