"""Anti-patterns: the shapes plausible-but-wrong repairs take, whatever operator made them.

A patch that passes every test can still be wrong everywhere the tests do not look. Studies
of search-based repair (Tan et al., "Anti-patterns in search-based program repair", FSE
2016; Qi et al. on Kali's deletion patches) found the same few shapes again and again: a
computed result replaced by a constant, control flow deleted until the failing test passes,
a condition made constant, a result of another type than the program returns. One more
is the operand neutralised rather than removed: `n - 1` made `n / 1` or `n * 1` passes the
tests an off-by-one failed, and may quietly change the value's type (`n / 1` is a float).
A last one silences a check the seed asked for: `zip(a, b, strict=True)` made
`strict=False` passes a test that the check made fail (words of unequal length), where the
fix was to handle that case. They are read here from the programs themselves (seed against
candidate, function by function, on Python's `ast`), so any operator that produces one is
caught, and from what the programs return on the generated inputs. Tan et al. also name the
early exit: a `return` put in front of statements the seed runs, which cuts them off.
So is an input thrown away: a parameter or a loop variable that the seed reads and the
candidate binds but never reads (`(9 - i) * v for i, v in ...` made `(9 - i) * (len(code) -
1) for i, v in ...`). The code was written around that value; a repair that stops looking at
it answers the tests from something else. Recursion is control flow too: a recursive call
dropped (a tree walk that answers from its root alone), or its answer negated so that it flips
with the depth (`not any(walk(child) ...)`: right for a game tree's alternating turns, and in
the repair runs of this project's suites only ever a wrong repair gaming a path-sum check).
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
IDENTITY_OPERATION = "identity-operation"  # more `x * 1`, `x - 0`, `x - 1 + 1`... than the seed
SILENCED_CHECK = "silenced-check"  # fewer `strict=True`, `check=True`... arguments than the seed
DEAD_CODE = "dead-code"  # more statements after a return/raise/break/continue than the seed
DISCARDED_INPUT = "discarded-input"  # a parameter or loop variable the seed reads, now unread
NEGATED_RECURSION = "negated-recursion"  # more `not f(...)` inside `f` itself than the seed
REMOVED_RECURSION = "removed-recursion"  # fewer calls of `f` inside `f` itself than the seed
EARLY_VERDICT = "early-verdict"  # a loop that only returned False (or True) returns more
# Patterns of style rather than of shape: the code computes what a clean fix computes, written
# oddly (`n - 0` is `n`). They rank a candidate after one that raises on fewer inputs, not
# before every other test (`repair-compound/range_sums`: `min(.., n - 0)` is the fix, `min(..,
# n + 1)` indexes past the end of the list on 22 of 40 generated inputs).
STYLE = frozenset({IDENTITY_OPERATION})

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
    if _identity_operations(candidate) > _identity_operations(seed):
        yield IDENTITY_OPERATION
    if _checks(candidate) < _checks(seed):
        yield SILENCED_CHECK
    if _dead_statements(candidate) > _dead_statements(seed):
        yield DEAD_CODE
    if _discarded_inputs(seed, candidate):
        yield DISCARDED_INPUT
    if _negated_recursions(candidate) > _negated_recursions(seed):
        yield NEGATED_RECURSION
    if _recursions(candidate) < _recursions(seed):
        yield REMOVED_RECURSION
    if _early_verdict(seed, candidate):
        yield EARLY_VERDICT


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
    """Returns of a literal, but for the checks that open a function (`if not xs: return
    0`): answering a degenerate input at once is a precondition, not a result made
    constant."""
    checks = {id(node) for node in _preconditions(function)}
    return sum(
        1
        for node in _own_nodes(function)
        if isinstance(node, ast.Return)
        and node.value is not None
        and _is_literal(node.value)
        and id(node) not in checks
    )


def _preconditions(function: ast.AST) -> Iterator[ast.Return]:
    """The returns of the `if test: return value` statements at the top of a function's body
    (after its docstring), before any other statement."""
    body = getattr(function, "body", [])
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        if not (isinstance(statement, ast.If) and not statement.orelse):
            return
        if len(statement.body) != 1 or not isinstance(statement.body[0], ast.Return):
            return
        yield statement.body[0]


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


_EXITS = (ast.Return, ast.Raise, ast.Break, ast.Continue)


def _dead_statements(function: ast.AST) -> int:
    """Statements that can never run: those after a return, raise, break or continue in the
    same block. An exit put in front of code the seed runs (a `return` made the first
    statement of a loop's body) passes the tests the rest of the block failed, and cuts that
    rest off: Tan et al.'s "early exit" anti-pattern."""
    dead = 0
    for node in (function, *_own_nodes(function)):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if not isinstance(block, list):
                continue
            exits = [i for i, statement in enumerate(block) if isinstance(statement, _EXITS)]
            if exits:
                dead += len(block) - exits[0] - 1
    return dead


def _discarded_inputs(seed: ast.AST, candidate: ast.AST) -> bool:
    """Whether the candidate leaves unread a parameter the seed reads, or has more loop
    variables left unread than the seed: a comprehension's where the comprehension never
    reads it (its scope), a `for` statement's where the function never does. Names that start
    with `_` say they are unused on purpose. Across the bench runs of the repair suites, every
    chosen repair this flagged was wrong (an ISBN check digit summed from the code's length
    instead of its digits) and no correct one was; counting every assigned name as well
    flagged correct repairs (a temporary that the fix inlines)."""
    before, after = _reads(seed), _reads(candidate)
    parameters = _parameters(seed) & _parameters(candidate)
    if any(before[name] > 0 and after[name] == 0 for name in parameters):
        return True
    return _unread_loop_variables(candidate) > _unread_loop_variables(seed)


def _parameters(function: ast.AST) -> set[str]:
    arguments = getattr(function, "args", None)
    if not isinstance(arguments, ast.arguments):
        return set()
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
    return {arg.arg for arg in every if not arg.arg.startswith("_")}


def _unread_loop_variables(function: ast.AST) -> int:
    unread = 0
    reads = _reads(function)
    for node in _own_nodes(function):
        if isinstance(node, ast.For | ast.AsyncFor):
            scope = reads
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            scope = _reads(node)
        else:
            continue
        targets = (
            [node.target]
            if isinstance(node, ast.For | ast.AsyncFor)
            else [generator.target for generator in node.generators]
        )
        names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        unread += sum(1 for name in names if not name.startswith("_") and scope[name] == 0)
    return unread


def _reads(node: ast.AST) -> Counter[str]:
    return Counter(
        child.id
        for child in ast.walk(node)
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load)
    )


