"""The command line's grammar: every verb, its arguments and its help, and nothing else.

This module is imported by every invocation, `evolve --help` included, so it imports only the
standard library and a few constants: each verb names its implementation as "module:function"
(`COMMAND`), loaded only when that verb runs. libcst, DEAP, numpy, scipy, Hypothesis, plotly
and Dask load only in the verbs that use them (`benchmarks/perf/cli_startup.py` times it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evolve import __version__

# The bundled benchmarks live beside the packages in a checkout or editable install.
BUNDLED_TASKS = Path(__file__).resolve().parent.parent.parent / "benchmarks"
# What `evolve run` evolves when no task is named: a small repair that solves in seconds.
DEFAULT_TASK = BUNDLED_TASKS / "repair" / "caesar"

# The values of `evolve.search.Algorithm` and `SearchSettings.population`, written out so
# that parsing the command line does not import the search (DEAP, numpy). A test checks
# that they agree.
ALGORITHMS = ("lexicase", "epsilon-lexicase", "tournament", "nsga2", "local", "random", "islands")
DEFAULT_POPULATION = 40
LOCAL = "local"

# `evolve.tune.loop.TuneConfig`'s defaults, written out for the same reason (a test checks).
TUNE_DEFAULTS = {
    "seed": 1,
    "budget": 40_000,
    "population": 6,
    "generations": 3,
    "runs": 1,
    "held_out_runs": 2,
    "run_budget": 1000,
}

COMMAND = "command"  # the attribute holding a verb's "module:function"


def build(
    parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser,
) -> argparse.ArgumentParser:
    """The parser; subcommands' parsers are of `parser_class` too (argparse makes them so)."""
    parser = parser_class(
        prog="evolve",
        description="Evolve Python programs against their tests, safely.",
        epilog="Exit status: 0 success, 1 a failure (a run stopped at once, a record that does"
        " not verify, some listed tasks broken), 2 bad usage or input, 3 an internal error.",
    )
    parser.add_argument("--version", action="version", version=f"evolve {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", dest="verb")
    _evolving(commands)
    _tasks(commands)
    _inspecting(commands)
    _auditing(commands)
    return parser


def _profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="search settings from a profile (`evolve tune` writes them); --algorithm and"
        " --population given too override its values",
    )


