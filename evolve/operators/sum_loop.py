"""Replace a manual accumulation loop with the builtin: `for x in xs: total += x` ->
`total += sum(xs)`. The manual-loop speed-up, for exactly that pattern and no other."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload


def _accumulation(node: cst.CSTNode) -> tuple[cst.SimpleStatementLine, cst.AugAssign] | None:
    """The `total += x` line of `for x in xs: total += x`, or None if `node` is not that loop."""
    if not isinstance(node, cst.For) or node.asynchronous is not None or node.orelse is not None:
        return None
    if not isinstance(node.target, cst.Name) or not isinstance(node.body, cst.IndentedBlock):
        return None
    if len(node.body.body) != 1:
        return None
    line = node.body.body[0]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    step = line.body[0]
    if not isinstance(step, cst.AugAssign) or not isinstance(step.operator, cst.AddAssign):
        return None
    if not isinstance(step.target, cst.Name) or step.target.value == node.target.value:
        return None
    if not isinstance(step.value, cst.Name) or step.value.value != node.target.value:
        return None
    return line, step


def _fits(node: cst.CSTNode, context: Context) -> bool:
    # A local or module variable named `sum` would hide the builtin.
    return _accumulation(node) is not None and "sum" not in context.scope.names


class SumLoop(Operator):
    name = "sum-loop"
    node_types = (cst.For,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        return [None] if _fits(node, context) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        found = _accumulation(node)
        if payload is not None or found is None or not _fits(node, context):
            return None
        assert isinstance(node, cst.For)
        line, step = found
        iterable = node.iter
        if isinstance(iterable, cst.Tuple) and not iterable.lpar:
            # `for x in a, b:` sums the tuple `(a, b)`, not two arguments.
            iterable = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        total = step.with_changes(value=cst.Call(func=cst.Name("sum"), args=[cst.Arg(iterable)]))
        return line.with_changes(body=[total], leading_lines=node.leading_lines)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.For)
        return f"replace the loop over {context.seed.code(node.iter)} with sum()"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def total(xs):\n    t = 0\n    # add them up\n    for x in xs:\n        t += x\n"
                "    return t\n",
                "def total(xs):\n    t = 0\n    # add them up\n    t += sum(xs)\n    return t\n",
            ),
            (
                "def total(a, b):\n    t = 0\n    for x in a, b:\n        t += x\n    return t\n",
                "def total(a, b):\n    t = 0\n    t += sum((a, b))\n    return t\n",
            ),
        ]
