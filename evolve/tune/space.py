"""What `evolve tune` searches: a genome of genes, each an index into a fixed list of values
of one knob of `SearchSettings`.

Values are listed rather than drawn from ranges so that the same genome always means the same
settings, a mutation is a step to a neighbouring value, and a setting that was tried already
is recognised by its key and scored once. The engine's defaults are one genome
(`DEFAULT_GENOME`): a tuning run starts from them, so it never reports settings worse on the
training tasks than the defaults it set out to beat.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from deap import tools

from evolve.search import Algorithm, SearchSettings
from evolve.search.selection import deap_random

Genome = tuple[int, ...]

# One-token statement operators: deleting, copying, moving or guarding whole statements. A
# tuned prior for them as a group (one gene) rather than one per operator: thirty-nine priors
# would need far more bench runs than a two-core machine can give to be told apart.
STATEMENT_OPERATORS = (
    "delete-statement",
    "copy-statement",
    "swap-statements",
    "move-statement",
    "guard-statement",
    "insert-jump",
)
STATEMENT_PRIOR = "statement_prior"


@dataclass(frozen=True)
class Gene:
    name: str  # a SearchSettings field, or STATEMENT_PRIOR
    values: tuple[Any, ...]
    ordered: bool = True  # a mutation steps to a neighbour; else to any other value


DEFAULTS = SearchSettings()

GENES: tuple[Gene, ...] = (
    Gene("population", (8, 12, 16, 24, 32, 40, 56)),
    Gene(
        "algorithm",
        tuple(a for a in Algorithm if a is not Algorithm.RANDOM),  # the baseline learns nothing
        ordered=False,
    ),
    Gene("max_edits", (1, 2, 3, 4, 5, 6, 8)),
    Gene("crossover_rate", (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7)),
    Gene("template_weight", (0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0)),
    Gene(STATEMENT_PRIOR, (0.1, 0.25, 0.5, 1.0)),
    Gene("localisation_floor", (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)),
    Gene("bandit_learning_rate", (0.05, 0.1, 0.2, 0.3, 0.5)),
    Gene("bandit_p_min", (0.0, 0.005, 0.01, 0.02, 0.05)),
)


def _default_value(gene: Gene) -> Any:
    if gene.name == STATEMENT_PRIOR:
        return 1.0  # the statement operators' own `Operator.weight`
    return getattr(DEFAULTS, gene.name)


DEFAULT_GENOME: Genome = tuple(gene.values.index(_default_value(gene)) for gene in GENES)


def decode(genome: Genome) -> SearchSettings:
    """The settings a genome stands for: the defaults with each gene's value."""
    values: dict[str, Any] = {}
    priors: dict[str, float] = {}
    for gene, index in zip(GENES, genome, strict=True):
        value = gene.values[index]
        if gene.name == STATEMENT_PRIOR:
            if value != 1.0:
                priors = dict.fromkeys(STATEMENT_OPERATORS, float(value))
        else:
            values[gene.name] = value
    return SearchSettings(**values, operator_priors=priors)


def settings_key(settings: SearchSettings) -> str:
    """Canonical JSON of the settings: equal settings, equal key."""
    return json.dumps(settings.to_json(), sort_keys=True)


def random_genome(rng: random.Random) -> Genome:
    return tuple(rng.randrange(len(gene.values)) for gene in GENES)


def mutate(genome: Genome, rng: random.Random, rate: float | None = None) -> Genome:
    """Each gene changes with probability `rate` (default: two genes in all, on average);
    at least one always does. An ordered gene steps to a neighbouring value, an unordered one
    to any other."""
    rate = 2.0 / len(GENES) if rate is None else rate
    changed = [rng.random() < rate for _ in GENES]
    if not any(changed):
        changed[rng.randrange(len(GENES))] = True
    out = list(genome)
    for position, (gene, index) in enumerate(zip(GENES, genome, strict=True)):
        if changed[position]:
            out[position] = _step(gene, index, rng)
    return tuple(out)


def _step(gene: Gene, index: int, rng: random.Random) -> int:
    last = len(gene.values) - 1
    if gene.ordered:
        if index == 0:
            return 1
        if index == last:
            return last - 1
        return index + rng.choice((-1, 1))
    return rng.choice([i for i in range(len(gene.values)) if i != index])


def crossover(first: Genome, second: Genome, rng: random.Random) -> tuple[Genome, Genome]:
    """DEAP's uniform crossover, drawing from `rng`: each gene swapped between the two with
    probability one half."""
    a, b = list(first), list(second)
    with deap_random(rng):
        tools.cxUniform(a, b, indpb=0.5)
    return tuple(a), tuple(b)


def check_genome(values: Sequence[Any]) -> Genome:
    """A genome read back from a checkpoint; ValueError if it does not fit `GENES`."""
    genome = tuple(int(v) for v in values)
    if len(genome) != len(GENES) or any(
        not 0 <= index < len(gene.values) for gene, index in zip(GENES, genome, strict=True)
    ):
        raise ValueError(f"genome {list(values)} does not fit this engine's tuning space")
    return genome


def tuned_fields() -> list[str]:
    """The SearchSettings fields a tuning run may change (for reports)."""
    names = {gene.name for gene in GENES}
    out = [f.name for f in fields(SearchSettings) if f.name in names]
    return [*out, "operator_priors"]