def _verb(commands: Any, name: str, target: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand whose implementation is `evolve.commands.<target>`, loaded when it runs."""
    verb: argparse.ArgumentParser = commands.add_parser(name, **kwargs)
    verb.set_defaults(**{COMMAND: f"evolve.commands.{target}"})
    return verb


# evolving --------------------------------------------------------------------------------------


def _evolving(commands: Any) -> None:
    run = _verb(commands, "run", "running:cmd_run", help="evolve a task's program")
    run.add_argument(
        "task",
        type=Path,
        nargs="?",
        help="task directory holding task.toml (default: the bundled caesar repair,"
        " named on stderr when used)",
    )
    run.add_argument("--budget", type=int, help="evaluations (default: the task's)")
    run.add_argument("--seed", type=int, default=0, help="random seed (same seed, same run)")
    run.add_argument("--program", type=Path, help="start from this program instead of the seed")
    _runs_dir(run)
    run.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        help="search algorithm (default: lexicase, or the profile's); `random` is the baseline",
    )
    run.add_argument(
        "--population",
        type=int,
        help=f"default: {DEFAULT_POPULATION}, or the profile's",
    )
    run.add_argument(
        "--partial-repairs",
        action="store_true",
        help="let a repair advance by partial steps (more tests, not all), each a change",
    )
    _profile(run)
    _sandbox_mode(run)
    _executor(run)
    run.add_argument(
        "--json", action="store_true", help="end with one JSON summary line (changes included)"
    )
    run.add_argument("--quiet", action="store_true", help="no live progress")

    resume = _verb(commands, "resume", "running:cmd_resume", help="continue a stopped run")
    _run_argument(resume)
    resume.add_argument("--json", action="store_true", help="end with one JSON summary line")
    resume.add_argument("--quiet", action="store_true", help="no live progress")
    resume.add_argument(
        "--executor",
        metavar="local|dask://HOST:PORT",
        help="where evaluations run from now on (default: where the run ran, as it recorded)",
    )

    stop = _verb(
        commands,
        "stop",
        "running:cmd_stop",
        help="stop a running run at its next generation boundary (writes a STOP file)",
    )
    _run_argument(stop)

    bench = _verb(
        commands,
        "bench",
        "benching:cmd_bench",
        help="run every task of a suite K times per algorithm and compare them",
    )
    bench.add_argument("suite", type=Path, help="a directory of task folders")
    bench.add_argument("--runs", type=int, default=3, help="seeds 1..K per task (default 3)")
    bench.add_argument("--budget", type=int, default=3000, help="evaluations per run")
    bench.add_argument(
        "--algorithm",
        action="append",
        choices=ALGORITHMS,
        help="repeatable (default: lexicase and random, or the profile's algorithm)",
    )
    bench.add_argument(
        "--population", type=int, help=f"default: {DEFAULT_POPULATION}, or the profile's"
    )
    _profile(bench)
    bench.add_argument("--runs-dir", type=Path, help="keep the runs here (default: a temp dir)")
    bench.add_argument(
        "--partial-repairs", action="store_true", help="as `evolve run --partial-repairs`"
    )
    bench.add_argument(
        "--hide-holdout",
        action="store_true",
        help="the search never sees the holdout; it judges each champion afterwards"
        " (counts plausible but wrong patches)",
    )
    bench.add_argument(
        "--json", action="store_true", help="print the results as one JSON object instead"
    )

    tune = _verb(
        commands,
        "tune",
        "tuning:cmd_tune",
        help="tune the search settings on a suite's training tasks; write a profile",
    )
    tune.add_argument("suite", type=Path, nargs="?", help="a directory of task folders")
    tune.add_argument(
        "--seed", type=int, default=TUNE_DEFAULTS["seed"], help="the split and the search"
    )
    tune.add_argument(
        "--budget",
        type=int,
        default=TUNE_DEFAULTS["budget"],
        help="bench evaluations of the training runs, in all (default %(default)s)",
    )
    tune.add_argument(
        "--population",
        type=int,
        default=TUNE_DEFAULTS["population"],
        help="settings per generation",
    )
    tune.add_argument("--generations", type=int, default=TUNE_DEFAULTS["generations"])
    tune.add_argument(
        "--runs", type=int, default=TUNE_DEFAULTS["runs"], help="seeds 1..K per training task"
    )
    tune.add_argument(
        "--held-out-runs",
        type=int,
        default=TUNE_DEFAULTS["held_out_runs"],
        help="seeds 1..K per held-out task",
    )
    tune.add_argument(
        "--run-budget",
        type=int,
        default=TUNE_DEFAULTS["run_budget"],
        help="evaluations per bench run (default %(default)s)",
    )
    tune.add_argument(
        "--held-out", type=float, default=0.5, help="share of the tasks held out (default 0.5)"
    )
    tune.add_argument(
        "--hide-holdout",
        action="store_true",
        help="judge each run's champion on its task's holdout only after the run, as"
        " `evolve bench --hide-holdout` does (a plausible but wrong patch is no solve)",
    )
    tune.add_argument(
        "--executor",
        metavar="local|dask://HOST:PORT",
        help="where bench runs go: here (default), or one Dask task each on a cluster",
    )
    tune.add_argument("--runs-dir", type=Path, default=Path("runs"), help="default: ./runs")
    tune.add_argument("--out", type=Path, help="also write the profile here")
    tune.add_argument("--resume", metavar="RUN", help="continue a stopped or killed tuning run")
    tune.add_argument("--show", metavar="RUN", help="print what a tuning run tried and found")
    tune.add_argument("--json", action="store_true", help="end with one JSON summary line")
    tune.add_argument("--quiet", action="store_true", help="no line per bench run")


# tasks -----------------------------------------------------------------------------------------


def _tasks(commands: Any) -> None:
    init = _verb(
        commands,
        "init",
        "scaffold:cmd_init",
        help="scaffold a task: task.toml and cases from a function and its tests or calls",
        description="Write a task folder for FILE:FUNCTION. Cases come from calls you give"
        " (--call), from the calls your tests make (--cases-from-tests DIR, or tests/ or"
        " test/ when found), each recorded by running the function in the sandbox; or the"
        " task runs the project's pytest tests (--pytest PATH).",
    )
    init.add_argument(
        "target", metavar="FILE[:FUNCTION]", help="the module to evolve and its function"
    )
    init.add_argument(
        "--call",
        action="append",
        default=[],
        metavar="EXPR",
        help="a call with literal arguments, e.g. 'f(1, [2, 3], key=\"x\")'; repeatable",
    )
    init.add_argument(
        "--cases-from-tests",
        type=Path,
        metavar="DIR",
        help="record the calls the tests under DIR (or one test file) make to the function",
    )
    init.add_argument(
        "--pytest",
        type=Path,
        metavar="PATH",
        help="the task runs these pytest tests (a file or a folder) instead of cases; its"
        " folder is the project's root (default: the deepest holding the program and PATH)",
    )
    init.add_argument("--goal", choices=["repair", "speedup"], default="repair")
    init.add_argument(
        "--out", type=Path, metavar="DIR", help="the task folder (default: ./tasks/FUNCTION)"
    )
    init.add_argument("--force", action="store_true", help="overwrite a task folder's files")
    init.add_argument("--json", action="store_true", help="print what was written as JSON")

    tasks = _verb(commands, "tasks", "tasks:cmd_tasks", help="list tasks (broken ones marked)")
    tasks.add_argument(
        "directory", type=Path, nargs="?", default=BUNDLED_TASKS, help="default: the bundled"
    )
    tasks.add_argument("--json", action="store_true", help="one JSON array")

    evaluate = _verb(commands, "eval", "tasks:cmd_eval", help="evaluate one program in the sandbox")
    evaluate.add_argument("task", type=Path)
    evaluate.add_argument("--program", type=Path, help="evaluate this program instead")
    evaluate.add_argument("--json", action="store_true")
    _sandbox_mode(evaluate)
    _executor(evaluate)

    doctor = _verb(
        commands, "doctor", "tasks:cmd_doctor", help="which isolation layers this machine gives"
    )
    doctor.add_argument("--json", action="store_true")


# reading runs ----------------------------------------------------------------------------------


def _inspecting(commands: Any) -> None:
    runs = _verb(commands, "runs", "inspect:cmd_runs", help="list the runs under the runs dir")
    runs.add_argument("--runs-dir", type=Path, default=Path("runs"), help="default: ./runs")
    runs.add_argument("--json", action="store_true", help="one JSON array")

    log = _verb(commands, "log", "inspect:cmd_log", help="list a run's accepted changes")
    _run_argument(log)
    log.add_argument("--json", action="store_true", help="one JSON array, a change each")

    diff = _verb(commands, "diff", "inspect:cmd_diff", help="show an accepted change's diff")
    _run_argument(diff)
    diff.add_argument(
        "number",
        type=int,
        nargs="?",
        help="change number (default: every change at once, seed -> champion)",
    )
    diff.add_argument("--json", action="store_true", help="one JSON object")

    report = _verb(
        commands, "report", "inspect:cmd_report", help="write a self-contained HTML report"
    )
    _run_argument(report)
    report.add_argument("--out", type=Path, help="output file (default: RUN/report.html)")


# auditing --------------------------------------------------------------------------------------


def _auditing(commands: Any) -> None:
    verify = _verb(
        commands,
        "verify",
        "audit:cmd_verify",
        help="check a run's hash-chained record and re-run the champion's evidence",
    )
    _run_argument(verify)
    verify.add_argument("--json", action="store_true", help="one JSON object")

    review = _verb(
        commands, "review", "audit:cmd_review", help="approve or reject a run's accepted changes"
    )
    _run_argument(review)
    review.add_argument(
        "--approve", type=int, action="append", default=[], metavar="N", help="repeatable"
    )
    review.add_argument(
        "--reject", type=int, action="append", default=[], metavar="N", help="repeatable"
    )
    review.add_argument("--approve-all", action="store_true", help="approve every pending change")
    review.add_argument(
        "--ask",
        action="store_true",
        help="settle what the tests could not decide: pick the right answer where the"
        " plausible repairs disagree (added to the task's cases)",
    )
    review.add_argument(
        "--json", action="store_true", help="no questions: each change's standing as JSON"
    )

    apply = _verb(
        commands,
        "apply",
        "audit:cmd_apply",
        help="write the approved champion to the program file",
    )
    _run_argument(apply)
    apply.add_argument("--to", type=Path, metavar="PATH", help="write here instead")
    _force(apply)

    rollback = _verb(
        commands,
        "rollback",
        "audit:cmd_rollback",
        help="write the program as it was after change N (0: the seed)",
        description="Write the program as it was after change N (0: the seed) to the program"
        " file, or to PATH with --to. The older form `rollback RUN --to N [--to-path PATH]`"
        " still works and says so.",
    )
    _run_argument(rollback)
    rollback.add_argument("number", type=int, nargs="?", metavar="N", help="0: the seed")
    rollback.add_argument(
        "--to", metavar="PATH", help="write here instead (with no N: the older --to N)"
    )
    rollback.add_argument("--to-path", type=Path, help=argparse.SUPPRESS)  # the older --to
    _force(rollback)


# shared arguments ------------------------------------------------------------------------------


def _run_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", help="run id (under --runs-dir) or run directory")
    _runs_dir(parser)


def _runs_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs-dir", type=Path, default=Path("runs"), help="default: ./runs")


def _force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="overwrite a target that changed (a backup is kept)"
    )


def _sandbox_mode(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        choices=["fork", "process"],
        default="fork",
        help="fork: warm workers fork a child per evaluation, every isolation layer available"
        " (default); process: a fresh interpreter per evaluation, rlimits only",
    )


def _executor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        default=LOCAL,
        metavar="local|dask://HOST:PORT",
        help="where evaluations run: local (default: a sandbox on this machine) or a Dask"
        " distributed scheduler, whose workers each run a sandbox of their own",
    )
