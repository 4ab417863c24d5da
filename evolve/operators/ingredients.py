"""What a function's own code says about its names, and the expressions it already holds.

Fixes are mostly built from what the program already contains (the redundancy assumption of
GenProg; SimFix, CapGen and ARJA synthesise expressions from such ingredients). The operators
that build expressions draw their parts from here, and use the names' kinds to keep to parts
that fit: a name only ever used as a list is never offered `+ 1`.

A kind is a guess from how a name is used in the function: compared with `<`, counted with
`range()` or stepped with `+= 1` makes it a number; subscripted, passed to `len()`, iterated
or appended to makes it a sequence; string methods and string literals make it a string. The
guess takes the majority of the uses; a name with no telling use stays `ANY`.

Run once per editable function when the seed is parsed; nothing here is on the per-variant
path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange

from evolve.operators.analysis import children

NUM, SEQ, STR, BOOL, ANY = "num", "seq", "str", "bool", "any"

# Builtins whose result, or whose arguments, have a known kind.
_NUMBER_CALLS = frozenset({"len", "sum", "abs", "int", "round", "ord", "float", "pow"})
_SEQUENCE_CALLS = frozenset(
    {"list", "sorted", "tuple", "set", "dict", "reversed", "zip", "enumerate", "map", "filter"}
)
_STRING_CALLS = frozenset({"str", "chr", "repr", "format"})
_BOOL_CALLS = frozenset({"bool", "isinstance", "any", "all", "callable", "hasattr"})
_TAKES_SEQUENCE = frozenset(
    {"len", "sorted", "sum", "enumerate", "reversed", "set", "list", "tuple", "zip", "any", "all"}
)
_SEQUENCE_METHODS = frozenset(
    {"append", "extend", "pop", "insert", "sort", "remove", "reverse", "clear", "copy"}
    | {"get", "items", "keys", "values", "setdefault", "add", "discard", "popleft"}
)
_STRING_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "split", "startswith", "endswith"}
    | {"isalnum", "isdigit", "isalpha", "isspace", "islower", "isupper", "replace", "find"}
    | {"title", "capitalize", "zfill", "center", "ljust", "rjust", "encode", "splitlines"}
)
# String methods whose first argument is a string too.
_SUBSTRING_METHODS = frozenset(
    {"find", "rfind", "index", "startswith", "endswith", "replace", "split", "count"}
)
_STRING_RESULTS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "join", "replace", "format", "title"}
    | {"capitalize", "zfill", "center", "ljust", "rjust"}
)
_NUMBER_RESULTS = frozenset({"count", "index", "find", "rfind", "bit_length"})
_ORDERING = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
_NUMERIC_ONLY = (
    cst.Subtract,
    cst.Divide,
    cst.FloorDivide,
    cst.Power,
    cst.LeftShift,
    cst.RightShift,
)
_ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Divide, cst.Modulo)
_SKIPPED = frozenset({cst.FunctionDef, cst.ClassDef, cst.Lambda})
# Sub-expressions worth reusing elsewhere: short, one line, free of side effects.
_MAX_CHARS = 30
_REUSABLE = frozenset({cst.BinaryOperation, cst.Subscript, cst.Call, cst.UnaryOperation})
_IMPURE = frozenset({cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda})


@dataclass(frozen=True)
class Ingredient:
    code: str
    kind: str
    line: int


@dataclass(frozen=True)
class Ingredients:
    kinds: Mapping[str, str] = field(default_factory=dict)  # name -> kind of its uses
    numbers: tuple[str, ...] = ()  # numeric names, the function's own first
    # Names with no telling use (a value unpacked from a record and only returned), in the
    # same order: numbers as likely as not, where the function has few known ones.
    untyped: tuple[str, ...] = ()
    sized: tuple[str, ...] = ()  # sequences and strings: `len()` applies
    expressions: tuple[Ingredient, ...] = ()  # reusable sub-expressions, in source order
    # Names the function accumulates into (`total += x`), with the first such operator's
    # class: a plain `total = y` beside it may be the accumulation gone wrong.
    accumulated: Mapping[str, type[cst.BaseAugOp]] = field(default_factory=dict)
    # Names the function starts at an empty value (`total = 0`, `out = []`, `text = ""`) that
    # a loop assigns and never reads: each pass overwrites what the last one left, unused, as
    # a sum does that keeps only its last term (`total = num * units[ch]`). A name the loop
    # reads carries state from pass to pass (`carry = total // 10`).
    overwritten: frozenset[str] = frozenset()

    def kind(self, node: cst.CSTNode) -> str:
        return kind_of(node, self.kinds)


NO_INGREDIENTS = Ingredients()


def _callee(node: cst.Call) -> str | None:
    return node.func.value if isinstance(node.func, cst.Name) else None


def _method(node: cst.Call) -> tuple[cst.BaseExpression, str] | None:
    if isinstance(node.func, cst.Attribute):
        return node.func.value, node.func.attr.value
    return None


def returned(function: str) -> str:
    """The key under which `kinds` holds what a function of the module returns: no name
    holds parentheses, so it never clashes with a name's own kind."""
    return f"{function}()"


