"""Read-only questions about seed nodes: children with their addresses, bindings, flags.

Run once per seed when `Program` is parsed; nothing here is on the per-variant path.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import cast

import libcst as cst

from evolve.operators.expressions import retoken

# Tokens and trivia: they hold whitespace and punctuation, never code an operator edits, so
# walking into them would only cost time.
_TRIVIA: tuple[type[cst.CSTNode], ...] = (
    cst.BaseParenthesizableWhitespace,
    cst.EmptyLine,
    cst.TrailingWhitespace,
    cst.Newline,
    cst.Comment,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.Comma,
    cst.Dot,
    cst.Semicolon,
    cst.Colon,
    cst.AssignEqual,
    cst.BaseBinaryOp,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseUnaryOp,
    cst.BaseAugOp,
    cst.Asynchronous,
    cst.ImportStar,
)

# Scopes of their own: names bound inside do not belong to the enclosing function.
_NESTED_SCOPES: tuple[type[cst.CSTNode], ...] = (
    cst.FunctionDef,
    cst.ClassDef,
    cst.Lambda,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
)

_LOOPS = (cst.For, cst.While)
_NESTED_SCOPE_KINDS = frozenset(_NESTED_SCOPES)
# Where the walk in `bindings` stops: nested scopes, and statements that bind by declaring.
_SCOPE_STOPS = _NESTED_SCOPE_KINDS | {cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal}


@functools.cache
def _field_names(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


class _HoldsCode(dict[type, bool]):
    """Whether values of a class can hold code, worked out once per class: isinstance against
    libcst's abstract base classes is slow, and this runs for every node of every seed."""

    def __missing__(self, kind: type) -> bool:
        holds = issubclass(kind, cst.CSTNode) and not issubclass(kind, _TRIVIA)
        self[kind] = holds
        return holds


_HOLDS_CODE = _HoldsCode()


def children(node: cst.CSTNode) -> Iterator[tuple[str, int | None, cst.CSTNode]]:
    """(field, index or None, child) for every child that can hold code, in field order."""
    for name in _field_names(type(node)):
        value: object = getattr(node, name)
        if isinstance(value, tuple | list):
            for index, item in enumerate(value):
                if _HOLDS_CODE[type(item)]:
                    yield name, index, cast(cst.CSTNode, item)
        elif _HOLDS_CODE[type(value)]:
            yield name, None, cast(cst.CSTNode, value)


_BINDERS = frozenset(
    {
        cst.Assign,
        cst.AugAssign,
        cst.AnnAssign,
        cst.For,
        cst.CompFor,
        cst.NamedExpr,
        cst.Del,
        cst.AsName,
    }
)


