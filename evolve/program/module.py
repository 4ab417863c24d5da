"""One module of the seed: parsed once, its sites found once, variants rendered from patches.

Rendering rebuilds only the path from the root to each edited node (`with_changes` along the
path, every other node shared with the seed) and generates code only for the top-level
statements that changed; the rest of the text is the seed's own.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from evolve.errors import UsageError
from evolve.operators import OPERATORS
from evolve.operators.analysis import is_docstring
from evolve.program.patch import Edit, Patch, Payload
from evolve.program.sites import Segment, Site, SiteInfo, find_sites


def _python_syntax_error(source: str, path: str) -> str | None:
    """Python's own complaint about `source`, or None if it compiles. Python is asked first:
    its position and message ("line 2: expected ':'") are the ones people know, where
    libcst's parser reports where its grammar gave up ("line 4, expected one of !=, %, ...").
    It also refuses what libcst accepts and no interpreter would run (`return` outside a
    function). Warnings the compiler gives about valid code (`x is 1`) are not shown."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        where = f"{path}:{error.lineno}" if error.lineno else path
        if error.lineno and error.offset:
            where += f":{error.offset}"
        return f"{where}: the program does not parse: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:  # a NUL byte, deep nesting
        return f"{path}: the program does not parse: {error}"
    return None


class ProgramError(UsageError, ValueError):
    """The seed cannot be used: it does not parse, or names an editable function it lacks.

    A UsageError, so the CLI reports it as one line with exit status 2.
    """


_PASS = cst.SimpleStatementLine(body=[cst.Pass()])


@dataclass(eq=False)
class _Trie:
    """Edits grouped by address, so each path from the root is rebuilt once."""

    edits: list[tuple[int, Edit, SiteInfo]] = field(default_factory=list)
    children: dict[str, dict[int | None, _Trie]] = field(default_factory=dict)

    def child(self, segment: Segment) -> _Trie:
        slots = self.children.setdefault(segment[0], {})
        return slots.setdefault(segment[1], _Trie())


Rebuilt = cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.BaseStatement]


@dataclass(frozen=True, eq=False)
class ModuleProgram:
    """One module of the seed, and everything needed to render any patch against it.

    Build with `ModuleProgram.parse`. All methods are pure: it never changes after parsing.
    """

    source: str = field(repr=False)
    module: cst.Module = field(repr=False)
    path: str
    # Every editable site, in the order of a walk of the seed.
    sites: tuple[Site, ...] = field(repr=False)
    functions: tuple[str, ...]  # qualified names of all functions, methods included
    _infos: Mapping[str, SiteInfo] = field(repr=False)
    _parts: tuple[str, ...] = field(repr=False)  # seed code of header, each statement, footer
    _trim: int = field(repr=False)  # characters libcst drops from the end of the joined parts
    _bound: frozenset[str] = field(repr=False)  # names bound at module level
    _import_at: int = field(repr=False)  # where an added import goes: after docstring, __future__

    @classmethod
    def parse(
        cls,
        source: str,
        *,
        path: str = "<seed>",
        editable: frozenset[str] | None = None,
        prefix: str = "",
        line_offset: int = 0,
        test_literals: tuple[str, ...] = (),
    ) -> ModuleProgram:
        """Parse `source` once and find its sites; ProgramError if it does not parse.

        `prefix` starts every site address (the file's name when the program has several);
        `line_offset` numbers site lines on from the program's files before this one;
        `test_literals` are string literals the tests suggest, for the operators' pools.
        """
        python_error = _python_syntax_error(source, path)
        if python_error is not None:
            raise ProgramError(python_error)
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as error:
            message = " ".join(error.message.removeprefix("parser error: ").split())
            column = error.raw_column + 1
            raise ProgramError(
                f"{path}:{error.raw_line}:{column}: the program does not parse: {message}"
            ) from None
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        file = prefix.removesuffix("::")
        table = find_sites(
            module,
            positions,
            editable,
            prefix=prefix,
            line_offset=line_offset,
            file=file,
            test_literals=test_literals,
        )
        parts = (
            *(module.code_for_node(line) for line in module.header),
            *(module.code_for_node(statement) for statement in module.body),
            *(module.code_for_node(line) for line in module.footer),
        )
        return cls(
            source=source,
            module=module,
            path=path,
            sites=tuple(info.site for info in table.infos.values()),
            functions=table.functions,
            _infos=table.infos,
            _parts=parts,
            _trim=len("".join(parts)) - len(module.code),
            _bound=table.bound,
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

    def operators_at(self, address: str) -> tuple[tuple[str, tuple[Payload, ...]], ...]:
        """(operator, its payloads) for each operator that applies at a site; KeyError if none."""
        return self._infos[address].operators

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

    def describe(self, edit: Edit) -> str:
        """One line for humans: "binary-operator at line 4: + -> -"."""
        info = self._infos.get(edit.site)
        if info is None:
            return edit.describe()
        payloads = dict(info.operators).get(edit.operator, ())
        if edit.payload not in payloads:
            # Not an edit this program offers (a hand-edited patch, say): show it raw.
            return edit.describe(line=info.site.line, file=info.site.file)
        operator = OPERATORS[edit.operator]
        detail = operator.describe(info.site.node, edit.payload, info.context)
        return edit.describe(line=info.site.line, detail=detail, file=info.site.file)

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
