"""Build a set instead of a list that is only used for `in` tests: `seen = [..]` ->
`seen = {..}`, `allowed = list(xs)` -> `allowed = set(xs)`. The quadratic-membership speed-up.

The site is the function's definition, since only the whole function shows that a name is
bound once and read nowhere but on the right of `in` / `not in`. The payload is the name.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import children
from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

# Name slots that are not the variable: `obj.seen`, `f(seen=...)`.
_NOT_VARIABLE = ((cst.Attribute, "attr"), (cst.Arg, "keyword"))


def _listing(value: cst.BaseExpression) -> bool:
    """A list being built: a non-empty list display or comprehension, or `list(x)`."""
    if isinstance(value, cst.List):
        return bool(value.elements)
    if isinstance(value, cst.ListComp):
        return True
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "list"
        and len(value.args) == 1
        and value.args[0].keyword is None
        and not value.args[0].star
    )


def _as_set(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.List):
        return cst.Set(
            elements=value.elements,
            lbrace=cst.LeftCurlyBrace(whitespace_after=value.lbracket.whitespace_after),
            rbrace=cst.RightCurlyBrace(whitespace_before=value.rbracket.whitespace_before),
            lpar=value.lpar,
            rpar=value.rpar,
        )
    if isinstance(value, cst.ListComp):
        return cst.SetComp(
            elt=value.elt,
            for_in=value.for_in,
            lbrace=cst.LeftCurlyBrace(whitespace_after=value.lbracket.whitespace_after),
            rbrace=cst.RightCurlyBrace(whitespace_before=value.rbracket.whitespace_before),
            lpar=value.lpar,
            rpar=value.rpar,
        )
    assert isinstance(value, cst.Call) and isinstance(value.func, cst.Name)
    return value.with_changes(func=value.func.with_changes(value="set"))


def _candidates(function: cst.FunctionDef) -> dict[str, cst.Assign]:
    """Names bound once, by `name = <list>`, and otherwise only tested with `in`."""
    bound: dict[str, list[cst.Assign]] = {}
    disqualified: set[str] = set()
    tested: set[str] = set()
    targets: set[int] = set()

    def visit(node: cst.CSTNode, parent: cst.CSTNode | None, slot: str) -> None:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    targets.add(id(target.target))
                    if len(node.targets) == 1 and _listing(node.value):
                        bound.setdefault(target.target.value, []).append(node)
                    else:
                        disqualified.add(target.target.value)
        if (
            isinstance(node, cst.ComparisonTarget)
            and isinstance(node.operator, cst.In | cst.NotIn)
            and isinstance(node.comparator, cst.Name)
        ):
            tested.add(node.comparator.value)
            targets.add(id(node.comparator))
        if (
            isinstance(node, cst.Name)
            and id(node) not in targets
            and not any(isinstance(parent, kind) and slot == s for kind, s in _NOT_VARIABLE)
        ):
            disqualified.add(node.value)  # read, mutated or rebound some other way
        for name, _, child in children(node):
            visit(child, node, name)

    visit(function.body, function, "body")
    return {
        name: assigns[0]
        for name, assigns in bound.items()
        if len(assigns) == 1 and name in tested and name not in disqualified
    }


class _ToSet(cst.CSTTransformer):
    def __init__(self, assign: cst.Assign) -> None:
        super().__init__()
        self.assign = assign
        self.done = False

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if original is self.assign:
            self.done = True
            return updated.with_changes(value=_as_set(updated.value))
        return updated


class SetMembership(Operator):
    name = "set-membership"
    node_types = (cst.FunctionDef,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.FunctionDef):
            return []
        return list(_candidates(node))

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.FunctionDef) or not isinstance(payload, str):
            return None
        # Found again in the node as it is now: an edit inside may have changed the uses.
        assign = _candidates(node).get(payload)
        if assign is None:
            return None
        transformer = _ToSet(assign)
        body = node.body.visit(transformer)
        if not transformer.done or not isinstance(body, cst.BaseSuite):
            return None
        return node.with_changes(body=body)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        return f"make {payload} a set: it is only used for `in` tests"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def common(xs, ys):\n    allowed = list(ys)\n"
                "    return [x for x in xs if x in allowed]\n",
                "def common(xs, ys):\n    allowed = set(ys)\n"
                "    return [x for x in xs if x in allowed]\n",
            ),
            (
                "def vowels(s):\n    v = ['a', 'e', 'i', 'o', 'u']\n    n = 0\n    for c in s:\n"
                "        if c not in v:\n            continue\n        n += 1\n    return n\n",
                "def vowels(s):\n    v = {'a', 'e', 'i', 'o', 'u'}\n    n = 0\n    for c in s:\n"
                "        if c not in v:\n            continue\n        n += 1\n    return n\n",
            ),
        ]
