"""Do once more after a loop what the loop does under a condition: the forgotten last flush.

A loop that gathers items into a batch and hands each finished batch on (`elif current:
out.append(" ".join(current))`) must hand on the last one after the loop too; a loop that
compares each element with the one before must check the last run once it ends. The code
is already written inside the loop, under the right condition: this copies a guarded
statement (or the guard's whole body) to just after the loop, under the same guard. Neither
copy-statement (no guard) nor guard-statement (no copy) reaches it in one edit.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from evolve.operators.analysis import children
from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

MAX_PAYLOADS = 12
_JUMPS = (cst.Break, cst.Continue, cst.Return, cst.Raise, cst.Yield, cst.Await)
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def _guarded(
    loop: cst.For | cst.While,
) -> Iterator[tuple[cst.BaseExpression, list[cst.BaseStatement]]]:
    """(condition, statements) for each `if`/`elif` in the loop's body and each statement of
    its body, then its whole body; never what jumps out of the loop or the function."""

    def visit(node: cst.CSTNode) -> Iterator[tuple[cst.BaseExpression, list[cst.BaseStatement]]]:
        if isinstance(node, _NESTED):
            return
        if isinstance(node, cst.If) and isinstance(node.body, cst.IndentedBlock):
            # Simple statements only: a loop copied after a loop is not a flush.
            body: list[cst.BaseStatement] = [
                s
                for s in node.body.body
                if isinstance(s, cst.SimpleStatementLine) and not _jumps(s)
            ]
            if body and len(body) == len(node.body.body):
                yield node.test, body
                if len(body) > 1:
                    for statement in body:
                        yield node.test, [statement]
        for _, _, child in children(node):
            yield from visit(child)

    yield from visit(loop.body)


def _jumps(node: cst.CSTNode) -> bool:
    if isinstance(node, _JUMPS):
        return True
    if isinstance(node, _NESTED):
        return False
    return any(_jumps(child) for _, _, child in children(node))


def _choices(node: cst.CSTNode, context: Context) -> list[tuple[str, tuple[str, ...]]]:
    if not isinstance(node, cst.For | cst.While) or not context.in_block:
        return []
    code = context.seed.code
    found = [
        (code(test), tuple(code(s).strip("\n") for s in body)) for test, body in _guarded(node)
    ]
    return list(dict.fromkeys(found))[:MAX_PAYLOADS]


def _parse(payload: Payload) -> tuple[str, tuple[str, ...]] | None:
    if not isinstance(payload, tuple) or len(payload) != 2:
        return None
    test, body = payload
    if not isinstance(test, str) or not isinstance(body, tuple):
        return None
    statements = tuple(s for s in body if isinstance(s, str))
    return (test, statements) if len(statements) == len(body) else None


class FlushAfterLoop(Operator):
    """Payload [condition, [statement, ...]] (source texts): `if condition:` with those
    statements goes right after the loop."""

    name = "flush-after-loop"
    node_types = (cst.For, cst.While)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        return [(test, body) for test, body in _choices(node, context)]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = _parse(payload)
        if not isinstance(node, cst.For | cst.While) or parsed is None:
            return None
        if parsed not in _choices(node, context):
            return None
        test, body = parsed
        condition = context.seed.expression(test)
        if condition is None:
            return None
        config = context.seed.module.config_for_parsing
        try:
            statements = [cst.parse_statement(text + "\n", config) for text in body]
        except cst.ParserSyntaxError:
            return None
        guard = cst.If(test=condition, body=cst.IndentedBlock(body=statements))
        return cst.FlattenSentinel([node, guard])

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = _parse(payload)
        if parsed is None:
            return super().describe(node, payload, context)
        test, body = parsed
        # A statement's code carries the comment lines above it: one line, without them.
        lines = [
            " ".join(line.split())
            for text in body
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        return f"after the loop: if {' '.join(test.split())}: {'; '.join(lines)}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def runs(xs):\n    out = []\n    run = []\n    for x in xs:\n"
                "        if x:\n            run.append(x)\n        elif run:\n"
                "            out.append(run)\n            run = []\n    return out\n",
                "def runs(xs):\n    out = []\n    run = []\n    for x in xs:\n"
                "        if x:\n            run.append(x)\n        elif run:\n"
                "            out.append(run)\n            run = []\n    if run:\n"
                "        out.append(run)\n    return out\n",
            ),
        ]
