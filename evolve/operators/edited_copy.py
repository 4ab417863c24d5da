"""Insert an edited copy of a statement of the same function: copy-statement with a change.

The missing-statement bug whose statement is almost, not quite, written elsewhere: after a
loop that appends each finished group when the next begins, the last group needs the same
append with another name (`out.append(run)` inside, `out.append(current)` after); an
`else` branch needs `hi = mid - 1` beside `lo = mid + 1`; one end of a two-pointer walk
moves (`hi -= 1`) and the other does not (`lo += 1`). The copy has one name replaced by
another of the function's names of the same kind, or one integer moved by one, or a step
mirrored: another name stepping the other way.

Candidates are bounded: the places right after a loop and the end of the block come first,
then the statements inside that loop, then the block's and the function's other statements,
then each change in order; the combinations are taken in order of their summed ranks.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import children, first_position
from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result, code_line, retoken
from evolve.operators.context import Context, Source
from evolve.operators.ingredients import ANY
from evolve.program.patch import Payload

NAME, INTEGER, MIRROR = "name", "int", "mirror"
_FLIPPED: dict[type[cst.BaseAugOp], type[cst.BaseAugOp]] = {
    cst.AddAssign: cst.SubtractAssign,
    cst.SubtractAssign: cst.AddAssign,
}
_POSITIONS = 5
_SOURCES = 8
_CHANGES = 6
_ALTERNATIVES = 3  # other names offered for one name of the copy
MAX_PAYLOADS = 40
_SKIPPED_SLOTS = frozenset({(cst.Attribute, "attr"), (cst.Arg, "keyword"), (cst.Call, "func")})
_CONSTANTS = frozenset({"True", "False", "None"})


def occurrences(statement: cst.CSTNode) -> list[cst.Name | cst.Integer]:
    """The names and integers of `statement` a change may touch, in a fixed walk order."""
    found: list[cst.Name | cst.Integer] = []

    def visit(node: cst.CSTNode, parent: cst.CSTNode | None, slot: str) -> None:
        if isinstance(node, cst.Lambda | cst.FunctionDef | cst.ClassDef):
            return
        if isinstance(node, cst.Name):
            if (type(parent), slot) not in _SKIPPED_SLOTS and node.value not in _CONSTANTS:
                found.append(node)
        elif isinstance(node, cst.Integer):
            found.append(node)
        for name, _, child in children(node):
            visit(child, node, name)

    visit(statement, None, "")
    return found


def _changes(source: Source, context: Context) -> list[Payload]:
    memo = context.scope.copy_changes
    if source.address not in memo:
        memo[source.address] = _work_out_changes(source, context)[:_CHANGES]
    return memo[source.address]


def _stepped(statement: cst.CSTNode) -> cst.AugAssign | None:
    """The `x += e` or `x -= e` that `statement` is, if it is one."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    step = statement.body[0]
    if not isinstance(step, cst.AugAssign) or not isinstance(step.target, cst.Name):
        return None
    return step if type(step.operator) in _FLIPPED else None


def _work_out_changes(source: Source, context: Context) -> list[Payload]:
    kinds = context.scope.ingredients.kinds
    params = set(context.scope.params)
    found: list[Payload] = []
    step = _stepped(source.node)
    if step is not None and isinstance(step.target, cst.Name):
        # The other end of a two-pointer walk: `hi -= 1` copied as `lo += 1`.
        target = step.target.value
        kind = kinds.get(target, ANY)
        same = [n for n in context.scope.names if n != target and kinds.get(n) == kind]
        found += [(MIRROR, 0, name) for name in same[:2]]
    for index, node in enumerate(occurrences(source.node)):
        if isinstance(node, cst.Integer):
            found.append((INTEGER, index, 1))
            if node.value.strip("0_") not in ("", "x", "o", "b", "X", "O", "B"):
                found.append((INTEGER, index, -1))  # a literal cannot go below zero
            continue
        kind = kinds.get(node.value, ANY)
        # Names the function uses or takes; those of the same kind first, then any.
        usable = [n for n in context.scope.names if n != node.value and (n in kinds or n in params)]
        same = [n for n in usable if kinds.get(n) == kind]
        loose = [n for n in usable if n not in same and ANY in (kind, kinds.get(n, ANY))]
        found += [(NAME, index, name) for name in [*same, *loose][:_ALTERNATIVES]]
    return found


def _fits(source: Source, context: Context) -> bool:
    return (context.in_loop or not source.needs_loop) and (
        context.scope.is_async or not source.needs_async
    )


def _parse(payload: Payload, context: Context) -> tuple[int, Source, str, int, Payload] | None:
    if not isinstance(payload, tuple) or len(payload) != 3:
        return None
    position, address, change = payload
    if not isinstance(position, int) or isinstance(position, bool) or not isinstance(address, str):
        return None
    source = context.seed.statement(address)
    if source is None or not isinstance(change, tuple) or len(change) != 3:
        return None
    what, index, value = change
    if what not in (NAME, INTEGER, MIRROR) or not isinstance(index, int) or isinstance(index, bool):
        return None
    return position, source, str(what), index, value


