"""From patches to evaluations: render, hash, look up the cache, run the rest in the sandbox.

An equivalent source is never run twice in a run: evaluations are keyed by the sha256 of the
variant's syntax tree, so comments and formatting do not matter, and every hit is counted. The
sha256 of the exact source stays the variant's identity in the store.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from evolve.evaluation.case_plan import plan_cases
from evolve.evaluation.constraints import Allowed, Forbidden
from evolve.evaluation.executor import Executor
from evolve.evaluation.jobs import EvaluationJob, SandboxMode, portable_files
from evolve.evaluation.pytest_plan import SEED_RUNS, PytestSetup, without
from evolve.program.patch import Patch, patch_to_json
from evolve.program.program import Program
from evolve.store.database import RunStore
from evolve.task import Goal, Task
from sandbox import (
    CasePlan,
    CaseSuite,
    Evaluation,
    Limits,
    ProgramSource,
    PytestSuite,
    Sandbox,
    Suite,
    SuiteFiles,
)

SEARCH = "search"
HOLDOUT = "holdout"
# Tracing every line is several times slower than running: a coverage run gets this much
# more time than an evaluation, so a slow seed still reports its coverage.
SLACK = 10.0
# The evaluator's counters, which a checkpoint keeps: they decide the budget and the summary.
COUNTERS = ("evaluations", "holdout_evaluations", "check_evaluations", "cache_hits")


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def normalised_hash(source: ProgramSource) -> str:
    """The sha256 of the source's syntax tree: equal for sources that differ only in comments,
    blank lines, spacing or redundant parentheses, which cannot change what the program does.
    A source that does not parse keys on its exact text (it is invalid either way). For a
    program of several files, the hash of each file's name and normalised hash."""
    if not isinstance(source, str):
        keys = [[name, _file_hash(text)] for name, text in source.items()]
        return "files:" + source_hash(json.dumps(keys))
    return _file_hash(source)


