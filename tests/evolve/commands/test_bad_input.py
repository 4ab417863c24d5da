"""Bad input, proven: malformed task folders, cases files, run directories and arguments,
drawn by Hypothesis and thrown at every subcommand that takes them.

Each must end in exit status 2 with one line on stderr and no traceback, having written
nothing anywhere (the scratch directory holding the task, the runs and the working directory
is byte for byte as it was: no run directory made, none damaged further). `evolve tasks`
lists a broken folder instead of refusing it (exit 1, a line a folder) and `evolve runs`
lists a damaged run as unreadable: both are checked for that.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evolve.cli import main
from evolve.store.database import RunStore
from evolve.store.runs import OPTIONAL_KEYS, REQUIRED_KEYS
from tests.conftest import ADD_CASES, ADD_SEED, write_task
from tests.doubles import in_process_sandboxes
from tests.tiers import examples

from .conftest import Run, fingerprint

Damage = Callable[[Path], None]

# Where each verb that takes a task, a suite or a run puts it ("T": the task folder, "S": a
# suite holding only it, "R": the run directory), and what else it needs.
TASK_VERBS = [("run", "T", "--budget", "40", "--quiet"), ("eval", "T"), ("bench", "S", "--runs",
              "1", "--budget", "40", "--algorithm", "random")]  # fmt: skip
RUN_VERBS = [("log", "R"), ("log", "R", "--json"), ("diff", "R"), ("diff", "R", "1"),
             ("report", "R"), ("verify", "R"), ("verify", "R", "--json"), ("review", "R"),
             ("review", "R", "--json"), ("review", "R", "--approve-all"), ("resume", "R"),
             ("stop", "R"), ("apply", "R"), ("rollback", "R", "0")]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
words = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/\\"),
                min_size=1, max_size=12).filter(lambda w: w not in (".", "..") and
                                                not w.startswith("-"))  # fmt: skip


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh directory, the working directory while it lasts (`./runs` lands in it)."""
    with tempfile.TemporaryDirectory(prefix="evolve-bad-input-") as name:
        root = Path(name)
        with contextlib.chdir(root):
            yield root