def store_targets(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The target expressions that `node` binds or deletes (not Attribute/Subscript parts)."""
    # The exact-type test first: every node of every seed comes through here, and isinstance
    # against libcst's classes (all ABCs) is several times slower.
    if type(node) not in _BINDERS:
        return []
    if isinstance(node, cst.Assign):
        return [target.target for target in node.targets]
    if isinstance(node, cst.AugAssign | cst.AnnAssign | cst.For | cst.CompFor | cst.NamedExpr):
        return [node.target]
    if isinstance(node, cst.Del):
        return [node.target]
    if isinstance(node, cst.AsName):
        return [node.name]
    return []


def store_names(target: cst.CSTNode) -> Iterator[cst.Name]:
    """The bare names a target binds: `a` and `b` in `a, (b, c.d) = ...`, not `c`."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from store_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from store_names(target.value)


def _import_names(node: cst.Import | cst.ImportFrom) -> Iterator[str]:
    if isinstance(node.names, cst.ImportStar):
        return
    for alias in node.names:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            yield alias.asname.name.value
        else:
            # `import a.b` binds `a`.
            head: cst.BaseExpression = alias.name
            while isinstance(head, cst.Attribute):
                head = head.value
            if isinstance(head, cst.Name):
                yield head.value


def bindings(body: cst.CSTNode) -> tuple[list[str], list[str]]:
    """(variables, definitions) bound directly in `body`'s scope, in order of first binding.

    Definitions are nested functions, classes and imports; variables are everything else.
    """
    variables: dict[str, None] = {}
    definitions: dict[str, None] = {}

    def visit(node: cst.CSTNode) -> None:
        if type(node) in _SCOPE_STOPS:
            visit_stop(node)
            return
        for target in store_targets(node):
            if not isinstance(node, cst.Del):
                for bound in store_names(target):
                    variables.setdefault(bound.value)
        for _, _, child in children(node):
            visit(child)

    def visit_stop(node: cst.CSTNode) -> None:
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            definitions.setdefault(node.name.value)
        elif isinstance(node, cst.Import | cst.ImportFrom):
            for name in _import_names(node):
                definitions.setdefault(name)
        elif isinstance(node, cst.Global | cst.Nonlocal):
            for item in node.names:
                variables.setdefault(item.name.value)

    visit(body)
    return list(variables), list(definitions)


def parameters(function: cst.FunctionDef) -> list[str]:
    params = function.params
    found = [p.name.value for p in params.posonly_params]
    found += [p.name.value for p in params.params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg.name.value)
    found += [p.name.value for p in params.kwonly_params]
    if params.star_kwarg is not None:
        found.append(params.star_kwarg.name.value)
    return found


# Expressions worth offering as another return value: short, self-contained, and the kinds
# that wrong-return bugs are made of.
_RETURNABLE: tuple[type[cst.CSTNode], ...] = (
    cst.Name,
    cst.Integer,
    cst.Float,
    cst.SimpleString,
    cst.BinaryOperation,
    cst.UnaryOperation,
    cst.Subscript,
    cst.Attribute,
    cst.Call,
    cst.Comparison,
    cst.BooleanOperation,
    cst.IfExp,
)
_RETURNABLE_KINDS = frozenset(_RETURNABLE)
_MAX_RETURNABLE_CHARS = 40
COMMON_RETURNS = ("None", "0", "True", "False")


# A comparison and its opposite: `a < b` and `a >= b`.
_INVERSES: dict[type[cst.BaseCompOp], type[cst.BaseCompOp]] = {
    cst.LessThan: cst.GreaterThanEqual,
    cst.GreaterThanEqual: cst.LessThan,
    cst.GreaterThan: cst.LessThanEqual,
    cst.LessThanEqual: cst.GreaterThan,
    cst.Equal: cst.NotEqual,
    cst.NotEqual: cst.Equal,
    cst.In: cst.NotIn,
    cst.NotIn: cst.In,
    cst.Is: cst.IsNot,
    cst.IsNot: cst.Is,
}
_MAX_INVERSES = 8


def _is_truth(value: cst.BaseExpression | None) -> bool:
    if isinstance(value, cst.Name):
        return value.value in ("True", "False")
    return isinstance(value, cst.Comparison | cst.BooleanOperation) or (
        isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not)
    )


def return_candidates(function: cst.FunctionDef, module: cst.Module) -> tuple[str, ...]:
    """Replacement return values for `function`: common values, params, then its expressions;
    for a function that returns truth values, then the opposites of its comparisons."""
    params = parameters(function)
    variables, _ = bindings(function.body)
    known = set(params) | set(variables)
    found: dict[str, None] = dict.fromkeys([*COMMON_RETURNS, *params])
    comparisons: list[cst.Comparison] = []
    predicate = False

    def visit(node: cst.CSTNode) -> None:
        nonlocal predicate
        # Inside a nested scope, names may be that scope's own (a comprehension variable),
        # which would not exist at the return.
        if type(node) in _NESTED_SCOPE_KINDS:
            return
        if type(node) is cst.Return:
            predicate = predicate or _is_truth(node.value)
        if type(node) in _RETURNABLE_KINDS:
            code = module.code_for_node(node)
            fits = "\n" not in code and len(code) <= _MAX_RETURNABLE_CHARS
            if fits and (not isinstance(node, cst.Name) or node.value in known):
                found.setdefault(code)
                if type(node) is cst.Comparison and len(node.comparisons) == 1:
                    comparisons.append(node)
        for _, _, child in children(node):
            visit(child)

    visit(function.body)
    if predicate:
        # `if a < b: return True ... return False` gone wrong wants `a >= b`.
        inverses: dict[str, None] = {}
        for comparison in comparisons[:_MAX_INVERSES]:
            target = comparison.comparisons[0]
            opposite = retoken(target.operator, _INVERSES[type(target.operator)])
            inverse = comparison.with_changes(
                comparisons=[target.with_changes(operator=opposite)], lpar=[], rpar=[]
            )
            inverses.setdefault(module.code_for_node(inverse))
        found.update(inverses)
    return tuple(found)


