"""The seed program: parsed once, its editable sites found once, variants rendered from patches.

A site is a node inside an editable function where at least one operator has a mutation to
offer; its address is the chain of fields and indices from the module root, e.g.
"body[1].body.body[0].body[0].value". Addresses refer to the seed and never change, whatever
other edits a patch holds, because rendering walks the seed's structure.

Rendering rebuilds only the path from the root to each edited node (`with_changes` along the
path, every other node shared with the seed) and generates code only for the top-level
statements that changed; the rest of the text is the seed's own.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from evolve.errors import UsageError
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
from evolve.patch import Edit, Patch, Payload


class ProgramError(UsageError, ValueError):
    """The seed cannot be used: it does not parse, or names an editable function it lacks.

    A UsageError, so the CLI reports it as one line with exit status 2.
    """


@dataclass(frozen=True)
class Site:
    address: str
    node: cst.CSTNode
    function: str  # qualified name of the innermost enclosing function
    line: int  # first line of the node in the seed, 1-based; a block's is its first statement's
    end_line: int = 0  # last line of the node in the seed; 0 when unknown (same as `line`)

    @property
    def lines(self) -> range:
        """The seed lines the node spans, for weighting sites by what ran there."""
        return range(self.line, max(self.line, self.end_line) + 1)


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
_SITE_TYPES = tuple({kind for operator in OPERATORS.values() for kind in operator.node_types})
_PASS = cst.SimpleStatementLine(body=[cst.Pass()])


@functools.cache
def _may_be_site(kind: type[cst.CSTNode]) -> bool:
    # Cached because isinstance against libcst's abstract base classes is slow.
    return issubclass(kind, _SITE_TYPES)


def _join(address: str, name: str, index: int | None) -> str:
    part = name if index is None else f"{name}[{index}]"
    return f"{address}.{part}" if address else part


def _segments(address: str) -> tuple[Segment, ...]:
    segments = []
    for part in address.split("."):
        match = _SEGMENT.fullmatch(part)
        assert match is not None, address  # addresses are made by `_join`
        segments.append((match[1], None if match[2] is None else int(match[2])))
    return tuple(segments)


@dataclass(frozen=True)
class _State:
    """Where the walk is: what a node found here belongs to."""

    prefix: str  # qualified-name prefix for definitions met here
    function: str | None
    scope: Scope | None
    editable: bool
    in_loop: bool


@dataclass(frozen=True)
class _Candidate:
    address: str
    node: cst.CSTNode
    state: _State
    in_block: bool
    is_load: bool
    is_callee: bool


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
                )
            )
        if slot == "body" and (
            (parent_kind is cst.IndentedBlock and state.function is not None)
            or (parent_kind is cst.Module and kind is cst.SimpleStatementLine)
        ):
            self._source(node, address)

        inner = state
        if type(node) is cst.FunctionDef:
            inner = self._enter_function(node, state)
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
        for name, index, child in children(node):
            # Only a definition's or loop's body is inside it: decorators, defaults, bases,
            # the loop's iterable and its else clause belong to the code around it.
            child_state = inner if name == "body" else state
            self.visit(child, _join(address, name, index), node, name, child_state)

    def _enter_function(self, node: cst.FunctionDef, state: _State) -> _State:
        qualname = state.prefix + node.name.value
        self.functions.setdefault(qualname)
        editable = state.editable or self.selected is None or qualname in self.selected
        params = parameters(node)
        variables, definitions = bindings(node.body)
        outer = state.scope.names if state.scope is not None else self.module_variables
        scope = Scope(
            function=qualname,
            params=tuple(params),
            names=tuple(dict.fromkeys([*params, *variables, *definitions, *outer])),
            expressions=return_candidates(node, self.module) if editable else (),
            is_async=node.asynchronous is not None,
            conditions=condition_candidates(node, self.module) if editable else (),
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


def _imports(node: cst.BaseStatement) -> bool:
    # An import is never the missing statement worth a search, and a copied
    # `from __future__ import` would not even compile.
    return isinstance(node, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Import | cst.ImportFrom) for small in node.body
    )


@dataclass(frozen=True, eq=False)
class _SiteInfo:
    site: Site
    context: Context
    segments: tuple[Segment, ...]
    operators: tuple[tuple[str, tuple[Payload, ...]], ...]  # (operator, its payloads here)


@dataclass(eq=False)
class _Trie:
    """Edits grouped by address, so each path from the root is rebuilt once."""

    edits: list[tuple[int, Edit, _SiteInfo]] = field(default_factory=list)
    children: dict[str, dict[int | None, _Trie]] = field(default_factory=dict)

    def child(self, segment: Segment) -> _Trie:
        slots = self.children.setdefault(segment[0], {})
        return slots.setdefault(segment[1], _Trie())


Rebuilt = cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.BaseStatement]


@dataclass(frozen=True, eq=False)
class Program:
    """The seed, and everything needed to render any patch against it.

    Build with `Program.parse`. All methods are pure: a Program is never changed after parsing.
    """

    source: str = field(repr=False)
    module: cst.Module = field(repr=False)
    path: str
    # Every editable site, in the order of a walk of the seed.
    sites: tuple[Site, ...] = field(repr=False)
    functions: tuple[str, ...]  # qualified names of all functions, methods included
    editable: tuple[str, ...] | None  # None: every function is editable
    _infos: Mapping[str, _SiteInfo] = field(repr=False)
    _parts: tuple[str, ...] = field(repr=False)  # seed code of header, each statement, footer
    _trim: int = field(repr=False)  # characters libcst drops from the end of the joined parts
    _bound: frozenset[str] = field(repr=False)  # names bound at module level
    _import_at: int = field(repr=False)  # where an added import goes: after docstring, __future__

    @classmethod
    def parse(
        cls, source: str, *, path: str = "<seed>", editable: Sequence[str] | None = None
    ) -> Program:
        """Parse `source` once and find its sites; ProgramError if it cannot be used.

        Names in `editable` are qualified like Python's `__qualname__`: "largest",
        "Graph.add_edge", "outer.<locals>.inner". Code nested in an editable function is
        editable too. Module-level code outside functions never is.
        """
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as error:
            message = " ".join(error.message.removeprefix("parser error: ").split())
            column = error.raw_column + 1
            raise ProgramError(
                f"{path}:{error.raw_line}:{column}: the program does not parse: {message}"
            ) from None
        names = (
            None
            if editable is None
            else ((editable,) if isinstance(editable, str) else tuple(editable))
        )
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        module_variables, module_definitions = bindings(module)
        walker = _Walker(
            module,
            positions,
            None if names is None else frozenset(names),
            tuple(module_variables),
        )
        top = _State(prefix="", function=None, scope=None, editable=False, in_loop=False)
        for index, statement in enumerate(module.body):
            walker.visit(statement, _join("", "body", index), module, "body", top)
        unknown = [name for name in names or () if name not in walker.functions]
        if unknown:
            raise ProgramError(
                f"{path}: editable functions not defined in the program: {', '.join(unknown)}"
            )

        sources = tuple(walker.sources.values())
        seed = Seed(
            module=module,
            statements=sources,
            callables=tuple(module_definitions),
            _by_address={source.address: source for source in sources},
        )
        infos: dict[str, _SiteInfo] = {}
        for candidate in walker.candidates:
            info = _site_info(candidate, seed, positions)
            if info is not None:
                infos[candidate.address] = info

        parts = (
            *(module.code_for_node(line) for line in module.header),
            *(module.code_for_node(statement) for statement in module.body),
            *(module.code_for_node(line) for line in module.footer),
        )
        return cls(
            source=source,
            module=module,
            path=path,
            sites=tuple(info.site for info in infos.values()),
            functions=tuple(walker.functions),
            editable=names,
            _infos=infos,
            _parts=parts,
            _trim=len("".join(parts)) - len(module.code),
            _bound=frozenset([*module_variables, *module_definitions]),
            _import_at=_import_position(module),
        )

    def site(self, address: str) -> Site:
        """The site at `address`; KeyError if there is no editable site there."""
        return self._infos[address].site

    def edits_at(self, address: str) -> list[Edit]:
        """Every edit possible at one site, operators in registry order; KeyError if no site."""
        return [
            Edit(name, address, payload)
            for name, payloads in self._infos[address].operators
            for payload in payloads
        ]

    def random_edit(
        self,
        rng: random.Random,
        site_weights: Mapping[str, float] | None = None,
        operator_weights: Mapping[str, float] | None = None,
    ) -> Edit | None:
        """A random edit: a site, then an operator that applies there, then its payload.

        With `site_weights`, sites are drawn in proportion to their weight, and a site absent
        from the mapping weighs nothing. None when there is no site to draw (no editable site,
        or every weight zero). With `operator_weights`, the operators that apply at the drawn
        site are drawn in proportion to their weight (uniformly if all of them weigh nothing).
        All randomness comes from `rng`.
        """
        if not self.sites:
            return None
        if site_weights is None:
            site = rng.choice(self.sites)
        else:
            weights = [max(0.0, float(site_weights.get(s.address, 0.0))) for s in self.sites]
            if not sum(weights) > 0.0:
                return None
            site = rng.choices(self.sites, weights)[0]
        offered = self._infos[site.address].operators
        chosen = None
        if operator_weights is not None:
            weights = [max(0.0, float(operator_weights.get(name, 0.0))) for name, _ in offered]
            if sum(weights) > 0.0:
                chosen = rng.choices(offered, weights)[0]
        name, payloads = chosen if chosen is not None else rng.choice(offered)
        return Edit(name, site.address, rng.choice(payloads))

    def render(self, patch: Patch) -> str:
        """The variant's source. Edits that do not apply are skipped; a bad edit never raises."""
        replaced, applied = self._rebuild(patch)
        if not replaced:
            return self.source
        parts = list(self._parts)
        offset = len(self.module.header)
        for index, statement in replaced.items():
            parts[offset + index] = self.module.code_for_node(statement)
        imports = self._imports(patch, applied)
        if imports:
            lines = "".join(self.module.code_for_node(line) for line in imports)
            parts[offset + self._import_at] = lines + parts[offset + self._import_at]
        code = "".join(parts)
        return code[: len(code) - self._trim]

    def variant(self, patch: Patch) -> cst.Module:
        """The variant as a tree, for callers that analyse it rather than run it."""
        replaced, applied = self._rebuild(patch)
        if not replaced:
            return self.module
        body: list[cst.BaseStatement] = list(self.module.body)
        for index, statement in replaced.items():
            body[index] = statement
        body[self._import_at : self._import_at] = self._imports(patch, applied)
        return self.module.with_changes(body=body)

    def applicable(self, patch: Patch) -> Patch:
        """The edits of `patch` that take effect, in patch order.

        An edit does not take effect when its site or operator is unknown, its payload does not
        fit, or an edit around it deletes or replaces the code it changed.
        """
        _, applied = self._rebuild(patch)
        return tuple(patch[position] for position in sorted(applied))

    def describe(self, edit: Edit) -> str:
        """One line for humans: "binary-operator at line 4: + -> -"."""
        info = self._infos.get(edit.site)
        if info is None:
            return edit.describe()
        payloads = dict(info.operators).get(edit.operator, ())
        if edit.payload not in payloads:
            # Not an edit this program offers (a hand-edited patch, say): show it raw.
            return edit.describe(line=info.site.line)
        operator = OPERATORS[edit.operator]
        detail = operator.describe(info.site.node, edit.payload, info.context)
        return edit.describe(line=info.site.line, detail=detail)

    def _imports(self, patch: Patch, applied: list[int]) -> list[cst.SimpleStatementLine]:
        """`import` lines that the applied edits need and the seed lacks.

        The only change ever made outside an editable function: `@functools.cache` from the
        memoise operator is no use without `import functools`, and a decorator cannot import.
        """
        modules = dict.fromkeys(
            module
            for position in applied
            if (module := OPERATORS[patch[position].operator].module_import) is not None
            and module not in self._bound
        )
        if not modules:
            return []
        # The import takes the blank lines that open the statement after it, so the spacing
        # of the module stays as it was; comments stay with their statement.
        blank: list[cst.EmptyLine] = []
        for line in self.module.body[self._import_at].leading_lines:
            if line.comment is not None:
                break
            blank.append(line)
        return [
            cst.SimpleStatementLine(
                body=[cst.Import(names=[cst.ImportAlias(name=cst.Name(module))])],
                leading_lines=blank,
            )
            for module in modules
        ]

    def _rebuild(self, patch: Patch) -> tuple[dict[int, cst.BaseStatement], list[int]]:
        """(top-level index -> rebuilt statement, positions in `patch` of applied edits)."""
        root = _Trie()
        for position, edit in enumerate(patch):
            info = self._infos.get(edit.site)
            if info is None or all(name != edit.operator for name, _ in info.operators):
                continue
            trie = root
            for segment in info.segments:
                trie = trie.child(segment)
            trie.edits.append((position, edit, info))
        replaced: dict[int, cst.BaseStatement] = {}
        applied: list[int] = []
        # Every site lies inside a function, so the root's only child is its `body`.
        for index, trie in root.children.get("body", {}).items():
            assert index is not None
            statement = self.module.body[index]
            new, done = _rebuild(statement, trie)
            if done and isinstance(new, cst.BaseStatement):
                replaced[index] = new
                applied += done
        return replaced, applied


