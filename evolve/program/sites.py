"""Finding the seed's editable sites: one walk over a module's tree.

A site is a node inside an editable function where at least one operator has a mutation to
offer; its address is the chain of fields and indices from the module root, e.g.
"body[1].body.body[0].body[0].value", after a "file::" prefix when the program has several
files. Addresses refer to the seed and never change, whatever other edits a patch holds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import libcst as cst
from libcst.metadata import CodeRange

from evolve.operators import OPERATORS, Context, Scope, Seed, Source
from evolve.operators.analysis import (
    bindings,
    children,
    condition_candidates,
    declares_scope,
    is_docstring,
    is_pass,
    needs_async,
    needs_loop,
    parameters,
    return_candidates,
    store_names,
    store_targets,
)
from evolve.operators.ingredients import NO_INGREDIENTS, ingredients, return_kinds
from evolve.program.patch import Payload


@dataclass(frozen=True)
class Site:
    address: str
    node: cst.CSTNode
    function: str  # qualified name of the innermost enclosing function
    line: int  # first line of the node in the seed, 1-based; a block's is its first statement's
    end_line: int = 0  # last line of the node in the seed; 0 when unknown (same as `line`)
    file: str = ""  # the file's name in a program of several files
    line_offset: int = 0  # lines of the program's files before this one

    @property
    def lines(self) -> range:
        """The program lines the node spans, numbered across files as the sandbox numbers
        them, for weighting sites by what ran there."""
        first = self.line + self.line_offset
        return range(first, max(first, self.end_line + self.line_offset) + 1)


Segment = tuple[str, int | None]  # a field of a node, and an index when the field is a sequence

_SEGMENT = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")

# Names in these (parent, field) slots are not variables being read.
_NOT_LOADS: frozenset[tuple[type[cst.CSTNode], str]] = frozenset(
    {
        (cst.FunctionDef, "name"),
        (cst.ClassDef, "name"),
        (cst.Attribute, "attr"),
        (cst.Arg, "keyword"),
        (cst.Param, "name"),
        (cst.AsName, "name"),
        (cst.NameItem, "name"),
        (cst.MatchAs, "name"),
        (cst.MatchStar, "name"),
        (cst.MatchMapping, "rest"),
        (cst.MatchKeywordElement, "key"),
        (cst.TypeVar, "name"),
        (cst.TypeVarTuple, "name"),
        (cst.ParamSpec, "name"),
        (cst.TypeAlias, "name"),
    }
)
# Never code an operator should touch: type annotations, and statements that only declare.
_UNWALKED = frozenset({cst.Annotation, cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal})
_LOOPS = frozenset({cst.For, cst.While})
# Slots where only some expressions may stand: the parts of a concatenated string literal.
_NOT_VALUES: frozenset[tuple[type[cst.CSTNode], str]] = frozenset(
    {(cst.ConcatenatedString, "left"), (cst.ConcatenatedString, "right")}
)
# Nodes whose parts are no place for an arbitrary expression: an f-string (its quotes), a
# match pattern (only literals and dotted names).
_CONFINED = frozenset({cst.FormattedString, cst.MatchCase})
_SITE_TYPES = tuple({kind for operator in OPERATORS.values() for kind in operator.node_types})


@functools.cache
def _may_be_site(kind: type[cst.CSTNode]) -> bool:
    # Cached because isinstance against libcst's abstract base classes is slow.
    return issubclass(kind, _SITE_TYPES)


def _join(address: str, name: str, index: int | None) -> str:
    part = name if index is None else f"{name}[{index}]"
    return f"{address}.{part}" if address else part


def segments(address: str) -> tuple[Segment, ...]:
    parts = []
    for part in address.split("."):
        match = _SEGMENT.fullmatch(part)
        assert match is not None, address  # addresses are made by `_join`
        parts.append((match[1], None if match[2] is None else int(match[2])))
    return tuple(parts)


@dataclass(frozen=True)
class _State:
    """Where the walk is: what a node found here belongs to."""

    prefix: str  # qualified-name prefix for definitions met here
    function: str | None
    scope: Scope | None
    editable: bool
    in_loop: bool
    free: bool = True  # not inside an f-string or a match pattern


@dataclass(frozen=True)
class _Candidate:
    address: str
    node: cst.CSTNode
    state: _State
    in_block: bool
    is_load: bool
    is_callee: bool
    parent: type[cst.CSTNode] | None = None
    slot: str = ""
    is_value: bool = False


class _Walker:
    """One pass over the seed that finds functions, candidate sites and copyable statements."""

    def __init__(
        self,
        module: cst.Module,
        positions: Mapping[cst.CSTNode, CodeRange],
        selected: frozenset[str] | None,
        module_variables: tuple[str, ...],
    ) -> None:
        self.module = module
        self.positions = positions
        self.selected = selected
        self.module_variables = module_variables
        self.functions: dict[str, None] = {}
        self.candidates: list[_Candidate] = []
        self.sources: dict[str, Source] = {}
        self._stores: set[int] = set()  # ids of Name nodes that are assigned or deleted
        self._targets: set[int] = set()  # ids of every target expression, nested ones too

    @functools.cached_property
    def return_kinds(self) -> dict[str, str]:
        """What the module's functions return (`return_kinds`): module-wide, so worked out
        once, on the first editable function, not again for each."""
        return return_kinds(self.module)

    def visit(
        self,
        node: cst.CSTNode,
        address: str,
        parent: cst.CSTNode | None,
        slot: str,
        state: _State,
    ) -> None:
        # Exact-type tests throughout: this runs for every node of the seed, and isinstance
        # against libcst's classes (all ABCs) is several times slower.
        kind, parent_kind = type(node), type(parent)
        if kind in _UNWALKED:
            return
        for target in store_targets(node):
            self._stores.update(id(name) for name in store_names(target))
            self._targets.update(_target_ids(target))
        if state.editable and state.scope is not None and _may_be_site(kind):
            self.candidates.append(
                _Candidate(
                    address,
                    node,
                    state,
                    in_block=parent_kind is cst.IndentedBlock and slot == "body",
                    is_load=kind is cst.Name
                    and (parent_kind, slot) not in _NOT_LOADS
                    and id(node) not in self._stores,
                    is_callee=parent_kind is cst.Call and slot == "func",
                    parent=None if parent is None else type(parent),
                    slot=slot,
                    is_value=state.free
                    and isinstance(node, cst.BaseExpression)
                    and (parent_kind, slot) not in _NOT_LOADS
                    and (parent_kind, slot) not in _NOT_VALUES
                    and id(node) not in self._targets,
                )
            )
        if slot == "body" and (
            (parent_kind is cst.IndentedBlock and state.function is not None)
            or (parent_kind is cst.Module and kind is cst.SimpleStatementLine)
        ):
            self._source(node, address)

        inner = state
        if type(node) is cst.FunctionDef:
            inner = self._enter_function(node, state, address)
            if state.scope is None and inner.editable and _may_be_site(kind):
                # An editable function's own definition lies outside editable code, yet
                # whole-function transformations (memoise it, turn one of its lists into a
                # set) need it as their site. It gets the function's own scope and is never a
                # statement of a block, so statement operators leave the definition alone.
                self.candidates.append(
                    _Candidate(address, node, inner, False, is_load=False, is_callee=False)
                )
        elif type(node) is cst.ClassDef:
            inner = replace(state, prefix=f"{state.prefix}{node.name.value}.", in_loop=False)
        elif kind in _LOOPS:
            inner = replace(state, in_loop=True)
        confined = state
        if kind in _CONFINED:
            confined = replace(state, free=False)
            if kind is cst.MatchCase:
                inner = replace(inner, free=True)  # its guard and body are ordinary code
        for name, index, child in children(node):
            # Only a definition's or loop's body is inside it: decorators, defaults, bases,
            # the loop's iterable and its else clause belong to the code around it.
            child_state = inner if name == "body" else state
            if kind in _CONFINED and (kind is cst.FormattedString or name == "pattern"):
                child_state = confined
            self.visit(child, _join(address, name, index), node, name, child_state)

    def _enter_function(self, node: cst.FunctionDef, state: _State, address: str) -> _State:
        qualname = state.prefix + node.name.value
        self.functions.setdefault(qualname)
        editable = state.editable or self.selected is None or qualname in self.selected
        params = parameters(node)
        variables, definitions = bindings(node.body)
        outer = state.scope.names if state.scope is not None else self.module_variables
        names = tuple(dict.fromkeys([*params, *variables, *definitions, *outer]))
        scope = Scope(
            function=qualname,
            params=tuple(params),
            names=names,
            expressions=return_candidates(node, self.module) if editable else (),
            is_async=node.asynchronous is not None,
            conditions=condition_candidates(node, self.module) if editable else (),
            address=address,
            ingredients=(
                ingredients(node, self.module, self.positions, names, self.return_kinds)
                if editable
                else NO_INGREDIENTS
            ),
        )
        return _State(f"{qualname}.<locals>.", qualname, scope, editable, in_loop=False)

    def _source(self, node: cst.CSTNode, address: str) -> None:
        if not isinstance(node, cst.BaseStatement):
            return
        if isinstance(node, cst.FunctionDef | cst.ClassDef) or is_pass(node) or is_docstring(node):
            return
        if declares_scope(node) or _imports(node):
            return
        # Equal statements are one source, so a line repeated five times is not five times
        # as likely to be copied.
        code = self.module.code_for_node(node.with_changes(leading_lines=()))
        if code not in self.sources:
            line = self.positions[node].start.line
            self.sources[code] = Source(address, node, line, needs_loop(node), needs_async(node))


def _target_ids(target: cst.CSTNode) -> list[int]:
    """Ids of a target and of the targets nested in it: `a`, `b` and `(a, b)` in `a, b = ...`."""
    found = [id(target)]
    if isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            found += _target_ids(element.value)
    elif isinstance(target, cst.StarredElement):
        found += _target_ids(target.value)
    return found


def _imports(node: cst.BaseStatement) -> bool:
    # An import is never the missing statement worth a search, and a copied
    # `from __future__ import` would not even compile.
    return isinstance(node, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Import | cst.ImportFrom) for small in node.body
    )


@dataclass(frozen=True, eq=False)
class SiteInfo:
    site: Site
    context: Context
    segments: tuple[Segment, ...]
    operators: tuple[tuple[str, tuple[Payload, ...]], ...]  # (operator, its payloads here)


def _site_info(
    candidate: _Candidate,
    seed: Seed,
    positions: Mapping[cst.CSTNode, CodeRange],
    prefix: str,
    line_offset: int,
    file: str,
) -> SiteInfo | None:
    state = candidate.state
    assert state.scope is not None and state.function is not None  # only candidates in functions
    node = candidate.node
    first = node.body[0] if isinstance(node, cst.IndentedBlock) and node.body else node
    line, end_line = positions[first].start.line, positions[node].end.line
    context = Context(
        seed=seed,
        scope=state.scope,
        in_loop=state.in_loop,
        in_block=candidate.in_block,
        is_load=candidate.is_load,
        is_callee=candidate.is_callee,
        parent=candidate.parent,
        slot=candidate.slot,
        is_value=candidate.is_value,
        line=line,
        address=candidate.address,
    )
    operators = []
    for name, operator in OPERATORS.items():
        if isinstance(node, operator.node_types):
            payloads = operator.payloads(node, context)
            if payloads:
                operators.append((name, tuple(payloads)))
    if not operators:
        return None
    site = Site(prefix + candidate.address, node, state.function, line, end_line, file, line_offset)
    return SiteInfo(site, context, segments(candidate.address), tuple(operators))


@dataclass(frozen=True)
class SiteTable:
    """What one walk over a module finds."""

    functions: tuple[str, ...]  # qualified names of all functions, methods included
    infos: dict[str, SiteInfo]  # address -> site, in the order of the walk
    bound: frozenset[str]  # names bound at module level


def find_sites(
    module: cst.Module,
    positions: Mapping[cst.CSTNode, CodeRange],
    editable: frozenset[str] | None,
    *,
    prefix: str = "",
    line_offset: int = 0,
    file: str = "",
    test_literals: tuple[str, ...] = (),
) -> SiteTable:
    """Walk `module` once. `prefix` starts every address (a file's name in a program of
    several files); `line_offset` numbers the sites' lines on from the files before it;
    `test_literals` are string literals the tests' inputs suggest (`evolve.program.literals`)."""
    module_variables, module_definitions = bindings(module)
    walker = _Walker(module, positions, editable, tuple(module_variables))
    top = _State(prefix="", function=None, scope=None, editable=False, in_loop=False)
    for index, statement in enumerate(module.body):
        walker.visit(statement, _join("", "body", index), module, "body", top)
    sources = tuple(walker.sources.values())
    seed = Seed(
        module=module,
        statements=sources,
        callables=tuple(module_definitions),
        _by_address={source.address: source for source in sources},
        test_literals=test_literals,
    )
    infos: dict[str, SiteInfo] = {}
    for candidate in walker.candidates:
        info = _site_info(candidate, seed, positions, prefix, line_offset, file)
        if info is not None:
            infos[info.site.address] = info
    return SiteTable(
        functions=tuple(walker.functions),
        infos=infos,
        bound=frozenset([*module_variables, *module_definitions]),
    )
