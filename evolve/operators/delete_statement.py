"""Delete a statement: the extra-statement bug. A block left empty gets `pass`."""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import is_docstring, is_pass
from evolve.operators.base import Operator, Result, code_line
from evolve.operators.context import Context
from evolve.program.patch import Payload


class DeleteStatement(Operator):
    """The site is the statement itself, so fault localisation can weigh it by its line.

    Deleting `pass` or a docstring changes nothing the tests could see, so neither is offered.
    The `pass` an emptied block needs is added by `Program`, which sees the whole block.
    """

    name = "delete-statement"
    node_types = (cst.BaseStatement,)
    keeps_children = False

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not context.in_block or is_pass(node) or is_docstring(node):
            return []
        return [None]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.BaseStatement) or not context.in_block or payload is not None:
            return None
        return cst.RemovalSentinel.REMOVE

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        return f"delete `{code_line(context.seed.code(node))}`"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def count(xs):\n    n = 0\n    for x in xs:\n        n += 1\n        n += 1\n"
                "    return n\n",
                "def count(xs):\n    n = 0\n    for x in xs:\n        n += 1\n    return n\n",
            ),
            (
                "def check(x):\n    if x:\n        raise ValueError(x)\n    return x\n",
                "def check(x):\n    if x:\n        pass\n    return x\n",
            ),
            (
                "def f(x):\n    # note\n    if x:\n        return 1\n    return 0\n",
                "def f(x):\n    return 0\n",
            ),
        ]