_BOUNDARIES = frozenset({cst.FunctionDef, cst.ClassDef, cst.Lambda})
_LOOP_KINDS = _BOUNDARIES | {cst.Break, cst.Continue, cst.For, cst.While}
_ASYNC_KINDS = _BOUNDARIES | {cst.Await, cst.For, cst.With, cst.CompFor}


def needs_loop(statement: cst.CSTNode) -> bool:
    """Whether `statement` holds a break or continue for a loop outside it."""
    if type(statement) in _LOOP_KINDS:
        if isinstance(statement, cst.Break | cst.Continue):
            return True
        if isinstance(statement, cst.For | cst.While):
            # Only the else clause of a loop can reach the loop around it.
            return statement.orelse is not None and needs_loop(statement.orelse)
        return False  # a nested function or class
    return any(needs_loop(child) for _, _, child in children(statement))


def needs_async(statement: cst.CSTNode) -> bool:
    """Whether `statement` only compiles inside an async function."""
    if type(statement) in _ASYNC_KINDS:
        if isinstance(statement, cst.Await):
            return True
        if isinstance(statement, cst.For | cst.With | cst.CompFor) and statement.asynchronous:
            return True
        if type(statement) in _BOUNDARIES:
            return False
    return any(needs_async(child) for _, _, child in children(statement))


def declares_scope(statement: cst.CSTNode) -> bool:
    """Whether `statement` is a global or nonlocal declaration, which must stay ahead of uses.

    Only declarations on the statement's own line count: one buried in a nested block is
    legal but rare, and looking for it would walk every statement's whole subtree.
    """
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Global | cst.Nonlocal) for small in statement.body
    )


def is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def is_pass(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Pass) for small in statement.body
    )


_MAX_CONDITION_CHARS = 60
# Receivers are always truthy: guarding on them never fixes anything.
_RECEIVERS = frozenset({"self", "cls"})


def _is_not(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)


def condition_candidates(function: cst.FunctionDef, module: cst.Module) -> tuple[str, ...]:
    """Conditions a missing guard might need: the function's own tests, comparisons and
    boolean expressions (a fix is usually made of the program's own ingredients), then its
    parameters as truth tests, then None tests of its local variables."""
    found: dict[str, None] = {}

    def visit(node: cst.CSTNode) -> None:
        if type(node) in _NESTED_SCOPE_KINDS:
            return
        condition: cst.CSTNode | None = None
        if isinstance(node, cst.If | cst.While):
            condition = node.test
        elif isinstance(node, cst.Comparison | cst.BooleanOperation) or _is_not(node):
            condition = node
        if condition is not None:
            code = module.code_for_node(condition)
            if "\n" not in code and len(code) <= _MAX_CONDITION_CHARS:
                found.setdefault(code)
        for _, _, child in children(node):
            visit(child)

    visit(function.body)
    found.update(dict.fromkeys(p for p in parameters(function) if p not in _RECEIVERS))
    # A missing None guard is a common bug with no condition in the program to borrow:
    # `total += score` needs `if score is not None:`.
    variables, _ = bindings(function.body)
    found.update(dict.fromkeys(f"{name} is not None" for name in variables))
    return tuple(found)


def first_position(block: cst.IndentedBlock) -> int:
    """The first index of `block` a statement may be put at.

    Anything inserted above a docstring would stop it being one, and a name used above its
    global or nonlocal declaration does not compile.
    """
    first = 1 if block.body and is_docstring(block.body[0]) else 0
    for index, statement in enumerate(block.body):
        if declares_scope(statement):
            first = max(first, index + 1)
    return first


def is_terminal(statement: cst.CSTNode) -> bool:
    """Whether control never reaches past `statement` (it ends in return, raise, break...)."""
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[-1], cst.Return | cst.Raise | cst.Break | cst.Continue
    )


_MAX_STRING_CHARS = 40


@dataclasses.dataclass(frozen=True)
class ProgramFacts:
    """Program-wide pools that some operators draw replacements from, found in one walk."""

    # (base code, called?) -> attribute names used on that base, in order of first use.
    attributes: dict[tuple[str, bool], tuple[str, ...]]
    # called? -> attribute names used on any base that is not a module-level definition.
    any_attributes: dict[bool, tuple[str, ...]]
    called_names: tuple[str, ...]  # bare names called anywhere
    strings: tuple[str, ...]  # string literals as written, docstrings left out
    docstrings: frozenset[int]  # ids of the string nodes that are docstrings
    is_operands: frozenset[int]  # ids of nodes on either side of `is` / `is not`
    imports_functools: bool  # the module itself has `import functools` at top level
    numbers: tuple[str, ...] = ()  # number literals as written, `-1` included
    elements: tuple[str, ...] = ()  # elements of list, tuple and set literals, as written


