"""Anti-patterns: the shapes plausible-but-wrong repairs take, whatever operator made them.

A patch that passes every test can still be wrong everywhere the tests do not look. Studies
of search-based repair (Tan et al., "Anti-patterns in search-based program repair", FSE
2016; Qi et al. on Kali's deletion patches) found the same few shapes again and again: a
computed result replaced by a constant, control flow deleted until the failing test passes,
a condition made constant, a result of another type than the program returns. They are read
here from the programs themselves (seed against candidate, function by function, on
Python's `ast`), so any operator that produces one is caught, and from what the programs
return on the generated inputs.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

CONSTANT_RETURN = "constant-return"  # more returns of a literal than the seed has
REMOVED_CONTROL = "removed-control"  # fewer if/for/while/return/raise/try than the seed
CONSTANT_CONDITION = "constant-condition"  # a condition the seed computes is now a literal
RESULT_TYPE = "result-type"  # returns another kind of value than the seed does

_CONTROL = (ast.If, ast.For, ast.While, ast.Return, ast.Raise, ast.Try, ast.With)


def code_anti_patterns(seed: Mapping[str, str], candidate: Mapping[str, str]) -> list[str]:
    """The anti-patterns the candidate's code shows against the seed's, file by file."""
    found: list[str] = []
    for name, text in candidate.items():
        before = _functions(seed.get(name, ""))
        after = _functions(text)
        for qualified, function in after.items():
            old = before.get(qualified)
            if old is None:
                continue
            for pattern in _compare(old, function):
                if pattern not in found:
                    found.append(pattern)
    return found


def result_type_changed(seed_outputs: Sequence[str | None], outputs: Sequence[str | None]) -> bool:
    """Whether the candidate returns a value of another JSON kind than the seed on an input
    where both return one, where the seed itself always returns one kind (a function whose
    results already vary in kind says nothing by changing it)."""
    seed_kinds = {_kind(text) for text in seed_outputs if text is not None}
    if len(seed_kinds) != 1:
        return False
    for before, after in zip(seed_outputs, outputs, strict=False):
        if before is not None and after is not None and _kind(after) not in seed_kinds:
            return True
    return False


def _compare(seed: ast.AST, candidate: ast.AST) -> Iterator[str]:
    if _constant_returns(candidate) > _constant_returns(seed):
        yield CONSTANT_RETURN
    before, after = _control(seed), _control(candidate)
    if any(after[kind] < count for kind, count in before.items()):
        yield REMOVED_CONTROL
    if _constant_conditions(candidate) > _constant_conditions(seed):
        yield CONSTANT_CONDITION


def _functions(source: str) -> dict[str, ast.AST]:
    """Every function of `source` by qualified name; empty when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found: dict[str, ast.AST] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found[name] = child
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of functions nested in it."""
    for child in ast.iter_child_nodes(function):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield child
        yield from _own_nodes(child)


def _constant_returns(function: ast.AST) -> int:
    return sum(
        1
        for node in _own_nodes(function)
        if isinstance(node, ast.Return) and node.value is not None and _is_literal(node.value)
    )


def _control(function: ast.AST) -> Counter[str]:
    return Counter(
        type(node).__name__ for node in _own_nodes(function) if isinstance(node, _CONTROL)
    )


def _constant_conditions(function: ast.AST) -> int:
    tests = [
        node.test
        for node in _own_nodes(function)
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert)
    ]
    # `while True:` is an idiom, not a condition made constant; only its count can grow.
    return sum(1 for test in tests if _is_literal(test))


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        return _is_literal(node.operand)
    return isinstance(node, ast.Constant)


def _kind(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__
