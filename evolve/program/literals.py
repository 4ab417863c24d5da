"""String literals the tests suggest: the separators and marks their inputs are written with.

A fix's ingredients are mostly in the program already (see `evolve.operators.ingredients`),
but not always: a parser that splits on commas and tabs and misses semicolons holds no `";"`
anywhere, while the inputs the tests give it do (`"1;2;3"`). The characters of the tests'
input strings that are neither letters nor digits (punctuation, spaces, tabs) are such
ingredients, the commonest first, and `edit-collection` offers them beside the program's
own string literals: `{",", "\\t"}` -> `{",", "\\t", ";"}`.

Only marks, not words: a word of an input (`"ann"`) is data the program reads, where a mark
is often syntax it must know. Read from a case suite's arguments, or from the string
constants of a pytest suite's Python files.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sandbox import CaseSuite, PytestSuite

MAX_LITERALS = 4  # offered beside the program's own strings; the pools take a few at most
_OWNERS = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # docstrings
_MAX_STRING_CHARS = 200  # longer strings are data (a document), not the marks of a format


def literals_from_tests(suite: CaseSuite | PytestSuite | None) -> tuple[str, ...]:
    """The marks of the suite's input strings as Python string literals (`'";"'`), the
    commonest first, ties in character order; at most `MAX_LITERALS`."""
    if suite is None:
        return ()
    strings = _case_strings(suite) if isinstance(suite, CaseSuite) else _pytest_strings(suite)
    counts: Counter[str] = Counter()
    for text in strings:
        if len(text) <= _MAX_STRING_CHARS:
            counts.update(ch for ch in text if _is_mark(ch))
    ranked = sorted(counts, key=lambda ch: (-counts[ch], ch))
    return tuple(json.dumps(ch) for ch in ranked[:MAX_LITERALS])


def _is_mark(ch: str) -> bool:
    """Punctuation, a space, a tab or a line break."""
    return (not ch.isalnum() and ch.isprintable()) or ch in "\t\n"


def _case_strings(suite: CaseSuite) -> Iterator[str]:
    for case in suite.cases:
        yield from _strings((case.args, case.kwargs))


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a case's arguments: nested lists, tuples and dicts included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def _pytest_strings(suite: PytestSuite) -> Iterator[str]:
    for name in suite.files:
        path = suite.directory / name
        yield from _constants(path.rglob("*.py") if path.is_dir() else [path])


def _constants(paths: Iterable[Path]) -> Iterator[str]:
    """The string constants of Python files, docstrings left out; a file that cannot be
    read or parsed gives none (pytest reports it when the suite runs)."""
    for path in paths:
        if path.suffix != ".py":
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        docstrings = set()
        for node in ast.walk(tree):
            if isinstance(node, _OWNERS) and node.body and isinstance(node.body[0], ast.Expr):
                docstrings.add(id(node.body[0].value))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                yield node.value
