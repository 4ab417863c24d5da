"""Edits and patches: an individual is a tuple of edits against the seed, never a tree.

An edit names an operator from the registry, a site address in the seed and a payload that
says which of the operator's mutations to make. Everything here is plain data: it hashes (so
patches key caches and deduplicate populations), and it round-trips through JSON exactly (so
the run store can replay any variant). What an edit *does* is `Program`'s business.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeAlias

# Payloads are JSON values. Lists are held as tuples so that edits, and so patches, hash;
# JSON arrays become tuples on the way in and lists on the way out.
Payload: TypeAlias = str | int | float | bool | tuple["Payload", ...] | None

_FIELDS = ("operator", "site", "payload")


def _freeze(value: object) -> Payload:
    """A JSON value as a Payload, or ValueError for anything JSON cannot hold."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    raise ValueError(f"payload holds {type(value).__name__}, which is not a JSON value")


def _thaw(value: Payload) -> object:
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value


@dataclass(frozen=True)
class Edit:
    operator: str  # registry name, e.g. "binary-operator"
    site: str  # address of the edited node from the module root
    payload: Payload

    def __post_init__(self) -> None:
        # Callers (and json.loads) hand in lists; normalise so equal edits hash equal.
        object.__setattr__(self, "payload", _freeze(self.payload))

    def to_json(self) -> dict[str, object]:
        return {"operator": self.operator, "site": self.site, "payload": _thaw(self.payload)}

    @classmethod
    def from_json(cls, data: object) -> Edit:
        """The inverse of `to_json`; ValueError names what is wrong with `data`."""
        if not isinstance(data, dict):
            raise ValueError(f"an edit is a JSON object, not {type(data).__name__}")
        if set(data) != set(_FIELDS):
            raise ValueError(
                f"an edit has exactly the keys {', '.join(_FIELDS)}; got {sorted(data)}"
            )
        operator, site = data["operator"], data["site"]
        if not isinstance(operator, str) or not isinstance(site, str):
            raise ValueError("an edit's operator and site are strings")
        return cls(operator, site, _freeze(data["payload"]))

    def describe(self, line: int | None = None, detail: str | None = None, file: str = "") -> str:
        """One line for humans, e.g. "binary-operator at line 4: + -> -", or "at
        shop/cart.py line 4" in a program of several files.

        An edit alone knows neither the line nor what the payload replaces; `Program.describe`
        supplies both. Without them the site address and the raw payload stand in.
        """
        where = f"line {line}" if line is not None else self.site
        if file and line is not None:
            where = f"{file} {where}"
        what = detail if detail is not None else json.dumps(_thaw(self.payload))
        return f"{self.operator} at {where}: {what}"


Patch: TypeAlias = tuple[Edit, ...]


def patch_to_json(patch: Patch) -> str:
    """Canonical text: equal patches give equal strings, so the text can be content-hashed."""
    return json.dumps(
        [edit.to_json() for edit in patch], sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def patch_from_json(text: str) -> Patch:
    """The inverse of `patch_to_json`; ValueError if `text` is not a patch."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError(f"a patch is a JSON array of edits, not {type(data).__name__}")
    return tuple(Edit.from_json(item) for item in data)
