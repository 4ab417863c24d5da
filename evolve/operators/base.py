"""The shape every operator has, and helpers the operator-swapping ones share."""

from __future__ import annotations

import abc
import json
from collections.abc import Mapping
from typing import ClassVar, TypeAlias

import libcst as cst

from evolve.operators.context import Context
from evolve.operators.expressions import retoken
from evolve.program.patch import Payload

__all__ = [
    "TEMPLATE_WEIGHT",
    "Operator",
    "Result",
    "code_line",
    "index_pair",
    "retoken",
    "symbol_table",
]

# What `apply` returns: the replacement node, a removal (statements only), several statements
# in place of one, or None when the payload does not apply to this node (any more).
Result: TypeAlias = (
    cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.BaseStatement] | None
)


# `Operator.weight` of the fix templates (the operators that build code from ingredients).
TEMPLATE_WEIGHT = 0.1


class Operator(abc.ABC):
    """One kind of mutation. Instances are stateless; the registry holds one of each.

    `payloads` lists every mutation possible at a site of the seed; `apply` makes one. `apply`
    never raises: a payload that is malformed, or that no longer fits a node already changed
    by an edit nested inside it, gives None.
    """

    name: ClassVar[str]
    node_types: ClassVar[tuple[type[cst.CSTNode], ...]]
    # False when `apply` replaces the node's whole subtree, so that edits already made inside
    # it no longer show in the variant and must not count as applied.
    keeps_children: ClassVar[bool] = True
    # A module that the variant must import at top level for this operator's edits to run
    # (`Program` adds `import <module>` when the seed lacks it). Only memoisation needs one:
    # `@functools.cache` is no use without `functools`.
    module_import: ClassVar[str | None] = None
    # How often adaptive search draws this operator relative to others of equal merit. The fix
    # templates weigh less: each applies at many sites where a one-token mutation is the
    # likelier fix, and drawn as often they would crowd it out (random search ignores this).
    weight: ClassVar[float] = 1.0
    # A fix template (builds code from the function's ingredients): its prior is the run's
    # `SearchSettings.template_weight`, which `evolve tune` may set, rather than `weight`.
    template: ClassVar[bool] = False

    @abc.abstractmethod
    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        """Every mutation at `node` in the seed, in a fixed order; empty if none fits."""

    @abc.abstractmethod
    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        """`node` mutated as `payload` says, or None if that does not apply."""

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        """What the mutation does, for one line of a report; `node` is the seed's."""
        return json.dumps(payload)

    @classmethod
    @abc.abstractmethod
    def examples(cls) -> list[tuple[str, str]]:
        """(before, after) module sources: one of this operator's edits turns before into after."""


def symbol_table(
    symbols: Mapping[str, type[cst.CSTNode]], families: tuple[tuple[str, ...], ...]
) -> dict[type[cst.CSTNode], tuple[str, tuple[str, ...]]]:
    """token class -> (its symbol, the other symbols of its family)."""
    table = {}
    for family in families:
        for symbol in family:
            table[symbols[symbol]] = (symbol, tuple(s for s in family if s != symbol))
    return table


def code_line(code: str, limit: int = 60) -> str:
    """The first line of code in `code` (not a comment), shortened for a one-line description."""
    lines = [line.strip() for line in code.splitlines()]
    first = next((line for line in lines if line and not line.startswith("#")), "")
    return first if len(first) <= limit else first[: limit - 3] + "..."


def index_pair(payload: Payload) -> tuple[int, int] | None:
    """A swap payload [i, j] with 0 <= i < j, or None if the payload is not one."""
    if not isinstance(payload, tuple) or len(payload) != 2:
        return None
    i, j = payload
    # bool is an int subclass, but True is no index a payload would hold
    if (
        not isinstance(i, int)
        or not isinstance(j, int)
        or isinstance(i, bool)
        or isinstance(j, bool)
    ):
        return None
    return (i, j) if 0 <= i < j else None