def return_kinds(module: cst.Module) -> dict[str, str]:
    """What the module's own functions return, keyed by `returned(name)`, where every value
    a function returns has one kind: `_has_path(...)`, whose returns are all comparisons,
    `any()` or `False`, is a truth value and is never offered `- 1`. A return of a call to
    the function itself says nothing; a bare `return`, or a value whose kind its form does
    not tell, leaves the function out."""
    functions = [s for s in module.body if isinstance(s, cst.FunctionDef)]
    returns = {f.name.value: _returned_values(f.body) for f in functions}
    found: dict[str, str] = {}
    # A function returning another's result is known once that one is: a few passes, as
    # the module may define the callee after the caller.
    for _ in range(3):
        before = len(found)
        for name, values in returns.items():
            kinds = set()
            for value in values:
                if value is None:
                    kinds.add(ANY)
                elif not (isinstance(value, cst.Call) and _callee(value) == name):
                    kinds.add(kind_of(value, found))
            if len(kinds) == 1 and ANY not in kinds:
                found[returned(name)] = kinds.pop()
        if len(found) == before:
            break
    return found


def _returned_values(node: cst.CSTNode) -> list[cst.BaseExpression | None]:
    """The values of the `return` statements below `node`, not those of nested functions."""
    if isinstance(node, cst.Return):
        return [node.value]
    found: list[cst.BaseExpression | None] = []
    if type(node) not in _SKIPPED:
        for _, _, child in children(node):
            found += _returned_values(child)
    return found


def kind_of(node: cst.CSTNode, kinds: Mapping[str, str]) -> str:
    """The kind of an expression's value, as far as its form and the names' kinds say."""
    if isinstance(node, cst.Integer | cst.Float):
        return NUM
    if isinstance(node, cst.SimpleString | cst.FormattedString | cst.ConcatenatedString):
        return STR
    if isinstance(node, cst.List | cst.ListComp | cst.Tuple | cst.Set | cst.Dict):
        return SEQ
    if isinstance(node, cst.SetComp | cst.DictComp):
        return SEQ
    if isinstance(node, cst.Name):
        return BOOL if node.value in ("True", "False") else kinds.get(node.value, ANY)
    if isinstance(node, cst.Comparison | cst.BooleanOperation):
        return BOOL
    if isinstance(node, cst.UnaryOperation):
        return BOOL if isinstance(node.operator, cst.Not) else NUM
    if isinstance(node, cst.BinaryOperation):
        left, right = kind_of(node.left, kinds), kind_of(node.right, kinds)
        if isinstance(node.operator, cst.Modulo):
            return STR if left == STR else NUM
        if isinstance(node.operator, _NUMERIC_ONLY):
            return NUM
        for kind in (STR, SEQ):
            if kind in (left, right):
                return kind
        return NUM if NUM in (left, right) else ANY
    if isinstance(node, cst.Call):
        name = _callee(node)
        if name in _NUMBER_CALLS:
            return NUM
        if name in _SEQUENCE_CALLS:
            return SEQ
        if name in _STRING_CALLS:
            return STR
        if name in _BOOL_CALLS:
            return BOOL
        if name in ("max", "min") and len(node.args) > 1:
            return kind_of(node.args[0].value, kinds)
        if name is not None and returned(name) in kinds:
            return kinds[returned(name)]
        method = _method(node)
        if method is not None:
            attr = method[1]
            if attr in _STRING_RESULTS:
                return STR
            if attr in _NUMBER_RESULTS:
                return NUM
            if attr == "split":
                return SEQ
            if attr.startswith("is"):
                return BOOL
        return ANY
    if isinstance(node, cst.Subscript):
        base = kind_of(node.value, kinds)
        if base == STR:
            return STR
        sliced = any(isinstance(element.slice, cst.Slice) for element in node.slice)
        return SEQ if sliced and base == SEQ else ANY
    if isinstance(node, cst.IfExp):
        return kind_of(node.body, kinds)
    return ANY


