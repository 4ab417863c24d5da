"""The search's settings: what a run records in its configuration, what `evolve resume`
rebuilds it from and what a tuning profile sets."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from evolve.operators import OPERATORS
from evolve.operators.base import TEMPLATE_WEIGHT
from evolve.search.algorithms import Algorithm
from evolve.search.bandit import LEARNING_RATE, P_MIN
from evolve.search.localise import FLOOR


@dataclass(frozen=True)
class SearchSettings:
    """How the search runs: what a run records in its configuration (`to_json`), what
    `evolve resume` rebuilds it from (`from_json`) and what a profile (`evolve tune`) sets.
    Every field is read by the search; the last five only by the adaptive algorithms (random
    search neither localises nor learns which operators pay)."""

    population: int = 40
    elite: int = 2  # best individuals carried over unchanged, besides the champion
    max_edits: int = 5
    crossover_rate: float = 0.3
    algorithm: Algorithm = Algorithm.LEXICASE
    tournament_size: int = 3
    islands: int = 4  # subpopulations of the islands algorithm
    patience: int = 25  # generations in a row without a new variant before giving up
    # A speed-up has no "solved": it stops when this many generations accept nothing.
    stagnation: int = 40
    # The operator bandit's prior of every fix template (`Operator.template`), before the
    # escalation lifts it towards 1 as a run stalls.
    template_weight: float = TEMPLATE_WEIGHT
    # Operator name -> prior, overriding `Operator.weight` (or `template_weight`) for it.
    operator_priors: Mapping[str, float] = field(default_factory=dict)
    # The least a site weighs, relative to the most suspicious site (`localise.FLOOR`).
    localisation_floor: float = FLOOR
    bandit_learning_rate: float = LEARNING_RATE
    bandit_p_min: float = P_MIN
    # Whether a repair may advance by partial steps (a variant passing more tests than the
    # champion, not all). Off, only a plausible repair (every test) is accepted: with few
    # tests, partial steps are often accidents (a synthesised expression that passes one
    # more case) that every later candidate then carries, and lexicase selection keeps the
    # partial progress in the population without making it the champion.
    partial_repairs: bool = False

    def __post_init__(self) -> None:
        if self.population < 2 or self.elite < 0 or self.elite >= self.population:
            raise ValueError("population must be >= 2 and elite < population")
        problems = [
            (self.max_edits < 1, "max_edits must be at least 1"),
            (not 0.0 <= self.crossover_rate <= 1.0, "crossover_rate must be in [0, 1]"),
            (self.tournament_size < 1, "tournament_size must be at least 1"),
            (self.islands < 1, "islands must be at least 1"),
            (not 0.0 < self.template_weight <= 1.0, "template_weight must be in (0, 1]"),
            (not 0.0 < self.localisation_floor <= 1.0, "localisation_floor must be in (0, 1]"),
            (not 0.0 < self.bandit_learning_rate <= 1.0, "bandit_learning_rate must be in (0, 1]"),
            (not 0.0 <= self.bandit_p_min < 1.0, "bandit_p_min must be in [0, 1)"),
        ]
        for failed, message in problems:
            if failed:
                raise ValueError(message)
        for name, prior in self.operator_priors.items():
            if name not in OPERATORS:
                raise ValueError(f"operator_priors: no operator named {name!r}")
            if type(prior) not in (int, float) or not 0.0 <= prior <= 1.0:
                raise ValueError(f"operator_priors: {name} must be a number in [0, 1]")
        # Frozen, yet a dict could still be changed through the caller's reference: copy it,
        # ordered by name so that equal settings record equal JSON.
        priors = {name: float(self.operator_priors[name]) for name in sorted(self.operator_priors)}
        object.__setattr__(self, "operator_priors", priors)

    def priors(self) -> dict[str, float]:
        """Every operator's prior for the bandit: its `operator_priors` entry, else the
        template weight for a fix template, else its own `Operator.weight`."""
        return {
            name: self.operator_priors.get(
                name, self.template_weight if operator.template else operator.weight
            )
            for name, operator in OPERATORS.items()
        }

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON values (an enum as its value): what a run records."""
        values: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, enum.Enum):
                value = value.value
            elif isinstance(value, Mapping):
                value = dict(value)
            values[f.name] = value
        return values

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SearchSettings:
        """The inverse of `to_json`. ValueError names a setting that this engine does not
        know or whose value is not of the setting's type (no conversion is attempted, but
        for an int where a float belongs), or a value out of its range."""
        defaults = cls()
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                raise ValueError(f"setting {name!r} is unknown to this engine")
            kind = type(getattr(defaults, name))
            if issubclass(kind, enum.Enum):
                value = kind(value)  # ValueError for a value the enum does not have
            elif kind is dict:
                if not isinstance(value, Mapping):
                    raise ValueError(f"setting {name!r} is {value!r}, not a table")
                value = dict(value)
            elif kind is float and type(value) is int:
                value = float(value)  # JSON writes 1.0 as 1.0, but a caller may have set 1
            elif type(value) is not kind:
                raise ValueError(f"setting {name!r} is {value!r}, not of type {kind.__name__}")
            values[name] = value
        return cls(**values)