def refused(root: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the command line; assert it refused in one line and wrote nothing under root."""
    before = fingerprint(root)
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (argv, status, out, err)
    assert err.count("\n") == 1 and err.startswith("evolve: "), (argv, err)
    assert "Traceback" not in err and out == "", (argv, out, err)
    assert fingerprint(root) == before, argv
    return err


# malformed task folders ---------------------------------------------------------------------

# task.toml keys with what a valid value is; a drawn value of another kind is wrong.
TASK_KEYS: list[tuple[str, str, type | tuple[type, ...]]] = [
    ("task", "program", str), ("task", "entry", str), ("task", "goal", str),
    ("tests", "cases", str), ("limits", "wall_s", (int, float)), ("limits", "cpu_s", (int, float)),
    ("limits", "memory_mb", int), ("search", "budget", int),
]  # fmt: skip
toml_values = st.recursive(
    st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=6),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=4,
)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value)


@st.composite
def wrong_typed_key(draw: st.DrawFn) -> Damage:
    section, key, kind = draw(st.sampled_from(TASK_KEYS))
    value = draw(
        toml_values.filter(lambda v: isinstance(v, bool) or not isinstance(v, kind))
        | (st.integers(max_value=0) if kind in (int, (int, float)) else st.nothing())
    )

    def damage(task: Path) -> None:
        lines, section_now = [], ""
        for line in (task / "task.toml").read_text().splitlines():
            if line.startswith("["):
                section_now = line.strip("[]")
            if section_now == section and line.split("=")[0].strip() == key:
                continue
            lines.append(line)
            if line == f"[{section}]":
                lines.append(f"{key} = {_toml(value)}")
        (task / "task.toml").write_text("\n".join(lines) + "\n")

    return damage


@st.composite
def broken_toml(draw: st.DrawFn) -> Damage:
    text = "[task\n" + draw(st.text(max_size=40))  # an unclosed table header: never TOML

    def damage(task: Path) -> None:
        (task / "task.toml").write_text(text)

    return damage


bad_case_lines = st.one_of(
    st.text(max_size=20).filter(lambda t: "}" not in t).map(lambda t: "{" + t),  # not JSON
    json_values.filter(lambda v: not isinstance(v, dict)).map(json.dumps),  # not an object
    st.builds(lambda v: json.dumps({"args": [], "expected": 1, "extra": v}), json_values),
    st.builds(lambda v: json.dumps({"args": [v]}), json_values),  # no expected
    json_values.filter(lambda v: not isinstance(v, list)).map(
        lambda v: json.dumps({"args": v, "expected": 1})
    ),
)


@st.composite
def bad_cases_file(draw: st.DrawFn) -> Damage:
    line = draw(bad_case_lines)
    at = draw(st.integers(0, len(ADD_CASES)))

    def damage(task: Path) -> None:
        lines = (task / "cases.jsonl").read_text().splitlines()
        lines.insert(at, line)
        (task / "cases.jsonl").write_text("\n".join(lines) + "\n")

    return damage


@st.composite
def bad_program(draw: st.DrawFn) -> Damage:
    kind = draw(st.sampled_from(["syntax", "missing", "directory", "no entry", "no cases"]))
    junk = draw(st.text(max_size=20))

    def damage(task: Path) -> None:
        seed, cases = task / "seed.py", task / "cases.jsonl"
        if kind == "syntax":
            seed.write_text(ADD_SEED + f"\n# {junk!r}\ndef broken(:\n    pass\n")
        elif kind == "missing":
            seed.unlink()
        elif kind == "directory":
            seed.unlink()
            seed.mkdir()
        elif kind == "no entry":
            seed.write_text(ADD_SEED.replace("def add(", "def subtract("))
        else:
            cases.unlink()

    return damage


malformed_tasks = st.one_of(wrong_typed_key(), broken_toml(), bad_cases_file(), bad_program())


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damage=malformed_tasks, verb=st.sampled_from(TASK_VERBS))
def test_a_malformed_task_is_refused_by_every_verb(
    capsys: pytest.CaptureFixture[str], damage: Damage, verb: tuple[str, ...]
) -> None:
    with scratch() as root, in_process_sandboxes():
        task = write_task(root / "suite" / "add", ADD_SEED, "add", ADD_CASES)
        damage(task)
        places = {"T": str(task), "S": str(root / "suite")}
        refused(root, [places.get(word, word) for word in verb], capsys)
        # `evolve tasks` lists it, marked broken, and exits 1 (unless it still loads: a seed
        # that does not parse is found by running it, not by listing).
        status = main(["tasks", str(root / "suite")])
        out, err = capsys.readouterr()
        assert status in (0, 1) and err == "" and len(out.splitlines()) == 1
        assert status == 0 or "BROKEN" in out


# malformed run directories ------------------------------------------------------------------

RECORDED = {**REQUIRED_KEYS, **OPTIONAL_KEYS}


@st.composite
def damaged_run(draw: st.DrawFn) -> Damage:
    kind = draw(st.sampled_from(["header", "bytes", "wrong type", "no key"]))
    garbage = draw(st.binary(max_size=64))
    key = draw(st.sampled_from(sorted(RECORDED if kind == "wrong type" else REQUIRED_KEYS)))
    kinds = RECORDED[key]
    value = draw(
        json_values.filter(
            lambda v: (isinstance(v, bool) and kinds is not bool) or not isinstance(v, kinds)
        )
    )

    def damage(run_dir: Path) -> None:
        database = run_dir / "run.sqlite"
        if kind == "header":  # SQLite's magic string spoiled: no reader takes the file
            data = bytearray(database.read_bytes())
            data[0:16] = (garbage + b"\xff" * 16)[:16]
            if bytes(data[0:16]) == b"SQLite format 3\x00":
                data[0] ^= 1
            database.write_bytes(bytes(data))
        elif kind == "bytes":
            database.write_bytes(garbage)
        else:
            with contextlib.closing(sqlite3.connect(database)) as db, db:
                if kind == "no key":
                    db.execute("DELETE FROM config WHERE key = ?", (key,))
                else:
                    db.execute(
                        "INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)",
                        (key, json.dumps(value)),
                    )

    return damage


def copy_run(template: Run, root: Path) -> Run:
    task_dir = Path(shutil.copytree(template.task_dir, root / "add"))
    run_dir = Path(shutil.copytree(template.run_dir, root / "runs" / "r1"))
    store = RunStore.open(run_dir)
    store.set_config(program=str(task_dir / "seed.py"), task_dir=str(task_dir))
    store.close()
    return Run(task_dir, run_dir)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damage=damaged_run(), verb=st.sampled_from(RUN_VERBS))
def test_a_damaged_run_is_refused_by_every_verb_and_left_as_it_was(
    add_run_template: Run, capsys: pytest.CaptureFixture[str], damage: Damage,
    verb: tuple[str, ...],
) -> None:  # fmt: skip
    with scratch() as root, in_process_sandboxes():
        run = copy_run(add_run_template, root)
        damage(run.run_dir)
        refused(root, [str(run.run_dir) if word == "R" else word for word in verb], capsys)
        status = main(["runs", "--runs-dir", str(root / "runs"), "--json"])
        out, err = capsys.readouterr()
        assert status == 0 and err == "" and json.loads(out)[0]["status"] == "unreadable"


# bad arguments --------------------------------------------------------------------------------


@st.composite
def bad_arguments(draw: st.DrawFn) -> list[str]:
    """A command line with one bad argument; "T" is a good task, "R" a good run."""
    not_positive = draw(st.integers(max_value=0)).__str__()
    not_an_int = draw(words.filter(lambda w: not w.lstrip("+-").isdigit()))
    big = str(draw(st.integers(min_value=3, max_value=10**6)))  # the run has 2 changes or fewer
    missing = draw(words)
    return draw(
        st.sampled_from(
            [
                ["run", "T", "--budget", not_positive],
                ["run", "T", "--budget", not_an_int],
                ["run", "T", "--population", str(min(1, int(not_positive)))],
                ["run", "T", "--seed", not_an_int],
                ["run", "T", "--algorithm", not_an_int],
                ["run", "T", "--program", f"no-{missing}.py"],
                ["run", "T", "--executor", f"no-{missing}"],
                ["run", f"no-{missing}"],
                ["eval", "T", "--program", f"no-{missing}.py"],
                ["eval", f"no-{missing}"],
                ["bench", "T", "--runs", not_positive],
                ["bench", f"no-{missing}"],
                ["tune", f"no-{missing}"],
                ["tune", "--show", f"no-{missing}"],
                ["run", "T", "--profile", f"no-{missing}.toml"],
                ["tasks", f"no-{missing}"],
                ["diff", "R", big],
                ["diff", "R", not_an_int],
                ["rollback", "R", big],
                ["rollback", "R", "--to", big],
                ["review", "R", "--approve", big],
                ["review", "R", "--reject", not_an_int],
                ["log", f"no-{missing}"],
                ["verify", f"no-{missing}"],
                ["resume", "R", "--executor", f"no-{missing}"],
                ["stop", "R"],  # finished: nothing to stop
                ["init", f"no-{missing}.py:f", "--call", "f(1)"],
                ["init", "T/seed.py:add", "--call", f"g{not_an_int}("],
                ["runs", "--runs-dir", "T/seed.py"],
                ["log", "R", f"--{missing}"],
                [missing.lower() if missing.lower() not in VERBS else f"no-{missing}"],
            ]
        )
    )


VERBS = {"run", "resume", "stop", "bench", "init", "tasks", "eval", "doctor", "runs", "log",
         "diff", "report", "verify", "review", "apply", "rollback", "tune"}  # fmt: skip


@settings(
    max_examples=examples(90),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=bad_arguments())
def test_bad_arguments_are_refused_in_one_line(
    add_run_template: Run, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with scratch() as root, in_process_sandboxes():
        run = copy_run(add_run_template, root)
        places = {"T": str(run.task_dir), "R": str(run.run_dir)}
        filled = [places.get(word, word.replace("T/", f"{run.task_dir}/", 1)) for word in argv]
        refused(root, filled, capsys)


def test_the_drawn_verbs_are_every_verb() -> None:
    from evolve.commands.parser import build

    parser = build()
    [commands] = [a for a in parser._actions if a.dest == "verb"]
    assert set(commands.choices) == VERBS  # type: ignore[union-attr]
    # tune's bad input is drawn among the arguments (a tuning run is too long to start here).
    taken = {verb[0] for verb in TASK_VERBS + RUN_VERBS} | {
        "tasks",
        "runs",
        "init",
        "doctor",
        "tune",
    }
    assert taken == VERBS
