"""Use a different attribute: `p.x` -> `p.y`, `queue.pop()` -> `queue.popleft()`.

The wrong-attribute bug. Candidates are attribute names the program itself uses: first those
used on the same base (same code, e.g. `self`), then those used on any base that is not a
module or class of this program, so `math.pi` never turns into `math.append`. Methods trade
only with methods and plain attributes only with plain attributes. A method of the standard
types also trades with its mirror image or near twin, used or not: `find` with `rfind`,
`strip` with `lstrip` and `rstrip`, `append` with `extend` (the wrong-direction and
wrong-variant bugs of text and list handling).
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

_SIBLINGS = (
    ("find", "rfind"),
    ("index", "rindex"),
    ("split", "rsplit"),
    ("partition", "rpartition"),
    ("strip", "lstrip", "rstrip"),
    ("ljust", "rjust"),
    ("startswith", "endswith"),
    ("lower", "upper"),
    ("append", "extend"),
    ("pop", "popleft"),
)
_SIBLINGS_OF = {name: tuple(n for n in group if n != name) for group in _SIBLINGS for name in group}


class ReplaceAttribute(Operator):
    name = "replace-attribute"
    node_types = (cst.Attribute,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Attribute):
            return []
        facts = context.seed.facts
        called = context.is_callee
        base = context.seed.code(node.value)
        same = facts.attributes.get((base, called), ())
        module_base = (
            isinstance(node.value, cst.Name) and node.value.value in context.seed.callables
        )
        wider = () if module_base else facts.any_attributes.get(called, ())
        twins = _SIBLINGS_OF.get(node.attr.value, ()) if called and not module_base else ()
        return [name for name in dict.fromkeys((*same, *twins, *wider)) if name != node.attr.value]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Attribute) or not isinstance(payload, str):
            return None
        if not payload.isidentifier() or payload == node.attr.value:
            return None
        return node.with_changes(attr=node.attr.with_changes(value=payload))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.Attribute)
        return f".{node.attr.value} -> .{payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "class Box:\n    def __init__(self, w, h):\n        self.w = w\n"
                "        self.h = h\n\n    def area(self):\n        return self.w * self.w\n",
                "class Box:\n    def __init__(self, w, h):\n        self.w = w\n"
                "        self.h = h\n\n    def area(self):\n        return self.w * self.h\n",
            ),
            (
                "def drain(queue, out):\n    while queue:\n        out.append(queue.pop())\n"
                "    return out\n\n\ndef first(queue):\n    return queue.popleft()\n",
                "def drain(queue, out):\n    while queue:\n        out.append(queue.popleft())\n"
                "    return out\n\n\ndef first(queue):\n    return queue.popleft()\n",
            ),
            (
                "def key(line, sep):\n    return line[: line.rfind(sep)]\n",
                "def key(line, sep):\n    return line[: line.find(sep)]\n",
            ),
        ]