def _negated_recursions(function: ast.AST) -> int:
    """Negations of what the function's own recursive calls answer (`return not any(
    _has_path(c) for c in children)` inside `_has_path`). The answer then flips with the
    depth of the recursion: right for a game tree's alternating turns, and otherwise a
    truth value turned round until a few tests pass (a path-sum check that answers True
    for the leaves it ought to reject)."""
    name = getattr(function, "name", None)
    return sum(
        1
        for node in _own_nodes(function)
        if isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.Not)
        and any(_calls(child, name) for child in ast.walk(node.operand))
    )


def _early_verdict(seed: ast.AST, candidate: ast.AST) -> bool:
    """Whether the seed's loops only ever return False from inside (a check of every
    element: any bad one rejects, acceptance waits for the loop's end), and the candidate's
    return something else from inside too (True, or a computed truth value), or the other
    way round (a search: any match accepts). The loop then decides on the first element that
    gets past its checks, and the rest go unread: an IPv4 check that answers True, or
    `len(part) == 3`, once its first part is below 255. Across the bench runs of the repair
    suites every chosen repair this flagged was wrong (49) and no correct one was (of 2,272)."""
    before, after = _loop_returns(seed), _loop_returns(candidate)
    for verdict in (True, False):
        if before[verdict] and set(before) == {verdict} and set(after) - {verdict}:
            return True
    return False


