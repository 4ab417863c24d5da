"""The tuning space: genomes decode to valid settings, the defaults are a genome, and the
variation operators stay inside the space and follow the generator."""

from __future__ import annotations

import random

import pytest

from evolve.search import SearchSettings
from evolve.tune import space


def test_the_default_genome_is_the_engine_defaults() -> None:
    assert space.decode(space.DEFAULT_GENOME) == SearchSettings()


def test_every_value_of_every_gene_decodes_to_valid_settings() -> None:
    for position, gene in enumerate(space.GENES):
        for index in range(len(gene.values)):
            genome = list(space.DEFAULT_GENOME)
            genome[position] = index
            settings = space.decode(tuple(genome))
            if gene.name == space.STATEMENT_PRIOR:
                expected = gene.values[index]
                priors = settings.priors()
                assert all(priors[name] == expected for name in space.STATEMENT_OPERATORS)
            else:
                assert getattr(settings, gene.name) == gene.values[index]


def test_mutation_changes_something_and_stays_in_the_space() -> None:
    rng = random.Random(1)
    genome = space.DEFAULT_GENOME
    for _ in range(200):
        child = space.mutate(genome, rng)
        assert child != genome
        assert space.check_genome(child) == child
        genome = child


def test_crossover_takes_each_gene_from_a_parent_and_follows_the_seed() -> None:
    a = space.random_genome(random.Random(1))
    b = space.random_genome(random.Random(2))
    first = space.crossover(a, b, random.Random(3))
    assert first == space.crossover(a, b, random.Random(3))
    for x, y, (c, d) in zip(a, b, zip(*first, strict=True), strict=True):
        assert {c, d} == {x, y}


def test_equal_settings_have_equal_keys() -> None:
    assert space.settings_key(SearchSettings()) == space.settings_key(
        space.decode(space.DEFAULT_GENOME)
    )
    assert space.settings_key(SearchSettings(population=8)) != space.settings_key(SearchSettings())


@pytest.mark.parametrize("values", [[0], [99] * len(space.GENES), [-1] * len(space.GENES)])
def test_a_genome_that_does_not_fit_is_refused(values: list[int]) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        space.check_genome(values)


def test_the_tuned_fields_are_settings() -> None:
    names = set(SearchSettings().to_json())
    assert set(space.tuned_fields()) <= names
