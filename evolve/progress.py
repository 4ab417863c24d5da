"""Live progress of a run on stderr: a rich status line on a terminal, plain lines elsewhere."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from evolve.search.stats import GenerationStats
from evolve.store.database import AcceptedChange

# Off a terminal (CI logs, pipes) one line every this many generations is enough.
_PLAIN_EVERY = 10


class ProgressReporter:
    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.console = Console(file=stream, stderr=stream is None, highlight=False)
        self.quiet = quiet
        self._progress: Progress | None = None
        self._task_id: TaskID | None = None

    def __enter__(self) -> ProgressReporter:
        if self.console.is_terminal and not self.quiet:
            self._progress = Progress(
                TextColumn("gen {task.fields[generation]:>4}"),
                BarColumn(),
                TextColumn("{task.completed:>6}/{task.total} evals"),
                TextColumn("{task.fields[rate]:>7.1f} evals/s"),
                TextColumn("best {task.fields[best]}"),
                TextColumn("accepted {task.fields[accepted]}"),
                TextColumn("cache {task.fields[hit_rate]:>4.0%}"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[statuses]}"),
                console=self.console,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def generation(self, stats: GenerationStats) -> None:
        rate = stats.evaluations / stats.elapsed_s if stats.elapsed_s > 0 else 0.0
        looked_up = stats.evaluations + stats.cache_hits
        hit_rate = stats.cache_hits / looked_up if looked_up else 0.0
        statuses = " ".join(f"{name} {count}" for name, count in sorted(stats.statuses.items()))
        if self._progress is not None:
            if self._task_id is None:
                self._task_id = self._progress.add_task(
                    "search",
                    total=stats.budget,
                    generation=0,
                    rate=0.0,
                    best="",
                    accepted=0,
                    hit_rate=0.0,
                    statuses="",
                )
            self._progress.update(
                self._task_id,
                completed=stats.evaluations,
                generation=stats.generation,
                rate=rate,
                best=stats.best,
                accepted=stats.accepted,
                hit_rate=hit_rate,
                statuses=statuses,
            )
        elif not self.quiet and stats.generation % _PLAIN_EVERY == 1:
            self.console.print(
                f"gen {stats.generation:>4}  {stats.evaluations}/{stats.budget} evals"
                f"  {rate:.1f} evals/s  best {stats.best}  accepted {stats.accepted}"
                f"  cache hits {stats.cache_hits} ({hit_rate:.0%})  {statuses}"
            )

    def accepted(self, change: AcceptedChange) -> None:
        if self.quiet:
            return
        operators = ", ".join(change.operators) or "-"
        self.console.print(
            f"[green]accepted #{change.number}[/green] gen {change.generation}"
            f" after {change.evaluations} evals: {change.fitness_before} -> "
            f"{change.fitness_after} ({operators})"
        )
