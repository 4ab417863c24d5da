"""The grammar writes out a few of the engine's values so that `evolve --help` need not
import the engine: they must agree with the engine's own."""

from __future__ import annotations

from dataclasses import asdict

from evolve.commands.parser import ALGORITHMS, DEFAULT_POPULATION, TUNE_DEFAULTS, build
from evolve.search import Algorithm, SearchSettings
from evolve.tune.loop import TuneConfig


def test_the_written_out_values_agree_with_the_engine() -> None:
    assert tuple(a.value for a in Algorithm) == ALGORITHMS
    assert SearchSettings.population == DEFAULT_POPULATION
    defaults = asdict(TuneConfig(suite="", train=(), held_out=()))
    assert {name: defaults[name] for name in TUNE_DEFAULTS} == TUNE_DEFAULTS


def test_run_and_bench_take_a_profile_and_tune_is_a_verb() -> None:
    parser = build()
    run = parser.parse_args(["run", "--profile", "p.toml"])
    assert str(run.profile) == "p.toml" and run.algorithm is None and run.population is None
    bench = parser.parse_args(["bench", "suite", "--profile", "p.toml"])
    assert str(bench.profile) == "p.toml"
    tune = parser.parse_args(["tune", "suite"])
    assert tune.command == "evolve.commands.tuning:cmd_tune"
    assert tune.budget == TUNE_DEFAULTS["budget"]
