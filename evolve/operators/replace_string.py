"""Use another string constant of the program: `sep = ","` -> `sep = ";"`.

The wrong-literal bug for strings. Candidates are the program's own string literals, as
written (quotes and prefixes included), docstrings left out. Bytes trade only with bytes:
`"a" b"b"` does not compile.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload


def _is_bytes(literal: str) -> bool:
    return "b" in literal[: literal.index(literal[-1])].lower()


class ReplaceString(Operator):
    name = "replace-string"
    node_types = (cst.SimpleString,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        facts = context.seed.facts
        if not isinstance(node, cst.SimpleString) or id(node) in facts.docstrings:
            return []
        kind = _is_bytes(node.value)
        return [text for text in facts.strings if text != node.value and _is_bytes(text) == kind]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.SimpleString) or not isinstance(payload, str):
            return None
        if payload == node.value or payload not in context.seed.facts.strings:
            return None
        if _is_bytes(payload) != _is_bytes(node.value):
            return None
        return node.with_changes(value=payload)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.SimpleString)
        return f"{node.value} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                'def join(xs):\n    return ",".join(xs)\n\n\n'
                'def split(s):\n    return s.split(";")\n',
                'def join(xs):\n    return ";".join(xs)\n\n\n'
                'def split(s):\n    return s.split(";")\n',
            ),
            (
                "def grade(n):\n    if n > 50:\n        return 'fail'\n    return 'fail'\n\n\n"
                "def ok():\n    return 'pass'\n",
                "def grade(n):\n    if n > 50:\n        return 'pass'\n    return 'fail'\n\n\n"
                "def ok():\n    return 'pass'\n",
            ),
        ]
