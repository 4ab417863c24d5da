"""The seed program: one module, or several files (a package, modules importing each other).

Each file is parsed once into a `ModuleProgram`; edits address (file, site) through the
site's address, which carries a "file::" prefix when there are several files. Rendering a
patch renders every file (each ignores edits addressed to another) and gives the program's
text: a single file's source, or for several files a *bundle*, a JSON object mapping each
file's name to its source in program order. The text is what the engine hashes, caches and
stores; it is split into files again where files matter: `runnable` (what the sandbox runs),
`diff`, and `evolve apply`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from evolve.program.diff import pack_files, program_diff, unpack_files
from evolve.program.module import ModuleProgram, ProgramError
from evolve.program.patch import Edit, Patch, Payload
from evolve.program.sites import Site
from sandbox import ProgramSource

__all__ = [
    "Program",
    "ProgramError",
    "Site",
    "operator_shares",
    "pack_files",
    "program_diff",
    "unpack_files",
]

FILE_SEPARATOR = "::"  # between a file's name and the address of a site in it


@dataclass(frozen=True, eq=False)
class Program:
    """The seed, and everything needed to render any patch against it.

    Build with `Program.parse` (one file) or `Program.parse_files` (several). All methods are
    pure: a Program never changes after parsing.
    """

    source: str = field(repr=False)  # the seed's text (a bundle when there are several files)
    path: str  # the seed file, or the directory the files are named from
    several: bool  # several files: texts are bundles and addresses carry the file's name
    modules: tuple[tuple[str, ModuleProgram], ...] = field(repr=False)  # (file name, module)
    # Every editable site, file after file, each in the order of a walk of its module.
    sites: tuple[Site, ...] = field(repr=False)
    functions: tuple[str, ...]  # qualified names of all functions, methods included
    editable: tuple[str, ...] | None  # None: every function is editable
    _by_file: Mapping[str, ModuleProgram] = field(repr=False)

    @classmethod
    def parse(
        cls,
        source: str,
        *,
        path: str = "<seed>",
        editable: Sequence[str] | None = None,
        test_literals: Sequence[str] = (),
    ) -> Program:
        """Parse `source` once and find its sites; ProgramError if it cannot be used.

        Names in `editable` are qualified like Python's `__qualname__`: "largest",
        "Graph.add_edge", "outer.<locals>.inner". Code nested in an editable function is
        editable too. Module-level code outside functions never is. `test_literals` are
        string literals the tests' inputs suggest (`evolve.program.literals`): the same ones
        give the same edits, so a resumed run passes them again.
        """
        names = _names(editable)
        module = ModuleProgram.parse(
            source, path=path, editable=_selection(names), test_literals=tuple(test_literals)
        )
        return cls._build(source, path, False, ((Path(path).name, module),), names)

    @classmethod
    def parse_files(
        cls,
        files: Mapping[str, str],
        *,
        path: str,
        editable: Sequence[str] | None = None,
        test_literals: Sequence[str] = (),
    ) -> Program:
        """Parse a program of several files, named by relative paths ("shop/cart.py") from
        the directory `path`. An editable name selects that function in whichever file
        defines it."""
        if not files:
            raise ProgramError(f"{path}: the program has no files")
        names = _names(editable)
        modules, offset = [], 0
        for name, source in files.items():
            module = ModuleProgram.parse(
                source,
                path=str(Path(path) / name),
                editable=_selection(names),
                prefix=name + FILE_SEPARATOR,
                line_offset=offset,
                test_literals=tuple(test_literals),
            )
            modules.append((name, module))
            offset += len(source.splitlines())
        return cls._build(pack_files(files), path, True, tuple(modules), names)

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        path: str,
        several: bool,
        editable: Sequence[str] | None = None,
        test_literals: Sequence[str] = (),
    ) -> Program:
        """Parse a program from its text as `source` gives it (a bundle if `several`)."""
        if not several:
            return cls.parse(text, path=path, editable=editable, test_literals=test_literals)
        try:
            files = unpack_files(text)
        except ValueError as exc:
            raise ProgramError(f"{path}: {exc}") from None
        return cls.parse_files(files, path=path, editable=editable, test_literals=test_literals)

    @classmethod
    def _build(
        cls,
        source: str,
        path: str,
        several: bool,
        modules: tuple[tuple[str, ModuleProgram], ...],
        names: tuple[str, ...] | None,
    ) -> Program:
        functions = tuple(dict.fromkeys(f for _, module in modules for f in module.functions))
        unknown = [name for name in names or () if name not in functions]
        if unknown:
            raise ProgramError(
                f"{path}: editable functions not defined in the program: {', '.join(unknown)}"
            )
        return cls(
            source=source,
            path=path,
            several=several,
            modules=modules,
            sites=tuple(site for _, module in modules for site in module.sites),
            functions=functions,
            editable=names,
            _by_file=dict(modules),
        )

    @property
    def files(self) -> dict[str, str]:
        """The seed's files: name -> source."""
        return {name: module.source for name, module in self.modules}

    @property
    def module(self) -> cst.Module:
        """The first file's tree (the only one's, for a program of one file)."""
        return self.modules[0][1].module

    def runnable(self, text: str) -> ProgramSource:
        """What the sandbox runs for a variant's text: the text itself, or a bundle's files."""
        return unpack_files(text) if self.several else text

    def diff(self, before: str, after: str) -> str:
        """The unified diff between two variants' texts, across files."""
        return program_diff(before, after, path=self.path, several=self.several)

    def site(self, address: str) -> Site:
        """The site at `address`; KeyError if there is no editable site there."""
        return self._module_at(address).site(address)

    def edits_at(self, address: str) -> list[Edit]:
        """Every edit possible at one site, operators in registry order; KeyError if no site."""
        return self._module_at(address).edits_at(address)

    def operators_at(self, address: str) -> tuple[tuple[str, tuple[Payload, ...]], ...]:
        """(operator, its payloads) for each operator that applies at a site; KeyError if none."""
        return self._module_at(address).operators_at(address)

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
        return self.edit_at(site.address, rng, operator_weights)

    def edit_at(
        self,
        address: str,
        rng: random.Random,
        operator_weights: Mapping[str, float] | None = None,
    ) -> Edit:
        """A random edit at one site: an operator that applies there (drawn by
        `operator_weights` as in `random_edit`), then one of its payloads. KeyError if there
        is no site at `address`."""
        offered = self.operators_at(address)
        weights = operator_shares(offered, operator_weights)
        name, payloads = (
            rng.choice(offered) if weights is None else rng.choices(offered, weights)[0]
        )
        return Edit(name, address, rng.choice(payloads))

    def render(self, patch: Patch) -> str:
        """The variant's text. Edits that do not apply are skipped; a bad edit never raises."""
        if not self.several:
            return self.modules[0][1].render(patch)
        return pack_files({name: module.render(patch) for name, module in self.modules})

    def variant(self, patch: Patch) -> cst.Module:
        """The first file's variant as a tree, for callers that analyse it rather than run it."""
        return self.modules[0][1].variant(patch)

    def describe(self, edit: Edit) -> str:
        """One line for humans: "binary-operator at line 4: + -> -"."""
        try:
            module = self._module_at(edit.site)
        except KeyError:
            return edit.describe()
        return module.describe(edit)

    def _module_at(self, address: str) -> ModuleProgram:
        if not self.several:
            return self.modules[0][1]
        name, separator, _ = address.partition(FILE_SEPARATOR)
        if not separator:
            raise KeyError(address)
        return self._by_file[name]


def _names(editable: Sequence[str] | None) -> tuple[str, ...] | None:
    if editable is None:
        return None
    return (editable,) if isinstance(editable, str) else tuple(editable)


def _selection(names: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if names is None else frozenset(names)


def operator_shares(
    offered: Sequence[tuple[str, tuple[Payload, ...]]],
    operator_weights: Mapping[str, float] | None,
) -> list[float] | None:
    """How `edit_at` weighs the operators `offered` at a site: by `operator_weights`
    (negative weights count as none), or None to draw them uniformly (no weights, or all of
    them nothing)."""
    if operator_weights is None:
        return None
    weights = [max(0.0, float(operator_weights.get(name, 0.0))) for name, _ in offered]
    return weights if sum(weights) > 0.0 else None