def _loop_returns(function: ast.AST) -> Counter[bool | None]:
    """The function's returns inside its loops: of True, of False, and of anything else
    (None)."""
    found: Counter[bool | None] = Counter()
    for loop in _own_nodes(function):
        if not isinstance(loop, ast.For | ast.AsyncFor | ast.While):
            continue
        for node in _own_nodes(loop):
            if isinstance(node, ast.Return):
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                    found[value.value] += 1
                else:
                    found[None] += 1
    return found


def _recursions(function: ast.AST) -> int:
    """The function's calls of itself: a recursion the seed makes and the candidate does not
    is control flow deleted, as a loop removed is (a tree walk that answers from the root
    alone passes the tests on trees of one level)."""
    name = getattr(function, "name", None)
    return sum(1 for node in _own_nodes(function) if _calls(node, name))


def _calls(node: ast.AST, name: str | None) -> bool:
    """Whether `node` calls `name`: `name(...)`, or `x.name(...)` on any receiver (a method
    calls itself through `self`; the receiver is not checked, so a call of another object's
    method of the same name counts too)."""
    if not isinstance(node, ast.Call):
        return False
    callee = node.func
    if isinstance(callee, ast.Attribute):
        return callee.attr == name
    return isinstance(callee, ast.Name) and callee.id == name


# Keyword arguments that, set True, make a call check and raise: `zip(a, b, strict=True)`,
# `subprocess.run(args, check=True)`.
_CHECK_KEYWORDS = frozenset({"strict", "check", "validate"})


def _checks(function: ast.AST) -> int:
    return sum(
        1
        for node in _own_nodes(function)
        if isinstance(node, ast.keyword)
        and node.arg in _CHECK_KEYWORDS
        and isinstance(node.value, ast.Constant)
        and node.value.value is True
    )


# The literal operand that makes each operator leave the other one as it is.
_IDENTITIES: dict[type[ast.operator], int] = {
    ast.Add: 0,
    ast.Sub: 0,
    ast.Mult: 1,
    ast.Div: 1,
    ast.FloorDiv: 1,
    ast.Pow: 1,
    ast.BitOr: 0,
    ast.BitXor: 0,
    ast.LShift: 0,
    ast.RShift: 0,
}
# Those that are the identity on either side (`0 + x`, `1 * x`).
_COMMUTATIVE = (ast.Add, ast.Mult, ast.BitOr, ast.BitXor)


def _identity_operations(function: ast.AST) -> int:
    count = 0
    for node in _own_nodes(function):
        if not isinstance(node, ast.BinOp | ast.AugAssign):
            continue
        if isinstance(node, ast.BinOp) and _cancelled(node):
            count += 1
            continue
        identity = _IDENTITIES.get(type(node.op))
        if identity is None:
            continue
        if isinstance(node, ast.AugAssign):
            operands = [node.value]
        else:
            operands = (
                [node.right, node.left] if isinstance(node.op, _COMMUTATIVE) else [node.right]
            )
        if any(_is_number(operand, identity) for operand in operands):
            count += 1
    return count


_INVERSES = {(ast.Add, ast.Sub), (ast.Sub, ast.Add)}


def _cancelled(node: ast.BinOp) -> bool:
    """An offset taken back at once: `n - 1 + 1`, `x + k - k` (one edit's offset undone by
    another's, which passes the tests as the clean fix does)."""
    inner = node.left
    return (
        isinstance(inner, ast.BinOp)
        and (type(inner.op), type(node.op)) in _INVERSES
        and ast.dump(inner.right) == ast.dump(node.right)
    )


def _is_number(node: ast.AST, value: int) -> bool:
    return (
        isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value == value
    )


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