def edited(
    statement: cst.BaseStatement, what: str, index: int, value: Payload
) -> cst.CSTNode | None:
    """`statement` with its occurrence `index` changed, or None if the change does not fit."""
    if what == MIRROR:
        step = _stepped(statement)
        if step is None or not isinstance(value, str) or not value.isidentifier():
            return None
        flipped = _FLIPPED[type(step.operator)]
        assert isinstance(step.target, cst.Name)
        if value == step.target.value:
            return None
        mirrored = step.with_changes(
            target=step.target.with_changes(value=value),
            operator=retoken(step.operator, flipped),
        )
        return statement.deep_replace(step, mirrored)
    found = occurrences(statement)
    if not 0 <= index < len(found):
        return None
    node = found[index]
    if what == NAME and isinstance(node, cst.Name) and isinstance(value, str):
        if not value.isidentifier() or value == node.value:
            return None
        new: cst.CSTNode = node.with_changes(value=value)
    elif what == INTEGER and isinstance(node, cst.Integer) and value in (1, -1):
        if isinstance(value, bool):
            return None
        try:
            number = int(node.value.replace("_", ""), 0) + (1 if value == 1 else -1)
        except ValueError:
            return None
        if number < 0:
            return None
        new = node.with_changes(value=str(number))
    else:
        return None
    return statement.deep_replace(node, new)


class EditedCopy(Operator):
    """Payload [position, source address, change], change being ["name", k, new name] or
    ["int", k, +1 or -1] for the k-th name or integer of the statement, or ["mirror", 0,
    name] for `x -= e` copied as `name += e` (and `+=` as `-=`)."""

    name = "edited-copy"
    node_types = (cst.IndentedBlock,)
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.IndentedBlock) or not context.scope.address:
            return []
        body = node.body
        first = first_position(node)
        after_loops = [
            i + 1 for i in range(first, len(body)) if isinstance(body[i], cst.For | cst.While)
        ]
        positions = list(
            dict.fromkeys([*after_loops, len(body), *range(len(body) - 1, first - 1, -1)])
        )
        own = context.scope.address + ".body"
        sources = [
            s
            for s in context.seed.statements
            if s.address.startswith(own)
            and isinstance(s.node, cst.SimpleStatementLine)
            and _fits(s, context)
        ]
        candidates: list[tuple[tuple[int, int, int, int], Payload]] = []
        for rp, position in enumerate(positions[:_POSITIONS]):
            loop = f"{context.address}.body[{position - 1}]." if position in after_loops else None
            # The loop's own statements first, then the nearest ones.
            ranked = sorted(
                sources,
                key=lambda s: (
                    loop is None or not s.address.startswith(loop),
                    abs(s.line - context.line),
                ),
            )
            for rs, source in enumerate(ranked[:_SOURCES]):
                for rc, change in enumerate(_changes(source, context)[:_CHANGES]):
                    rank = (rp + rs + rc, rp, rs, rc)
                    candidates.append((rank, (position, source.address, change)))
        candidates.sort(key=lambda item: item[0])
        return [payload for _, payload in candidates[:MAX_PAYLOADS]]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = _parse(payload, context)
        if not isinstance(node, cst.IndentedBlock) or parsed is None:
            return None
        position, source, what, index, value = parsed
        if not first_position(node) <= position <= len(node.body) or not _fits(source, context):
            return None
        copy = edited(source.node.with_changes(leading_lines=()), what, index, value)
        if not isinstance(copy, cst.BaseStatement):
            return None
        body = list(node.body)
        body.insert(position, copy)
        return node.with_changes(body=body)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = _parse(payload, context)
        if parsed is None:
            return super().describe(node, payload, context)
        position, source, what, index, value = parsed
        copy = edited(source.node.with_changes(leading_lines=()), what, index, value)
        if copy is None:
            return super().describe(node, payload, context)
        code = code_line(context.seed.code(copy))
        return f"insert `{code}` (edited from line {source.line}) at position {position}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def pairs(xs, cap):\n    lo, hi = 0, len(xs) - 1\n    n = 0\n"
                "    while lo < hi:\n        if xs[lo] + xs[hi] <= cap:\n"
                "            n += hi - lo\n        else:\n            hi -= 1\n    return n\n",
                "def pairs(xs, cap):\n    lo, hi = 0, len(xs) - 1\n    n = 0\n"
                "    while lo < hi:\n        if xs[lo] + xs[hi] <= cap:\n"
                "            n += hi - lo\n            lo += 1\n        else:\n"
                "            hi -= 1\n    return n\n",
            ),
            (
                "def groups(xs):\n    out = []\n    run = []\n    current = []\n    for x in xs:\n"
                "        if x is None:\n            out.append(run)\n            run = []\n"
                "        else:\n            run.append(x)\n    return out\n",
                "def groups(xs):\n    out = []\n    run = []\n    current = []\n    for x in xs:\n"
                "        if x is None:\n            out.append(run)\n            run = []\n"
                "        else:\n            run.append(x)\n    out.append(current)\n"
                "    return out\n",
            ),
            (
                "def narrow(lo, hi, mid, below):\n    if below:\n        lo = mid + 1\n"
                "    else:\n        pass\n    return lo, hi\n",
                "def narrow(lo, hi, mid, below):\n    if below:\n        lo = mid + 1\n"
                "    else:\n        pass\n        hi = mid + 1\n    return lo, hi\n",
            ),
        ]
