"""Checkpoints: the search's state at the end of a generation, as JSON in the run store.

A checkpoint holds what the next generation depends on and the store does not already hold:
the population (as patches), the run's random generator, the loop's counters, the champion,
the evaluator's counters, and the state of every component of the search that declares one
(`Stateful`). Evaluations are not in it: they are in the store, and a resumed run rebuilds its
cache from there. Everything is plain JSON, so the state can be read and compared by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from evolve.errors import RunStateError
from evolve.program.patch import Patch, patch_from_json, patch_to_json

# Raised when the layout of the state changes; a checkpoint of another version is refused.
VERSION = 2


@runtime_checkable
class Stateful(Protocol):
    """A part of the search that changes from generation to generation (an algorithm's
    islands, an operator bandit, ...). Its state must be JSON and restore it exactly."""

    def state(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


@dataclass
class Checkpoint:
    """The loop's own state; `extra` carries the rest of the checkpoint's JSON unread."""

    generation: int
    stale: int
    population: list[Patch]
    # Whether each individual carries an evaluation: one left out when the budget ran out
    # stays unevaluated even if its source is in the cache by the time the run resumes.
    evaluated: list[bool]
    champion: Patch
    champion_hash: str
    rng: list[Any]
    counters: dict[str, int]
    holdout_rejections: int
    accepted: int
    elapsed_s: float
    components: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "generation": self.generation,
            "stale": self.stale,
            "population": [patch_to_json(patch) for patch in self.population],
            "evaluated": self.evaluated,
            "champion": patch_to_json(self.champion),
            "champion_hash": self.champion_hash,
            "rng": self.rng,
            "counters": self.counters,
            "holdout_rejections": self.holdout_rejections,
            "accepted": self.accepted,
            "elapsed_s": self.elapsed_s,
            "components": self.components,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        """The inverse of `to_json`; RunStateError if the state is not one this engine wrote."""
        if data.get("version") != VERSION:
            raise RunStateError(
                f"checkpoint format {data.get('version')!r} is not this engine's ({VERSION})"
            )
        try:
            return cls(
                generation=int(data["generation"]),
                stale=int(data["stale"]),
                population=[patch_from_json(text) for text in data["population"]],
                evaluated=[bool(flag) for flag in data["evaluated"]],
                champion=patch_from_json(data["champion"]),
                champion_hash=str(data["champion_hash"]),
                rng=list(data["rng"]),
                counters={str(k): int(v) for k, v in data["counters"].items()},
                holdout_rejections=int(data["holdout_rejections"]),
                accepted=int(data["accepted"]),
                elapsed_s=float(data["elapsed_s"]),
                components={str(k): dict(v) for k, v in data["components"].items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RunStateError(f"checkpoint cannot be read: {exc!r}") from None


def rng_state(rng: random.Random) -> list[Any]:
    """`Random.getstate()` as JSON: [version, [625 ints], gauss_next]."""
    version, internal, gauss_next = rng.getstate()
    return [version, list(internal), gauss_next]


def set_rng_state(rng: random.Random, state: list[Any]) -> None:
    version, internal, gauss_next = state
    rng.setstate((version, tuple(internal), gauss_next))


def components(owner: object) -> dict[str, Stateful]:
    """Every attribute of `owner` that keeps state across generations, by attribute name.

    Found by shape rather than listed, so a component added to the search is checkpointed
    the moment it has `state()` and `restore()`, and cannot be forgotten.
    """
    found = {name: value for name, value in vars(owner).items() if isinstance(value, Stateful)}
    return dict(sorted(found.items()))


def restore_components(owner: object, states: dict[str, dict[str, Any]]) -> None:
    present = components(owner)
    missing = sorted(set(present) - set(states))
    if missing:
        raise RunStateError(f"checkpoint has no state for {', '.join(missing)}")
    for name, component in present.items():
        component.restore(states[name])
