"""Hoist a loop-invariant call or comprehension out of its loop into a variable: the
repeated-work speed-up that hoist-invariant cannot reach, because the work sits inside a
condition or a larger expression rather than in an assignment of its own.

    for x in xs:                      mean = _mean(xs)
        if x > _mean(xs):     ->      for x in xs:
            out.append(x)                 if x > mean:
                                              out.append(x)

An expression qualifies when it is a call or a list, set or dict comprehension in the loop's
body (or a `while` test), outside any nested function, and its free names are neither bound
nor mutated anywhere in the loop. Generator expressions never qualify: one built before the
loop would be used up by the first pass. The payload is the expression's code; every
occurrence of it in the loop is replaced by the one variable.
"""

from __future__ import annotations

import builtins
import keyword

import libcst as cst

from evolve.operators.analysis import children, store_names
from evolve.operators.base import Operator, Result, code_line
from evolve.operators.context import Context
from evolve.operators.hoist_invariant import loop_effects, reads
from evolve.program.patch import Payload

_CANDIDATES = (cst.Call, cst.ListComp, cst.SetComp, cst.DictComp)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp)
# Their code runs in another scope, or later: an expression in them is not loop work.
_SKIPPED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_EMPTY = cst.Module(body=[])


def _own_bindings(node: cst.CSTNode) -> set[str]:
    """Names a comprehension binds for itself (`stop` in `[s(stop) for stop in stops]`)."""
    bound: set[str] = set()

    def visit(node: cst.CSTNode) -> None:
        if isinstance(node, cst.CompFor):
            bound.update(name.value for name in store_names(node.target))
        for _, _, child in children(node):
            visit(child)

    visit(node)
    return bound


def _invariants(loop: cst.CSTNode) -> list[cst.BaseExpression]:
    """The largest qualifying expressions of the loop, in source order."""
    if not isinstance(loop, cst.For | cst.While) or not isinstance(loop.body, cst.IndentedBlock):
        return []
    if isinstance(loop, cst.For) and loop.asynchronous is not None:
        return []
    assigned, mutated = loop_effects(loop)
    changing = set(assigned) | mutated
    found: list[cst.BaseExpression] = []

    def visit(node: cst.CSTNode, whole_value: bool = False) -> None:
        if isinstance(node, _SKIPPED):
            return
        # The whole value of an assignment is hoist-invariant's to move, which checks the
        # target too; hoisting it here would also share one fresh list or dict between
        # iterations that may each mutate their own.
        if isinstance(node, _CANDIDATES) and not whole_value:
            names, pinned = reads(node)
            if not pinned and not (names - _own_bindings(node)) & changing:
                found.append(node)
                return  # the largest such expression is the one worth hoisting
        for _, _, child in children(node):
            visit(child, isinstance(node, cst.Assign | cst.AnnAssign) and child is node.value)

    if isinstance(loop, cst.While):
        visit(loop.test)  # `for`'s iterable already runs once
    visit(loop.body)
    return found


def _matching(loop: cst.CSTNode, code: str) -> list[cst.BaseExpression]:
    return [node for node in _invariants(loop) if _EMPTY.code_for_node(node) == code]


def _fresh_name(expression: cst.BaseExpression, taken: set[str]) -> str:
    """A readable variable name that hides nothing: not a name of the scope, nor a builtin."""
    base = "hoisted"
    if isinstance(expression, cst.Call):
        func = expression.func
        if isinstance(func, cst.Name):
            base = func.value.strip("_") or base
        elif isinstance(func, cst.Attribute):
            base = func.attr.value.strip("_") or base
    elif isinstance(expression, _COMPREHENSIONS) and isinstance(expression.for_in.iter, cst.Name):
        kind = {cst.ListComp: "list", cst.SetComp: "set", cst.DictComp: "dict"}
        base = f"{expression.for_in.iter.value}_{kind[type(expression)]}"
    candidates = [base, f"{base}_value"] + [f"{base}_{n}" for n in range(2, 100)]
    for name in candidates:
        if name not in taken and not keyword.iskeyword(name) and not hasattr(builtins, name):
            return name
    return f"{base}_{len(taken)}"


class _Replace(cst.CSTTransformer):
    def __init__(self, targets: list[cst.BaseExpression], name: str) -> None:
        super().__init__()
        self.targets = {id(target) for target in targets}
        self.name = name

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self._swap(original, updated)

    def leave_ListComp(self, original: cst.ListComp, updated: cst.ListComp) -> cst.BaseExpression:
        return self._swap(original, updated)

    def leave_SetComp(self, original: cst.SetComp, updated: cst.SetComp) -> cst.BaseExpression:
        return self._swap(original, updated)

    def leave_DictComp(self, original: cst.DictComp, updated: cst.DictComp) -> cst.BaseExpression:
        return self._swap(original, updated)

    def _swap(
        self, original: cst.BaseExpression, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        if id(original) not in self.targets:
            return updated
        # The variable keeps the expression's parentheses, so `(f(x))` stays well formed.
        return cst.Name(self.name, lpar=updated.lpar, rpar=updated.rpar)


class HoistExpression(Operator):
    name = "hoist-expression"
    node_types = (cst.For, cst.While)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not context.in_block:
            return []
        codes = [_EMPTY.code_for_node(found) for found in _invariants(node)]
        return list(dict.fromkeys(codes))

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not context.in_block or not isinstance(node, cst.For | cst.While):
            return None
        if not isinstance(payload, str):
            return None
        targets = _matching(node, payload)
        if not targets:
            return None
        name = _fresh_name(targets[0], set(context.scope.names))
        loop = node.visit(_Replace(targets, name))
        if not isinstance(loop, cst.For | cst.While):
            return None
        value = targets[0].with_changes(lpar=[], rpar=[])
        assign = cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=value)
        # The loop keeps the blank lines and comments above it, as hoist-invariant does.
        return cst.FlattenSentinel([cst.SimpleStatementLine(body=[assign]), loop])

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        if not isinstance(payload, str):
            return super().describe(node, payload, context)
        return f"hoist `{code_line(payload)}` out of the loop into a variable"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def above(xs):\n    out = []\n    for x in xs:\n        if x > _mean(xs):\n"
                "            out.append(x)\n    return out\n",
                "def above(xs):\n    out = []\n    mean = _mean(xs)\n    for x in xs:\n"
                "        if x > mean:\n            out.append(x)\n    return out\n",
            ),
            (
                "def keep(words, stops):\n    out = []\n    for w in words:\n"
                "        if w.lower() not in [s.lower() for s in stops]:\n"
                "            out.append(w)\n    return out\n",
                "def keep(words, stops):\n    out = []\n"
                "    stops_list = [s.lower() for s in stops]\n    for w in words:\n"
                "        if w.lower() not in stops_list:\n            out.append(w)\n"
                "    return out\n",
            ),
            (
                "def count(xs, k):\n    i = 0\n    while i < len(xs):\n        i += 1\n"
                "    return i\n",
                "def count(xs, k):\n    i = 0\n    len_value = len(xs)\n    while i < len_value:\n"
                "        i += 1\n    return i\n",
            ),
        ]