# A variant of a program of several files differs from its parent in a file or two: the
# others' texts recur with every variant, and parsing them again was most of the engine's
# own time on a package (111 files of this project: 1.4 s a variant). Keyed on the text.
@functools.lru_cache(maxsize=512)
def _file_hash(source: str) -> str:
    try:
        tree = ast.dump(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "exact:" + source_hash(source)
    return hashlib.sha256(tree.encode("utf-8")).hexdigest()


def seed_job(task: Task, program: Program, sandbox_mode: SandboxMode) -> EvaluationJob:
    """The job of the seed's first evaluation on the search suite, as `Evaluator` makes it
    before any case plan exists: `evolve run` runs it before the run directory is made."""
    return EvaluationJob(
        program.runnable(program.source),
        task.suite,
        task.limits,
        task.module_name,
        measure_cost=task.goal is Goal.SPEEDUP,
        sandbox=sandbox_mode,
        test_files=portable_files(task.suite),
    )


@dataclass(frozen=True)
class Variant:
    patch: Patch
    source: str  # the program's text: a bundle when it has several files
    digest: str  # sha256 of the exact source: the variant's identity in the store
    key: str = ""  # normalised hash: what evaluations are cached by; computed when not given
    # What the sandbox runs: `source`, or a program's files by name.
    files: ProgramSource = ""

    def __post_init__(self) -> None:
        if not self.files:
            object.__setattr__(self, "files", self.source)
        if not self.key:
            object.__setattr__(self, "key", normalised_hash(self.files))


class Evaluator:
    """Evaluates variants of one program against one task, through an executor."""

    def __init__(
        self,
        task: Task,
        program: Program,
        store: RunStore,
        executor: Executor,
        sandbox: Sandbox,
        *,
        # The mode remote workers use; see `evolve.evaluation.jobs`.
        sandbox_mode: SandboxMode = "fork",
    ) -> None:
        self.task = task
        self.sandbox = sandbox
        self.sandbox_mode: SandboxMode = sandbox_mode
        self._test_files: dict[str, SuiteFiles] = {}  # by suite name
        self.program = program
        self.store = store
        self.executor = executor
        self.measure_cost = task.goal is Goal.SPEEDUP
        seed = self.program.runnable(program.source)
        self.forbidden = Forbidden(task.forbid, seed)
        self.allowed = Allowed(seed, task.allow) if task.only_seed_names else None
        self._cache: dict[tuple[str, str], Evaluation] = {}
        # Rendering is the engine's biggest cost per individual (libcst codegen, ~2 ms), and
        # most of a generation are patches seen before (elites, repeated offspring).
        self._variants: dict[Patch, Variant] = {}
        self._keys: dict[str, str] = {}  # exact source hash -> normalised hash
        self.evaluations = 0  # sandbox runs of the search suite
        self.holdout_evaluations = 0
        self.check_evaluations = 0  # generated-input checks of candidates for acceptance
        self.cache_hits = 0
        # How each suite's cases run, derived from the champion (see `plan_against`).
        self._plans: dict[str, CasePlan] = {}
        # Pytest suites: known tests, quarantine, each test's reach (see `pytest_plan`).
        self.pytest = PytestSetup()
        self._champions: dict[str, Evaluation] = {}

    def plan_against(self, champion: Evaluation, holdout: Evaluation | None) -> None:
        """Plan the cases of every later evaluation from the champion's own run of them:
        a CPU limit per case from its times, its passing cases first, and a stop at the
        first hang there (`evolve.evaluation.case_plan`)."""
        self._plans.clear()
        self._champions = {SEARCH: champion}
        if holdout is not None:
            self._champions[HOLDOUT] = holdout
        limit = self.task.limits.case_timeout_s
        for name, suite, evaluation in (
            (SEARCH, self.task.suite, champion),
            (HOLDOUT, self.task.holdout, holdout),
        ):
            if isinstance(suite, CaseSuite) and evaluation is not None:
                plan = plan_cases(suite, evaluation, limit)
                if plan is not None:
                    self._plans[name] = plan

    def counters(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in COUNTERS}

    def restore(self, counters: Mapping[str, int]) -> None:
        """Continue a resumed run: every stored evaluation is a cache entry again, keyed as it
        was when it ran, and the counters go on from the checkpoint's."""
        for _digest, source, suite, evaluation in self.store.stored_evaluations():
            self._cache[(normalised_hash(self.program.runnable(source)), suite)] = evaluation
        for name in COUNTERS:
            setattr(self, name, int(counters.get(name, 0)))

    def cached(self, variant: Variant, suite: str) -> Evaluation | None:
        return self._cache.get((variant.key, suite))

    def refused(self, files: ProgramSource) -> Evaluation | None:
        """A `denied` evaluation when the variant introduces what `forbid` rules out or, for
        `only_seed_names`, anything the seed does not use; None when it may run."""
        refused = self.forbidden.check(files)
        if refused is None and self.allowed is not None:
            refused = self.allowed.check(files)
        return refused

    def settle(self, seed: Variant) -> Evaluation | None:
        """For a pytest suite, before the search: run the seed `SEED_RUNS` times (the first
        with per-test coverage and recorded calls, under generous limits), quarantine the
        tests whose outcome changes, learn each test's reach. Returns the first run (the
        coverage) with the quarantined tests left out; None for a case suite. The runs are
        not stored: the seed's canonical evaluation follows, without the quarantined tests."""
        suite = self.task.suite
        if not isinstance(suite, PytestSuite):
            return None
        generous = replace(
            self.task.limits,
            wall_s=self.task.limits.wall_s * SLACK,
            cpu_s=self.task.limits.cpu_s * SLACK,
        )
        jobs = [
            EvaluationJob(
                seed.files,
                suite,
                generous if run == 0 else self.task.limits,
                self.task.module_name,
                sandbox=self.sandbox_mode,
                test_files=self._files(SEARCH, suite),
                measure_coverage=run == 0,
                record_calls=run == 0,
            )
            for run in range(SEED_RUNS)
        ]
        runs = list(self.executor.evaluate(iter(jobs), self.sandbox))
        self.check_evaluations += len(runs)
        self.pytest.quarantine(runs)
        coverage = without(runs[0], self.pytest.quarantined)
        self.pytest.learn_coverage(self.program, coverage)
        return coverage

    def learn(self, suite_name: str, evaluation: Evaluation | None) -> None:
        """The seed's evaluation of a suite: its tests are the ones later reports must name."""
        if evaluation is not None:
            self.pytest.learn_tests(suite_name, evaluation)

    def variant(self, patch: Patch) -> Variant:
        cached = self._variants.get(patch)
        if cached is None:
            source = self.program.render(patch)
            digest = source_hash(source)
            files = self.program.runnable(source)
            # Different patches often render the same text: its tree is dumped once.
            key = self._keys.get(digest) or normalised_hash(files)
            self._keys[digest] = key
            cached = self._variants[patch] = Variant(patch, source, digest, key, files)
        return cached

    def evaluate(
        self, variants: Iterable[Variant], generation: int, budget_left: int
    ) -> list[Evaluation | None]:
        """Search-suite evaluations in input order; None where the budget ran out first.

        `variants` may be lazy (see `Search._evaluate`): each is taken when the one before
        it has gone to the executor, so rendering and hashing the rest overlaps the sandbox
        runs. The decisions (cache hit, budget) are made in input order all the same, and
        the cache changes only after the whole batch, so they are those of a list."""
        seen: list[Variant] = []
        pending: dict[str, Variant] = {}

        def fresh() -> Iterator[Variant]:
            for variant in variants:
                seen.append(variant)
                if (variant.key, SEARCH) in self._cache or variant.key in pending:
                    self.cache_hits += 1
                elif len(pending) < budget_left:
                    pending[variant.key] = variant
                    yield variant

        ran = self._run(fresh(), self.task.suite, SEARCH, generation)
        self.evaluations += len(ran)
        return [self._cache.get((v.key, SEARCH)) for v in seen]

    def adopt(self, variant: Variant, evaluation: Evaluation, generation: int) -> Evaluation:
        """Record a search-suite evaluation made outside the evaluator (`seed_job`) exactly
        as if `evaluate` had run it: stored, cached and counted."""
        with self.store.transaction():
            self._cache[(variant.key, SEARCH)] = evaluation
            self.store.add_variant(variant.digest, variant.source, patch_to_json(variant.patch))
            self.store.add_evaluation(variant.digest, SEARCH, generation, evaluation)
        self.evaluations += 1
        return evaluation

    @property
    def cache_hit_rate(self) -> float:
        """Hits over search look-ups: how much of the search the cache saved."""
        lookups = self.cache_hits + self.evaluations
        return round(self.cache_hits / lookups, 4) if lookups else 0.0

    def check(
        self, variant: Variant, suite: Suite, suite_name: str, limits: Limits, generation: int
    ) -> Evaluation:
        """One variant on a suite of the acceptance checks (generated inputs): run once per
        normalised source, stored, and counted apart from the search's evaluations."""
        cached = self._cache.get((variant.key, suite_name))
        if cached is not None:
            return cached
        self.check_evaluations += 1
        evaluation = self.refused(variant.files)
        if evaluation is None:
            job = EvaluationJob(
                variant.files, suite, limits, self.task.module_name, sandbox=self.sandbox_mode
            )
            [evaluation] = self.executor.evaluate([job], self.sandbox)
        with self.store.transaction():
            self._cache[(variant.key, suite_name)] = evaluation
            self.store.add_variant(variant.digest, variant.source, patch_to_json(variant.patch))
            self.store.add_evaluation(variant.digest, suite_name, generation, evaluation)
        return evaluation

    def timed(self, variant: Variant, suite: Suite, limits: Limits) -> Evaluation:
        """One uncached, unstored run on this machine's sandbox, without cost tracing: timing
        runs repeat the same source on purpose, and a remote worker's clock is another's."""
        return self.sandbox.evaluate(
            variant.files, suite, limits, module_name=self.task.module_name
        )

    def holdout(self, variant: Variant, generation: int) -> Evaluation | None:
        if self.task.holdout is None:
            return None
        cached = self._cache.get((variant.key, HOLDOUT))
        if cached is not None:
            return cached
        self.holdout_evaluations += 1
        return self._run([variant], self.task.holdout, HOLDOUT, generation)[0]

    def _run(
        self, variants: Iterable[Variant], suite: Suite, suite_name: str, generation: int
    ) -> list[Evaluation]:
        given = iter(variants)
        first = next(given, None)
        if first is None:
            return []
        files = self._files(suite_name, suite)
        plan = self._plans.get(suite_name)
        if plan is not None and isinstance(suite, CaseSuite):
            suite = replace(suite, plan=plan)
        suite = self.pytest.suite(suite_name, suite)
        taken: list[Variant] = []
        denied: list[Evaluation | None] = []

        def jobs() -> Iterator[EvaluationJob]:
            # A lazy generator: an in-process executor starts each job as it is made.
            for variant in itertools.chain((first,), given):
                # Checked here, in the engine: a denied variant never becomes a job.
                refused = self.refused(variant.files)
                taken.append(variant)
                denied.append(refused)
                if refused is None:
                    yield self._job(variant, self._planned(variant, suite, suite_name), files)

        ran = iter(self.executor.evaluate(jobs(), self.sandbox))  # in input order
        variants = taken
        results = [next(ran) if refused is None else refused for refused in denied]
        with self.store.transaction():
            for variant, evaluation in zip(variants, results, strict=True):
                self._cache[(variant.key, suite_name)] = evaluation
                self.store.add_variant(variant.digest, variant.source, patch_to_json(variant.patch))
                self.store.add_evaluation(variant.digest, suite_name, generation, evaluation)
        return results

    def _files(self, suite_name: str, suite: Suite) -> SuiteFiles:
        files = self._test_files.get(suite_name)
        if files is None:  # read once: the content travels with every job to remote workers
            files = self._test_files[suite_name] = portable_files(suite)
        return files

    def _planned(self, variant: Variant, suite: Suite, suite_name: str) -> Suite:
        """A pytest suite with the variant's plan: the tests that reach its edits first, the
        champion's passes first among them, a stop at the first of those it fails; for a
        repair, tests that cannot reach the edits are not run (`pytest_plan`)."""
        if not isinstance(suite, PytestSuite) or not suite.tests:
            return suite
        plan = self.pytest.plan(
            self.program,
            variant.patch,
            self._champions.get(suite_name),
            suite.tests,
            select=self.task.goal is Goal.REPAIR and suite_name == SEARCH,
        )
        return suite if plan is None else replace(suite, plan=plan)

    def _job(self, variant: Variant, suite: Suite, files: SuiteFiles) -> EvaluationJob:
        return EvaluationJob(
            variant.files,
            suite,
            self.task.limits,
            self.task.module_name,
            measure_cost=self.measure_cost,
            sandbox=self.sandbox_mode,
            test_files=files,
        )