class _Votes:
    """Evidence about names, counted per kind."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, node: cst.CSTNode | None, kind: str) -> None:
        if isinstance(node, cst.Name) and kind != ANY:
            per = self.counts.setdefault(node.value, {})
            per[kind] = per.get(kind, 0) + 1
        elif kind == NUM and isinstance(node, cst.BinaryOperation | cst.UnaryOperation):
            # The terms of a number are numbers: `(lo + hi) // 2` makes both numbers.
            if isinstance(node, cst.UnaryOperation):
                if isinstance(node.operator, cst.Minus):
                    self.add(node.expression, NUM)
            elif isinstance(node.operator, _ARITHMETIC):
                self.add(node.left, NUM)
                self.add(node.right, NUM)

    def kinds(self) -> dict[str, str]:
        found = {}
        for name, per in self.counts.items():
            # Strings are sequences too: string evidence makes a sized name a string.
            sized = per.get(SEQ, 0) + per.get(STR, 0)
            totals = {NUM: per.get(NUM, 0), STR if per.get(STR) else SEQ: sized}
            totals[BOOL] = per.get(BOOL, 0)
            ranked = sorted(totals.values(), reverse=True)
            best = next(kind for kind, count in totals.items() if count == ranked[0])
            found[name] = ANY if ranked[0] == ranked[1] else best
        return found


def _vote(node: cst.CSTNode, votes: _Votes) -> None:
    """Record what one node says about the names it uses."""
    if isinstance(node, cst.Subscript):
        votes.add(node.value, SEQ)
        for element in node.slice:
            part = element.slice
            if isinstance(part, cst.Slice):
                votes.add(part.lower, NUM)
                votes.add(part.upper, NUM)
    elif isinstance(node, cst.Call):
        name = _callee(node)
        values = [arg.value for arg in node.args if not arg.star]
        if name == "zip":
            for value in values:
                votes.add(value, SEQ)
        elif name in _TAKES_SEQUENCE and values:
            votes.add(values[0], SEQ)
        elif name in ("range", "abs", "chr"):
            for value in values:
                votes.add(value, NUM)
        elif name == "ord" and values:
            votes.add(values[0], STR)
        method = _method(node)
        if method is not None:
            receiver, attr = method
            if attr in _SEQUENCE_METHODS:
                votes.add(receiver, SEQ)
            elif attr in _STRING_METHODS or (attr == "join" and isinstance(receiver, cst.Name)):
                votes.add(receiver, STR)
                if attr in _SUBSTRING_METHODS and values:
                    votes.add(values[0], STR)  # `text.find(word)`: what is looked for
            if attr == "join" and values:
                votes.add(values[0], SEQ)
    elif isinstance(node, cst.For | cst.CompFor):
        votes.add(node.iter, SEQ)
        if isinstance(node.iter, cst.Call) and _callee(node.iter) == "range":
            votes.add(node.target, NUM)
        enumerated = isinstance(node.iter, cst.Call) and _callee(node.iter) == "enumerate"
        if enumerated and isinstance(node.target, cst.Tuple) and node.target.elements:
            votes.add(node.target.elements[0].value, NUM)
    elif isinstance(node, cst.Comparison):
        operands = [node.left, *(target.comparator for target in node.comparisons)]
        for index, target in enumerate(node.comparisons):
            left, right = operands[index], operands[index + 1]
            if isinstance(target.operator, _ORDERING):
                # Strings order too: `"a" <= ch` says ch is a string.
                votes.add(left, _literal_kind(right) if _literal_kind(right) != ANY else NUM)
                votes.add(right, _literal_kind(left) if _literal_kind(left) != ANY else NUM)
            elif isinstance(target.operator, cst.In | cst.NotIn):
                votes.add(right, SEQ)
            elif isinstance(target.operator, cst.Equal | cst.NotEqual):
                votes.add(left, _literal_kind(right))
                votes.add(right, _literal_kind(left))
    elif isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, _NUMERIC_ONLY):
            votes.add(node.left, NUM)
            votes.add(node.right, NUM)
        elif isinstance(node.operator, cst.Multiply):
            # `n * 2`, and the count of `"-" * n` and `[0] * n`.
            for one, other in ((node.left, node.right), (node.right, node.left)):
                if _literal_kind(other) != ANY:
                    votes.add(one, NUM)
        elif isinstance(node.operator, cst.Add):
            votes.add(node.left, _literal_kind(node.right))
            votes.add(node.right, _literal_kind(node.left))
    elif isinstance(node, cst.AugAssign):
        if isinstance(node.operator, cst.AddAssign | cst.SubtractAssign):
            votes.add(node.target, _literal_kind(node.value))
    elif isinstance(node, cst.Assign) and len(node.targets) == 1:
        kind = _assigned_kind(node.value)
        votes.add(node.targets[0].target, kind)


def _copies(node: cst.CSTNode) -> list[tuple[str, str]]:
    """The plain copies `a = b` of one name into another, anywhere below `node`."""
    found = []
    if isinstance(node, cst.Assign) and len(node.targets) == 1:
        target, value = node.targets[0].target, node.value
        if isinstance(target, cst.Name) and isinstance(value, cst.Name):
            found.append((target.value, value.value))
    if type(node) not in _SKIPPED:
        for _, _, child in children(node):
            found += _copies(child)
    return found


def _share_copied_kinds(body: cst.CSTNode, kinds: dict[str, str]) -> dict[str, str]:
    """`text = line` makes `text` and `line` one value: a name whose own uses tell nothing
    takes the kind the other's uses tell (`line` is a string when `text.lower()` is called)."""
    copies = _copies(body)
    for _ in range(2):  # chains of two copies; longer ones are rare in one function
        for target, source in copies:
            one, other = kinds.get(target, ANY), kinds.get(source, ANY)
            if one == ANY and other != ANY:
                kinds[target] = other
            elif other == ANY and one != ANY:
                kinds[source] = one
    return kinds


