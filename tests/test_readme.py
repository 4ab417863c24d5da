"""Every `evolve` command in the README runs as written.

The fast test parses each command line (placeholders such as RUN and TASK filled in, optional
`[...]` parts included) with the real parser and checks the paths it names exist. The slow
test runs them, in order, in a scratch directory that sees the bundled benchmarks: `RUN` is
the run the README's own `evolve run benchmarks/repair/caesar --seed 1` made. Two kinds are
parsed but not run: a cluster's (`dask://`, no scheduler here) and `evolve bench` over a
whole bundled suite (an hour of runs); `evolve bench SUITE ...` runs on a one-task suite.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from evolve.commands.parser import build

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SEED_RUN = "evolve run benchmarks/repair/caesar --seed 1"


def readme_commands() -> list[str]:
    """Each `evolve ...` line of the README's shell blocks, its comment dropped."""
    text = README.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("evolve "):
                commands.append(re.split(r"\s+#\s", line, maxsplit=1)[0].strip())
    return commands


def filled(command: str, values: dict[str, str]) -> list[str]:
    """The command's words with optional parts taken in and placeholders filled."""
    command = re.sub(r"\[(--[^\]]*)\]", r"\1", command).replace(" ...", "")
    command = command.replace("--budget N", "--budget 60").replace("--runs K", "--runs 1")
    words = shlex.split(command)
    return [values.get(word, word) for word in words]


def placeholders(scratch: Path, run: str) -> dict[str, str]:
    return {
        "RUN": run,
        "TASK": "benchmarks/repair/caesar",
        "SUITE": str(scratch / "suite"),
        "PATH": str(scratch / "out" / "caesar.py"),
        "FILE": str(scratch / "out" / "report.html"),
        "DIR": str(scratch / "bench-runs"),
        "N": "1",
        "A": "random",
        "/tmp/runs": str(scratch / "other-runs"),  # the README's example; kept in the scratch
    }


def test_there_are_commands_to_check() -> None:
    commands = readme_commands()
    assert SEED_RUN in commands and len(commands) >= 15


@pytest.mark.parametrize("command", readme_commands())
def test_each_readme_command_parses_and_names_paths_that_exist(
    command: str, tmp_path: Path
) -> None:
    parser = build()
    words = filled(command, placeholders(tmp_path, "RUN"))[1:]
    try:
        args = parser.parse_args(words)
    except SystemExit as exit_:  # --help and --version end here too, with status 0
        assert exit_.code == 0, command
        return
    assert isinstance(args, argparse.Namespace)
    for word in words:
        if word.startswith("benchmarks/"):
            assert (ROOT / word).exists(), f"{command}: {word} does not exist"


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "benchmarks").symlink_to(ROOT / "benchmarks", target_is_directory=True)
    (tmp_path / "out").mkdir()
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "median").symlink_to(ROOT / "benchmarks" / "repair" / "median")
    seed = (ROOT / "benchmarks" / "repair" / "caesar" / "task.toml").read_text()
    program = re.search(r'program = "([^"]+)"', seed)
    assert program is not None
    source = (ROOT / "benchmarks" / "repair" / "caesar" / program.group(1)).read_text()
    for name in ("my_fix.py", "other_start.py"):
        (tmp_path / name).write_text(source)
    (tmp_path / "mymodule.py").write_text("def myfunction(xs):\n    return sorted(xs)\n")
    (tmp_path / "shop.py").write_text("def largest(xs):\n    return min(xs)\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_shop.py").write_text(
        "from shop import largest\n\n\ndef test_largest():\n    assert largest([1, 2]) == 2\n"
    )

    def evolve(words: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "evolve.cli", *words],
            cwd=tmp_path,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, (words, done.stderr)
        assert "Traceback" not in done.stderr
        return done

    commands = readme_commands()
    evolve([*shlex.split(SEED_RUN)[1:], "--quiet"])
    [run] = [path.name for path in (tmp_path / "runs").iterdir()]
    values = placeholders(tmp_path, run)
    ran = 0
    for command in commands:
        if "dask://" in command or re.match(r"evolve bench benchmarks/", command):
            continue
        words = filled(command, values)[1:]
        if command == SEED_RUN:
            continue  # made RUN above
        evolve(words, stdin="q\n")  # `review RUN` asks: quit at once
        ran += 1
    assert ran >= 15