def _import_position(module: cst.Module) -> int:
    """The index of the first statement after the module docstring and future imports."""
    index = 1 if module.body and is_docstring(module.body[0]) else 0
    while index < len(module.body) and _is_future(module.body[index]):
        index += 1
    return index


def _is_future(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.ImportFrom)
        and isinstance(small.module, cst.Name)
        and small.module.value == "__future__"
        for small in statement.body
    )


def _site_info(
    candidate: _Candidate, seed: Seed, positions: Mapping[cst.CSTNode, CodeRange]
) -> _SiteInfo | None:
    state = candidate.state
    assert state.scope is not None and state.function is not None  # only candidates in functions
    context = Context(
        seed=seed,
        scope=state.scope,
        in_loop=state.in_loop,
        in_block=candidate.in_block,
        is_load=candidate.is_load,
        is_callee=candidate.is_callee,
    )
    node = candidate.node
    operators = []
    for name, operator in OPERATORS.items():
        if isinstance(node, operator.node_types):
            payloads = operator.payloads(node, context)
            if payloads:
                operators.append((name, tuple(payloads)))
    if not operators:
        return None
    first = node.body[0] if isinstance(node, cst.IndentedBlock) and node.body else node
    line, end_line = positions[first].start.line, positions[node].end.line
    site = Site(candidate.address, node, state.function, line, end_line)
    return _SiteInfo(site, context, _segments(candidate.address), tuple(operators))


