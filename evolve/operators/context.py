"""What an operator may know about a site beyond the node itself.

`Program` builds one `Context` per site when it parses the seed, so operators stay pure
functions of (node, payload, context) and never walk the tree themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst

from evolve.operators.analysis import ProgramFacts, program_facts
from evolve.operators.ingredients import NO_INGREDIENTS, Ingredients
from evolve.program.patch import Payload


@dataclass(frozen=True)
class Source:
    """A seed statement that copy-statement may insert elsewhere."""

    address: str
    node: cst.BaseStatement
    line: int
    needs_loop: bool  # holds a break or continue aimed at a loop outside the statement
    needs_async: bool  # holds await, async for or async with


@dataclass(frozen=True, eq=False)
class Seed:
    """Program-wide facts, shared by every site's context."""

    module: cst.Module
    statements: tuple[Source, ...]
    callables: tuple[str, ...]  # module-level functions, classes and imports
    _by_address: Mapping[str, Source] = field(repr=False)
    # String literals the tests' inputs hold that the program does not (a separator `";"`
    # only the inputs show): `evolve.program.literals`.
    test_literals: tuple[str, ...] = ()
    # Parsed replacement expressions, keyed by payload text: a payload is parsed once per run,
    # not once per variant.
    _expressions: dict[str, cst.BaseExpression | None] = field(default_factory=dict, repr=False)

    @cached_property
    def facts(self) -> ProgramFacts:
        # Worked out on first use, once per seed: only a few operators need these pools.
        return program_facts(self.module)

    def statement(self, address: str) -> Source | None:
        return self._by_address.get(address)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def expression(self, text: str) -> cst.BaseExpression | None:
        """`text` parsed as one expression, or None if it is not one."""
        if text not in self._expressions:
            parsed: cst.BaseExpression | None = None
            if text and "\n" not in text:
                try:
                    parsed = cst.parse_expression(text, self.module.config_for_parsing)
                except cst.ParserSyntaxError:
                    parsed = None
            self._expressions[text] = parsed
        return self._expressions[text]


@dataclass(frozen=True, eq=False)
class Scope:
    """One function: what its code can name and what it might return."""

    function: str  # qualified name
    params: tuple[str, ...]
    names: tuple[str, ...]  # own params and locals, then enclosing functions', then globals
    expressions: tuple[str, ...]  # replace-return candidates, most generic first
    is_async: bool
    conditions: tuple[str, ...] = ()  # missing-guard candidates, the function's own first
    address: str = ""  # the function definition's site address
    # How the function uses its names, and the sub-expressions it holds: what the operators
    # that build expressions draw from. Worked out once per editable function.
    ingredients: Ingredients = field(default=NO_INGREDIENTS, repr=False)
    # Edited-copy's changes of each of the function's statements, by address: worked out once
    # per statement, though every block of the function offers them.
    copy_changes: dict[str, list[Payload]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, eq=False)
class Context:
    seed: Seed
    scope: Scope
    in_loop: bool  # a break or continue here would bind to a loop of this function
    in_block: bool  # the node is a statement of an indented block
    is_load: bool  # the node is a Name being read
    is_callee: bool  # the node is the function part of a call
    # Where the node sits: its parent's kind and the field of the parent that holds it.
    parent: type[cst.CSTNode] | None = None
    slot: str = ""
    # The node is an expression being evaluated where any other expression could stand: not
    # an assignment or deletion target, nor part of a match pattern, an f-string or a
    # concatenated string literal.
    is_value: bool = False
    line: int = 0  # the node's first line in the seed
    address: str = ""  # the site's address in its module