def _docstring_node(body: object) -> cst.CSTNode | None:
    statements = body.body if isinstance(body, cst.IndentedBlock) else body
    if isinstance(statements, tuple | list) and statements and is_docstring(statements[0]):
        expression = statements[0].body[0]
        assert isinstance(expression, cst.Expr)
        return expression.value
    return None


def program_facts(module: cst.Module) -> ProgramFacts:
    """The pools of `ProgramFacts`, walking `module` once (imports and annotations skipped)."""
    _, definitions = bindings(module)
    defined = set(definitions)
    attributes: dict[tuple[str, bool], dict[str, None]] = {}
    anywhere: dict[bool, dict[str, None]] = {False: {}, True: {}}
    called: dict[str, None] = {}
    strings: dict[str, None] = {}
    docstrings: set[int] = set()
    is_operands: set[int] = set()
    numbers: dict[str, None] = {}
    elements: dict[str, None] = {}

    def mark_docstring(body: object) -> None:
        node = _docstring_node(body)
        if node is not None:
            docstrings.add(id(node))
            if isinstance(node, cst.ConcatenatedString):
                docstrings.update(id(part) for part in (node.left, node.right))

    def visit(node: cst.CSTNode, parent: cst.CSTNode | None, slot: str) -> None:
        if isinstance(node, cst.Import | cst.ImportFrom | cst.Annotation):
            return
        is_call = isinstance(parent, cst.Call) and slot == "func"
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            mark_docstring(node.body)
        elif isinstance(node, cst.Attribute):
            base = module.code_for_node(node.value)
            attributes.setdefault((base, is_call), {}).setdefault(node.attr.value)
            if not (isinstance(node.value, cst.Name) and node.value.value in defined):
                anywhere[is_call].setdefault(node.attr.value)
        elif isinstance(node, cst.Name) and is_call:
            called.setdefault(node.value)
        elif isinstance(node, cst.SimpleString) and id(node) not in docstrings:
            if "\n" not in node.value and len(node.value) <= _MAX_STRING_CHARS:
                strings.setdefault(node.value)
        elif isinstance(node, cst.Comparison):
            operands = [node.left, *(target.comparator for target in node.comparisons)]
            for index, target in enumerate(node.comparisons):
                if isinstance(target.operator, cst.Is | cst.IsNot):
                    is_operands.update((id(operands[index]), id(operands[index + 1])))
        elif isinstance(node, cst.Integer | cst.Float):
            numbers.setdefault(("-" if _negated(parent, slot) else "") + node.value)
        elif isinstance(node, cst.List | cst.Tuple | cst.Set):
            for element in node.elements:
                if isinstance(element, cst.Element):
                    code = module.code_for_node(element.value)
                    if "\n" not in code and len(code) <= _MAX_ELEMENT_CHARS:
                        elements.setdefault(code)
        for name, _, child in children(node):
            visit(child, node, name)

    mark_docstring(module.body)
    for statement in module.body:
        visit(statement, module, "body")
    imports_functools = any(
        isinstance(statement, cst.SimpleStatementLine)
        and any(
            isinstance(small, cst.Import)
            and any(
                isinstance(alias.name, cst.Name)
                and alias.name.value == "functools"
                and alias.asname is None
                for alias in small.names
            )
            for small in statement.body
        )
        for statement in module.body
    )
    return ProgramFacts(
        attributes={key: tuple(names) for key, names in attributes.items()},
        any_attributes={key: tuple(names) for key, names in anywhere.items()},
        called_names=tuple(called),
        strings=tuple(strings),
        docstrings=frozenset(docstrings),
        is_operands=frozenset(is_operands),
        imports_functools=imports_functools,
        numbers=tuple(numbers),
        elements=tuple(elements),
    )


_MAX_ELEMENT_CHARS = 20


def _negated(parent: cst.CSTNode | None, slot: str) -> bool:
    return (
        isinstance(parent, cst.UnaryOperation)
        and isinstance(parent.operator, cst.Minus)
        and slot == "expression"
    )
