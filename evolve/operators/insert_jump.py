"""Insert `break`, `continue` or `return <expr>` after a statement: the missing-exit bug, and
for speed-ups the early exit.

break and continue go only into blocks inside a loop of the function; return values are the
replace-return candidates of the enclosing function.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import is_docstring, is_terminal
from evolve.operators.base import Operator, Result, code_line
from evolve.operators.context import Context
from evolve.program.patch import Payload

_LOOP_JUMPS = ("break", "continue")
_RETURN = "return "


def _jumps(context: Context) -> list[str]:
    jumps = list(_LOOP_JUMPS) if context.in_loop else []
    # `return value` does not compile in an async generator, and the scope does not say
    # whether it is one.
    if not context.scope.is_async:
        jumps += [_RETURN + value for value in context.scope.expressions]
    return jumps


def _positions(block: cst.IndentedBlock) -> list[int]:
    # After a return or raise the jump would be dead code; after a docstring it would stop the
    # rest of the block from ever running, which delete-statement offers more plainly.
    return [
        index + 1
        for index, statement in enumerate(block.body)
        if not is_terminal(statement) and not (index == 0 and is_docstring(statement))
    ]


def _statement(code: str, context: Context) -> cst.SimpleStatementLine | None:
    small: cst.BaseSmallStatement
    if code == "break":
        small = cst.Break()
    elif code == "continue":
        small = cst.Continue()
    elif code.startswith(_RETURN):
        value = context.seed.expression(code.removeprefix(_RETURN))
        if value is None:
            return None
        small = cst.Return(value=value)
    else:
        return None
    return cst.SimpleStatementLine(body=[small])


class InsertJump(Operator):
    """Payload [position, statement]: the jump goes before the statement now at `position`,
    which is never 0, so it always follows a statement."""

    name = "insert-jump"
    node_types = (cst.IndentedBlock,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.IndentedBlock):
            return []
        jumps = _jumps(context)
        return [(position, jump) for position in _positions(node) for jump in jumps]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.IndentedBlock) or not isinstance(payload, tuple):
            return None
        if len(payload) != 2 or not isinstance(payload[1], str):
            return None
        position, code = payload
        if not isinstance(position, int) or isinstance(position, bool):
            return None
        if position not in _positions(node) or code not in _jumps(context):
            return None
        statement = _statement(code, context)
        if statement is None:
            return None
        body = list(node.body)
        body.insert(position, statement)
        return node.with_changes(body=body)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        if not isinstance(node, cst.IndentedBlock) or not isinstance(payload, tuple):
            return super().describe(node, payload, context)
        position, code = payload if len(payload) == 2 else (None, None)
        if (
            not isinstance(position, int)
            or isinstance(position, bool)
            or not 0 < position <= len(node.body)
        ):
            return super().describe(node, payload, context)
        after = code_line(context.seed.code(node.body[position - 1]))
        return f"insert `{code}` after `{after}`"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def find(xs, t):\n    at = -1\n    for i, x in enumerate(xs):\n"
                "        if x == t:\n            at = i\n    return at\n",
                "def find(xs, t):\n    at = -1\n    for i, x in enumerate(xs):\n"
                "        if x == t:\n            at = i\n            break\n    return at\n",
            ),
            (
                "def odd_sum(xs):\n    t = 0\n    for x in xs:\n        if x % 2 == 0:\n"
                "            pass\n        t += x\n    return t\n",
                "def odd_sum(xs):\n    t = 0\n    for x in xs:\n        if x % 2 == 0:\n"
                "            pass\n            continue\n        t += x\n    return t\n",
            ),
            (
                "def first_big(xs, k):\n    for x in xs:\n        if x > k:\n            k = x\n"
                "    return None\n",
                "def first_big(xs, k):\n    for x in xs:\n        if x > k:\n            k = x\n"
                "            return x\n    return None\n",
            ),
        ]