def _rebuild(node: cst.CSTNode, trie: _Trie) -> tuple[Rebuilt, list[int]]:
    """`node` with the edits under `trie` applied, innermost first; and the applied positions.

    Children are rebuilt from the seed's own structure, so the indices in their addresses stay
    right even when a sibling is deleted. Edits at `node` itself then see the rebuilt node.
    """
    inner: list[int] = []
    changes: dict[str, object] = {}
    for name, slots in trie.children.items():
        value = getattr(node, name)
        if None in slots:
            new, done = _rebuild(value, slots[None])
            # Only a node can fill a single slot; a removal there cannot take effect.
            if done and isinstance(new, cst.CSTNode):
                changes[name] = new
                inner += done
            continue
        items: list[cst.CSTNode] = []
        for index, item in enumerate(value):
            slot = slots.get(index)
            if slot is None:
                items.append(item)
                continue
            new, done = _rebuild(item, slot)
            inner += done
            if isinstance(new, cst.FlattenSentinel):
                items.extend(new.nodes)
            elif isinstance(new, cst.CSTNode):
                items.append(new)
        if not items and isinstance(node, cst.IndentedBlock):
            items = [_PASS]  # a block emptied by deletions still needs a statement
        changes[name] = items

    current: Rebuilt = node.with_changes(**changes) if inner else node
    own: list[int] = []
    for position, edit, info in trie.edits:
        operator = OPERATORS[edit.operator]
        if not isinstance(current, operator.node_types):
            continue  # removed, or turned into another kind of node by an earlier edit
        try:
            result = operator.apply(current, edit.payload, info.context)
        except cst.CSTValidationError:
            # A payload libcst refuses (say, from a hand-edited patch) is one that does not apply.
            continue
        if result is None:
            continue
        if not operator.keeps_children:
            inner = []
        own.append(position)
        current = result
    return current, inner + own