def _literal_kind(node: cst.CSTNode) -> str:
    """The kind of a literal, or ANY: what a name compared or added to it must be."""
    if isinstance(node, cst.Integer | cst.Float):
        return NUM
    if isinstance(node, cst.SimpleString | cst.FormattedString | cst.ConcatenatedString):
        return STR
    if isinstance(node, cst.List | cst.ListComp | cst.Tuple):
        return SEQ
    return ANY


def _assigned_kind(value: cst.BaseExpression) -> str:
    kind = kind_of(value, {})
    return ANY if kind == BOOL else kind


def ingredients(
    function: cst.FunctionDef,
    module: cst.Module,
    positions: Mapping[cst.CSTNode, CodeRange],
    names: tuple[str, ...],
    returns: Mapping[str, str],
) -> Ingredients:
    """The ingredients of `function`, whose scope can name `names` (its own first);
    `returns` is the module's `return_kinds`, worked out once for all its functions."""
    votes = _Votes()
    found: dict[str, cst.CSTNode] = {}
    known = frozenset(names)

    def reusable(node: cst.CSTNode) -> bool:
        if type(node) in _IMPURE:
            return False
        if isinstance(node, cst.Name):
            return node.value in known or node.value in ("True", "False", "None")
        if isinstance(node, cst.Call) and _callee(node) is None:
            return False  # a method call may change its receiver
        if isinstance(node, cst.Call) and _callee(node) not in known | _NUMBER_CALLS:
            return False
        return all(reusable(child) for _, _, child in children(node))

    accumulated: dict[str, type[cst.BaseAugOp]] = {}
    started: set[str] = set()

    def visit(node: cst.CSTNode) -> None:
        if type(node) in _SKIPPED:
            return
        _vote(node, votes)
        if isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            accumulated.setdefault(node.target.value, type(node.operator))
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and _empty(node.value):
            target = node.targets[0].target
            if isinstance(target, cst.Name):
                started.add(target.value)
        if type(node) in _REUSABLE:
            bare = node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node
            code = module.code_for_node(bare)
            short = len(code) <= _MAX_CHARS and "\n" not in code
            if short and code not in found and reusable(node):
                found[code] = node
        for _, _, child in children(node):
            visit(child)

    for parameter in function.params.params:
        if parameter.default is not None:
            votes.add(parameter.name, _literal_kind(parameter.default))
    visit(function.body)
    kinds = _share_copied_kinds(function.body, votes.kinds()) | dict(returns)
    # Only names the scope can read, in the scope's order (the function's own first).
    numbers = tuple(name for name in names if kinds.get(name) == NUM)
    untyped = tuple(name for name in names if kinds.get(name, ANY) == ANY)
    sized = tuple(name for name in names if kinds.get(name) in (SEQ, STR))
    expressions = tuple(
        Ingredient(code, kind_of(node, kinds), positions[node].start.line)
        for code, node in found.items()
    )
    return Ingredients(
        kinds=kinds,
        numbers=numbers,
        untyped=untyped,
        sized=sized,
        expressions=expressions,
        accumulated=accumulated,
        overwritten=frozenset(started & _overwritten_in_loops(function.body)),
    )


