"""Change a string literal by one character: `", "` -> `","`, `"%d items"` -> `"%d item"`.

The wrong-literal bug that replace-string cannot reach because no literal of the program is
the right one: a separator with a space too many, a missing punctuation mark. A character is
dropped, or one that the program's other string literals use is added at either end. Strings
with escapes other than simple two-character ones (`\\n`, `\\t`, `\\\\`, quotes) are left
alone, and so are multi-line ones, so every edit stays a valid literal; one-character
literals are characters, not text, and are left to replace-string.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

DROP, INSERT = "drop", "insert"
_SIMPLE_ESCAPES = frozenset("ntr\\'\"")
_CHARACTERS = 8  # characters of the program's other literals offered, first used first
_DROPS = 8  # characters dropped: the first and last few
MAX_PAYLOADS = 30


def _split(literal: str) -> tuple[str, str, list[str]] | None:
    """(prefix and opening quote, closing quote, the body's characters with each two-character
    escape as one), or None if the literal is not one this operator edits."""
    quote_at = next((i for i, ch in enumerate(literal) if ch in "'\""), -1)
    if quote_at < 0:
        return None
    quote = literal[quote_at] * (3 if literal[quote_at:].startswith(literal[quote_at] * 3) else 1)
    if len(literal) < quote_at + 2 * len(quote) or not literal.endswith(quote):
        return None
    body = literal[quote_at + len(quote) : len(literal) - len(quote)]
    if "\n" in body:
        return None
    units: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _SIMPLE_ESCAPES:
                return None
            units.append(body[i : i + 2])
            i += 2
        else:
            units.append(body[i])
            i += 1
    return literal[: quote_at + len(quote)], quote, units


def _safe(ch: str, quote: str, is_bytes: bool) -> bool:
    return ch not in "\\\n\r'\"" and ch.isprintable() and (ch.isascii() or not is_bytes)


class EditString(Operator):
    """Payload ["drop", i] drops character i of the body (an escape counts as one);
    ["insert", i, c] puts character c before character i (i = the length appends)."""

    name = "edit-string"
    node_types = (cst.SimpleString,)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        facts = context.seed.facts
        if not isinstance(node, cst.SimpleString) or id(node) in facts.docstrings:
            return []
        if not context.is_value or (split := _split(node.value)) is None:
            return []
        opening, quote, units = split
        if len(units) < 2:
            # A one-character literal is a character (`"a" <= ch`, `ch == "("`), not text a
            # character is missing from: that is replace-string's.
            return []
        is_bytes = "b" in opening.lower()
        n = len(units)
        drops = sorted(set(range(min(n, _DROPS // 2))) | set(range(max(0, n - _DROPS // 2), n)))
        found: list[Payload] = [(DROP, i) for i in drops]
        characters: dict[str, None] = {}
        for literal in facts.strings:
            if literal != node.value and (other := _split(literal)) is not None:
                for unit in other[2]:
                    if len(unit) == 1 and _safe(unit, quote, is_bytes):
                        characters.setdefault(unit)
        for ch in list(characters)[:_CHARACTERS]:
            found += [(INSERT, n, ch), (INSERT, 0, ch)]
        return found[:MAX_PAYLOADS]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.SimpleString) or not isinstance(payload, tuple):
            return None
        split = _split(node.value)
        if split is None or len(payload) not in (2, 3):
            return None
        opening, quote, units = split
        action, index = payload[0], payload[1]
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            return None
        if action == DROP and len(payload) == 2 and index < len(units):
            del units[index]
        elif action == INSERT and len(payload) == 3 and index <= len(units):
            ch = payload[2]
            if not isinstance(ch, str) or len(ch) != 1:
                return None
            if not _safe(ch, quote, "b" in opening.lower()):
                return None
            units.insert(index, ch)
        else:
            return None
        # A body ending in a quote character would close a triple-quoted string early.
        body = "".join(units)
        if len(quote) == 3 and body.endswith(quote[0]):
            return None
        return node.with_changes(value=opening + body + quote)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        after = self.apply(node, payload, context)
        if not isinstance(node, cst.SimpleString) or not isinstance(after, cst.SimpleString):
            return super().describe(node, payload, context)
        return f"{node.value} -> {after.value}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def join(xs):\n    return ', '.join(xs)\n",
                "def join(xs):\n    return ','.join(xs)\n",
            ),
            (
                "def greet(n):\n    return 'Hello' + n\n\n\ndef sep():\n    return ', '\n",
                "def greet(n):\n    return 'Hello,' + n\n\n\ndef sep():\n    return ', '\n",
            ),
        ]
