"""The tuning loop with a fake scorer: what it tries, in what order, within what budget, and
that a tuning run killed or stopped and resumed ends where an uninterrupted one ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolve.search.stop import StopSwitch
from evolve.tune import space
from evolve.tune.loop import TuneConfig, Tuner, TuneResult, TuneStop
from evolve.tune.store import HELD_OUT, TRAIN, TuneStore
from tests.evolve.tune.fakes import FakeRunner, KillSwitch

CONFIG = TuneConfig(
    suite="suite",
    train=("/t/alpha", "/t/beta", "/t/gamma"),
    held_out=("/t/delta", "/t/epsilon"),
    seed=5,
    budget=100_000,
    population=5,
    generations=4,
    runs=2,
    held_out_runs=2,
    run_budget=500,
)


def tune(
    tmp_path: Path, name: str, config: TuneConfig = CONFIG, runner: FakeRunner | None = None
) -> tuple[TuneResult, TuneStore]:
    store = TuneStore.create(tmp_path / name)
    result = Tuner(config, store, runner or FakeRunner(), log=None).run()
    return result, store


def tried(store: TuneStore) -> list[tuple[int, str, str, tuple[int, ...], float]]:
    return [(t.generation, t.split, t.key, t.genome, t.score.rank()[1]) for t in store.trials()]


def test_the_defaults_come_first_and_the_best_is_kept(tmp_path: Path) -> None:
    result, store = tune(tmp_path, "run")
    trials = store.trials(TRAIN)
    assert trials[0].genome == space.DEFAULT_GENOME
    assert result.default.id == trials[0].id
    assert result.reason is TuneStop.GENERATIONS and result.generations == 4
    assert result.best.score.rank() == max(t.score.rank() for t in trials)
    assert result.best.score.rank() >= result.default.score.rank()
    # Every setting scored once, on every training task with seeds 1..runs.
    assert len({t.key for t in trials}) == len(trials)
    for trial in trials:
        outcomes = store.trial_outcomes(trial.id)
        assert sorted((o.task, o.seed) for o in outcomes) == sorted(
            (task, seed) for task in CONFIG.train for seed in (1, 2)
        )
    # The held-out tasks: the defaults and the best, never during the search.
    held = {t.label: t for t in store.trials(HELD_OUT)}
    assert set(held) == {"default", "tuned"}
    assert held["tuned"].key == result.best.key
    assert result.held_out is not None
    assert result.held_out.tuned == held["tuned"].score
    assert all(o.task in CONFIG.held_out for o in store.trial_outcomes(held["tuned"].id))
    assert all(o.task in CONFIG.train for t in trials for o in store.trial_outcomes(t.id))
    # The first trial's population-size gene is the engine's default.
    assert space.decode(result.default.genome) == space.SearchSettings()
    store.close()


def test_same_seed_same_settings_tried(tmp_path: Path) -> None:
    first, one = tune(tmp_path, "one")
    second, two = tune(tmp_path, "two")
    assert tried(one) == tried(two)
    assert first.best.key == second.best.key
    _, three = tune(tmp_path, "three", TuneConfig(**{**CONFIG.__dict__, "seed": 6}))
    assert tried(three) != tried(one)
    for store in (one, two, three):
        store.close()


def test_the_budget_stops_scoring(tmp_path: Path) -> None:
    config = TuneConfig(**{**CONFIG.__dict__, "budget": 2500, "generations": 10})
    result, store = tune(tmp_path, "run", config)
    assert result.reason is TuneStop.BUDGET
    spent = [t.score.evaluations for t in store.trials(TRAIN)]
    # A setting is scored only while budget is left: all but the last fit under it.
    assert sum(spent[:-1]) < config.budget <= sum(spent)
    assert result.spent == sum(spent)
    store.close()


def resumed(store: TuneStore, config: TuneConfig = CONFIG) -> TuneResult:
    """What `evolve resume` does: back to the last checkpoint, then on."""
    last = store.last_checkpoint()
    store.rewind_trials(-1 if last is None else last[0])
    return Tuner(config, store, FakeRunner(), log=None).run(None if last is None else last[1])


@pytest.mark.parametrize("killed_after", [3, 6, 25, 40, 61])
def test_a_killed_tuning_run_resumes_to_the_same_end(tmp_path: Path, killed_after: int) -> None:
    reference, complete = tune(tmp_path, "reference")
    store = TuneStore.create(tmp_path / "killed")
    with pytest.raises(KillSwitch):
        Tuner(CONFIG, store, FakeRunner(fail_after=killed_after), log=None).run()
    result = resumed(store)
    assert tried(store) == tried(complete)
    assert result.best.key == reference.best.key
    assert result.held_out == reference.held_out
    assert result.spent == reference.spent
    store.close()
    complete.close()


def test_a_stop_request_ends_at_a_generation_boundary_and_resumes(tmp_path: Path) -> None:
    reference, complete = tune(tmp_path, "reference")
    store = TuneStore.create(tmp_path / "stopped")
    stop_file = tmp_path / "STOP"
    stop_file.write_text("")
    result = Tuner(CONFIG, store, FakeRunner(), switch=StopSwitch(stop_file), log=None).run()
    assert result.reason is TuneStop.STOPPED and result.generations == 1
    assert result.held_out is None
    assert resumed(store).best.key == reference.best.key
    assert tried(store) == tried(complete)
    store.close()
    complete.close()


def test_a_run_cut_short_by_a_person_is_not_scored(tmp_path: Path) -> None:
    reference, complete = tune(tmp_path, "reference")
    store = TuneStore.create(tmp_path / "cut")
    runner = FakeRunner(cut_after=10)
    result = Tuner(CONFIG, store, runner, log=None).run()
    assert result.reason is TuneStop.INTERRUPTED
    assert runner.taken == 11  # the cut outcome was the last taken
    # Five trials of six runs: the one the cut run belonged to is not recorded.
    assert len(store.trials(TRAIN)) == 1
    assert resumed(store).best.key == reference.best.key
    assert tried(store) == tried(complete)
    store.close()
    complete.close()


def test_a_checkpoint_of_another_shape_is_refused(tmp_path: Path) -> None:
    from evolve.errors import RunStateError

    _, store = tune(tmp_path, "run")
    last = store.last_checkpoint()
    assert last is not None
    tuner = Tuner(CONFIG, store, FakeRunner(), log=None)
    with pytest.raises(RunStateError, match="format"):
        tuner.run({**last[1], "version": 99})
    with pytest.raises(RunStateError, match="cannot be restored"):
        tuner.run({**last[1], "population": [[99]]})
    with pytest.raises(RunStateError, match="spent"):
        tuner.run({**last[1], "spent": 1})
    store.close()
