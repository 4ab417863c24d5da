"""A stand-in for the bench runs a tuning loop scores settings with: outcomes computed from
the settings alone, at once, so the loop's logic is tested in milliseconds."""

from __future__ import annotations

from collections.abc import Generator, Sequence

from evolve.bench import Outcome
from evolve.tune.jobs import BenchJob


def fake_outcome(job: BenchJob) -> Outcome:
    """Small populations and few edits solve in fewer evaluations; a template weight of 1
    never solves (so the best setting is not simply 'the smallest numbers')."""
    settings = job.settings
    solved = settings["template_weight"] < 1.0 and settings["algorithm"] != "local"
    evaluations = (
        settings["population"] * 5 + settings["max_edits"] * 7 + job.seed + len(job.task)
        if solved
        else job.budget
    )
    return Outcome(
        task=job.task, goal="repair", algorithm=str(settings["algorithm"]), seed=job.seed,
        solved=solved, evaluations=evaluations, wall_s=0.0, accepted=int(solved),
        holdout_rejections=0, plausible_unsolved=False, patch_size=1, cost_ratio=None,
        stop_reason="solved" if solved else "budget",
    )  # fmt: skip


class FakeRunner:
    """Outcomes in job order; `fail_after` jobs taken, it raises (a killed process), and
    `cut_after` jobs taken, the next outcome says a person stopped its run."""

    def __init__(self, fail_after: int | None = None, cut_after: int | None = None) -> None:
        self.taken = 0
        self.jobs: list[BenchJob] = []
        self.fail_after = fail_after
        self.cut_after = cut_after
        self.closed = False

    def run(self, jobs: Sequence[BenchJob]) -> Generator[Outcome, None, None]:
        for job in jobs:
            if self.fail_after is not None and self.taken >= self.fail_after:
                raise KillSwitch
            self.taken += 1
            self.jobs.append(job)
            outcome = fake_outcome(job)
            if self.cut_after is not None and self.taken > self.cut_after:
                outcome = Outcome(**{**outcome.__dict__, "stop_reason": "interrupted"})
            yield outcome

    def close(self) -> None:
        self.closed = True


class KillSwitch(Exception):
    """Stands for SIGKILL: the process is gone mid-generation."""
