"""Pass on a sequence one step further along: `xs` -> `xs[1:]`, `path` -> `path + [key]`.

The recursion that makes no progress, or forgets where it is: `spiral(rest(matrix))` where
the first row should have been dropped first (`matrix[1:]`), `search(value, path)` where the
key just taken belongs on the path (`path + [key]`). The sequence is a name the function
reads as a list or a string, wherever it is read as a value: most often an argument of a
call, a returned or an assigned value. Candidates: its tail and its head (`xs[1:]`,
`xs[:-1]`), and the sequence with one of the function's other names appended or prepended.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import replacing
from evolve.operators.ingredients import ANY, SEQ, STR
from evolve.operators.operands import is_operand
from evolve.program.patch import Payload

TAIL, HEAD = "[1:]", "[:-1]"
APPEND, PREPEND = "append", "prepend"
_NAMES = 4  # other names of the function put on the sequence, its own first


def _text(sequence: str, payload: Payload) -> str | None:
    if payload in (TAIL, HEAD):
        return f"{sequence}{payload}"
    if not isinstance(payload, tuple) or len(payload) != 2:
        return None
    how, name = payload
    if not isinstance(name, str) or not name.isidentifier():
        return None
    if how == APPEND:
        return f"{sequence} + [{name}]"
    if how == PREPEND:
        return f"[{name}] + {sequence}"
    return None


class ExtendSequence(Operator):
    """Payload "[1:]" or "[:-1]", or ["append" | "prepend", name]."""

    name = "extend-sequence"
    node_types = (cst.Name,)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Name) or not is_operand(node, context):
            return []
        kind = context.scope.ingredients.kinds.get(node.value, ANY)
        # A name of unknown kind passed on to a call may well be the sequence a recursion
        # walks (`_search(node, target, path)`); elsewhere only known sequences qualify.
        passed = (context.parent, context.slot) == (cst.Arg, "value")
        if kind not in (SEQ, STR) and not (kind == ANY and passed):
            return []
        found: list[Payload] = [TAIL, HEAD]
        if kind != STR:
            others = [n for n in context.scope.names if n != node.value][:_NAMES]
            found += [(how, name) for name in others for how in (APPEND, PREPEND)]
        return found

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Name):
            return None
        text = _text(node.value, payload)
        value = None if text is None else context.seed.expression(text)
        if value is None:
            return None
        return replacing(node, value, (context.parent, context.slot))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        if not isinstance(node, cst.Name):
            return super().describe(node, payload, context)
        return f"{node.value} -> {_text(node.value, payload)}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def total(xs):\n    if not xs:\n        return 0\n    return xs[0] + total(xs)\n",
                "def total(xs):\n    if not xs:\n        return 0\n"
                "    return xs[0] + total(xs[1:])\n",
            ),
            (
                "def paths(tree, trail):\n    out = [trail]\n    for key in tree:\n"
                "        out += paths(tree[key], trail)\n    return out\n",
                "def paths(tree, trail):\n    out = [trail]\n    for key in tree:\n"
                "        out += paths(tree[key], trail + [key])\n    return out\n",
            ),
        ]