def _overwritten_in_loops(body: cst.CSTNode) -> set[str]:
    """Names some loop of `body` assigns (a plain `name = ...`) and never reads."""
    found: set[str] = set()

    def visit(node: cst.CSTNode) -> None:
        if type(node) in _SKIPPED:
            return
        if isinstance(node, cst.For | cst.While):
            assigned, read = _assigned_and_read(node)
            found.update(assigned - read)
        for _, _, child in children(node):
            visit(child)

    visit(body)
    return found


def _assigned_and_read(loop: cst.CSTNode) -> tuple[set[str], set[str]]:
    """The names a loop assigns with a plain `=`, and those it reads anywhere in it."""
    assigned: set[str] = set()
    targets: set[int] = set()
    names: list[cst.Name] = []

    def visit(node: cst.CSTNode) -> None:
        if type(node) in _SKIPPED:
            return
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    assigned.add(target.target.value)
                    targets.add(id(target.target))
        if isinstance(node, cst.Name):
            names.append(node)
        for _, _, child in children(node):
            visit(child)

    visit(loop)
    return assigned, {name.value for name in names if id(name) not in targets}


def _empty(value: cst.BaseExpression) -> bool:
    """`0`, `0.0`, `""`, `[]`: where a sum, a joined text or a collected list starts."""
    if isinstance(value, cst.Integer | cst.Float):
        return float(value.evaluated_value) == 0
    if isinstance(value, cst.SimpleString):
        return value.evaluated_value in ("", b"")
    return isinstance(value, cst.List) and not value.elements
