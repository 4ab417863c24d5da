"""The bundled benchmark tasks are well formed, their cases are right, and their bugs are real.

For each task: task.toml sets the keys every bundled task must (REQUIRED_KEYS below: README.md's
"Bring your own task" with the optional ones made mandatory), the case files are valid JSONL,
the reference program passes every case, benchmarks/generate.py reproduces the case files byte
for byte, a repair seed fails some search cases and passes others (so a repair earns partial
credit), a speedup seed passes everything, and the documented fix (one or two engine edits,
written out below as text replacements) turns the seed into a program that passes every case
and holdout test; for a repair, the engine's own operators offer edits at the seed's sites
that render exactly that fix. A negative control (benchmarks/controls/) has no fix, and its
seed passes every case and holdout test.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from evolve.program.patch import Edit
from evolve.program.program import Program, unpack_files
from evolve.run import read_program
from evolve.task import load_task

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
# benchmarks/repair-hard and repair-compound have checks of their own (test_hard_tasks.py and
# test_compound_tasks.py beside this file).
TASK_DIRS = sorted(
    p.parent
    for p in BENCHMARKS.rglob("task.toml")
    if not {"perf", "repair-hard", "repair-compound"} & set(p.relative_to(BENCHMARKS).parts)
)
TASK_IDS = [f"{d.parent.name}/{d.name}" for d in TASK_DIRS]

REQUIRED_KEYS = {
    "task": {"name", "description", "program", "entry", "goal"},
    "tests": {"cases", "holdout"},
    "limits": {"wall_s", "cpu_s", "memory_mb"},
    "search": {"budget", "editable"},
}
ALLOWED_KEYS = {
    "task": REQUIRED_KEYS["task"],
    "tests": {"cases", "holdout", "pytest", "float_tolerance"},
    "limits": REQUIRED_KEYS["limits"] | {"case_s"},
    "search": REQUIRED_KEYS["search"],
}

# The intended fix of each task as (old, new) replacements on the seed's text, each one edit
# of an engine operator. benchmarks/README.md lists the same fixes.
FIXES: dict[str, list[tuple[str, str]]] = {
    # binary-operator: / -> //
    "final_balance": [("balance * amount / 100", "balance * amount // 100")],
    # integer-constant: 1 -> 0
    "max_window_sum": [("range(k, len(xs) - 1)", "range(k, len(xs) - 0)")],
    # replace-name: start -> node
    "hop_distances": [("dist[start] + 1", "dist[node] + 1")],
    # swap-arguments
    "caesar": [('_shift_letter(ch, shift, ord("A"))', '_shift_letter(ch, ord("A"), shift)')],
    # copy-statement: `count = 1` from before the loop into the else block
    "compress": [("            prev = ch\n", "            prev = ch\n            count = 1\n")],
    # integer-constant: 10 -> 9
    "luhn": [("digit -= 10", "digit -= 9")],
    # comparison: != -> <
    "isqrt": [("while y != x:", "while y < x:")],
    # replace-return: -1 -> lo
    "search_insert": [("return -1", "return lo")],
    # boolean-operator: and -> or
    "balanced_brackets": [("if not stack and stack.pop()", "if not stack or stack.pop()")],
    # copy-statement: `return found` into the if block (speed-up: stop at the first pair)
    "first_pair_with_sum": [
        ("found = [i, j]\n", "found = [i, j]\n                return found\n"),
    ],
    # wrong function called: min -> max
    "tree_depth": [
        ("1 + min(tree_depth", "1 + max(tree_depth"),
    ],
    # augmented-assignment: += -> -=
    "topo_order": [
        ("indegree[nxt] += 1", "indegree[nxt] -= 1"),
    ],
    # comparison (or `not` insertion): in -> not in; the seed hangs on any edge
    "count_components": [
        ("if nxt in seen:", "if nxt not in seen:"),
    ],
    # `not` removal in the helper
    "is_palindrome": [
        ("if not ch.isalnum()", "if ch.isalnum()"),
    ],
    # swap-statements: reset the count after using it
    "rle_decode": [
        (
            "            count = 0\n            out.append(ch * max(count, 1))\n",
            "            out.append(ch * max(count, 1))\n            count = 0\n",
        ),
    ],
    # copy-statement: `i += 1` into the else branch; the seed hangs on an operator
    "tokenize": [
        ("            tokens.append(ch)\n", "            tokens.append(ch)\n            i += 1\n"),
    ],
    # swap-arguments: the entry passes hi, lo to the helper
    "find_recursive": [
        ("_search(xs, target, len(xs) - 1, 0)", "_search(xs, target, 0, len(xs) - 1)"),
    ],
    # replace-name: items -> item (the seed recurses forever)
    "flatten": [
        ("out.extend(flatten(items))", "out.extend(flatten(item))"),
    ],
    # integer-constant: the third n - 2 -> n - 3
    "climb_ways": [
        ("+ climb_ways(n - 2, memo)\n", "+ climb_ways(n - 3, memo)\n"),
    ],
    # guard insertion: `if score is not None:` around the addition
    # a package: comparison (> -> >=) in shop/pricing.py and (!= -> ==) in shop/shipping.py
    "order_total": [
        ("if quantity > BULK_QUANTITY:", "if quantity >= BULK_QUANTITY:"),
        ('if destination != "domestic"', 'if destination == "domestic"'),
    ],
    "total_score": [
        ("        total += score\n", "        if score is not None:\n            total += score\n"),
    ],
    # break insertion (copy-statement of a `return found` works too)
    "first_repeat": [
        ("            found = i\n", "            found = i\n            break\n"),
    ],
    # boolean-operator in the helper: and -> or
    "count_leap_years": [
        ("(year % 100 != 0 and year % 400", "(year % 100 != 0 or year % 400"),
    ],
    # replace-name: b[i] -> b[j]
    "merge_sorted": [
        ("out.append(b[i])", "out.append(b[j])"),
    ],
    # integer-constant (or off-by-one): s[mid + 1] -> s[mid - 1]
    "median": [
        ("s[mid + 1]", "s[mid - 1]"),
    ],
    # integer-constant: slice bound i + 1 -> i + 0
    "common_prefix": [
        ("prefix[: i + 1]", "prefix[: i + 0]"),
    ],
    # binary-operator in the helper: + -> -
    "format_duration": [
        ("seconds // 60 + hours * 60", "seconds // 60 - hours * 60"),
    ],
    # memoise the recursive function (speed-up)
    "grid_paths": [
        (
            '"""Counting paths through grids."""\n',
            '"""Counting paths through grids."""\n\nfrom functools import cache\n',
        ),
        ("def grid_paths(rows, cols):", "@cache\ndef grid_paths(rows, cols):"),
    ],
    # hoist the loop-invariant stop-word list (speed-up)
    "content_words": [
        ("    out = []\n", "    out = []\n    stops = [stop.lower() for stop in stopwords]\n"),
        ("not in [stop.lower() for stop in stopwords]:", "not in stops:"),
    ],
    # hoist the loop-invariant _mean(xs) call (speed-up)
    "above_average": [
        (
            "    out = []\n    for x in xs:\n        if x > _mean(xs):\n",
            "    out = []\n    mean = _mean(xs)\n    for x in xs:\n        if x > mean:\n",
        ),
    ],
    # sum() for the manual accumulation (speed-up)
    "within_budget": [
        (
            "    total = 0\n    for price in prices:\n        total += price\n    return total\n",
            "    return sum(prices)\n",
        ),
    ],
}

# Negative controls (benchmarks/controls/, goal "speedup"): already efficient seeds with no
# fix that honestly cuts the executed lines by much, so the engine must accept nothing.
CONTROLS = {"lower_bound", "gcd", "max_subarray_sum"}

# Runs programs in a child process, one case at a time under an alarm, so a seed that loops
# forever costs a fraction of a second and counts as failing that case. The alarm counts CPU
# time, so a busy machine does not turn a slow case into a hang.
_RUNNER = textwrap.dedent(
    """
    import importlib, json, os, signal, sys, tempfile, types

    class Timeout(Exception):
        pass

    def on_alarm(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGPROF, on_alarm)
    results = {}
    for job in json.load(sys.stdin):
        if len(job["files"]) == 1:
            [source] = job["files"].values()
            module = types.ModuleType("program")
            exec(compile(source, job["label"], "exec"), module.__dict__)
        else:  # a package: written out and imported, then forgotten for the next job
            with tempfile.TemporaryDirectory() as root:
                for name, source in job["files"].items():
                    path = os.path.join(root, name)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "w") as handle:
                        handle.write(source)
                sys.path.insert(0, root)
                top = next(iter(job["files"])).split("/")[0]
                module = importlib.import_module(top)
                sys.path.remove(root)
                for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
                    del sys.modules[name]
        function = getattr(module, job["entry"])
        outcomes = []
        for case in job["cases"]:
            signal.setitimer(signal.ITIMER_PROF, 0.1)
            try:
                value = function(*case["args"], **case.get("kwargs", {}))
                got = json.loads(json.dumps(value))
                outcomes.append(got == case["expected"])
            except Exception:
                outcomes.append(False)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        results[job["label"]] = outcomes
    print(json.dumps(results))
    """
)


def _config(task_dir: Path) -> dict[str, Any]:
    return tomllib.loads((task_dir / "task.toml").read_text(encoding="utf-8"))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _suites(task_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tests = _config(task_dir)["tests"]
    return _read_jsonl(task_dir / tests["cases"]), _read_jsonl(task_dir / tests["holdout"])


def _seed_files(task_dir: Path) -> dict[str, str]:
    """The seed's files by name: one file, or every module of a package directory."""
    program = (task_dir / _config(task_dir)["task"]["program"]).resolve()
    if program.is_file():
        return {program.name: program.read_text(encoding="utf-8")}
    return {
        path.relative_to(program.parent).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(program.rglob("*.py"))
    }


def _fixed_files(task_dir: Path) -> dict[str, str]:
    files = _seed_files(task_dir)
    for old, new in FIXES[_config(task_dir)["task"]["name"]]:
        holding = [name for name, text in files.items() if old in text]
        assert len(holding) == 1 and files[holding[0]].count(old) == 1, (
            f"fix text {old!r} not found exactly once in the seed"
        )
        files[holding[0]] = files[holding[0]].replace(old, new)
    return files


@cache
def _outcomes() -> dict[str, list[bool]]:
    """Per-case outcomes of every seed (on its cases) and every fixed seed (on everything)."""
    jobs = []
    for task_dir, task_id in zip(TASK_DIRS, TASK_IDS, strict=True):
        entry = _config(task_dir)["task"]["entry"]
        cases, holdout = _suites(task_dir)
        jobs.append(
            {
                "label": f"seed:{task_id}",
                "files": _seed_files(task_dir),
                "entry": entry,
                # A negative control's seed is the answer: it must pass the holdout too.
                "cases": cases + holdout if task_dir.name in CONTROLS else cases,
            }
        )
        if task_dir.name in CONTROLS:
            continue
        jobs.append(
            {
                "label": f"fixed:{task_id}",
                "files": _fixed_files(task_dir),
                "entry": entry,
                "cases": cases + holdout,
            }
        )
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results: dict[str, list[bool]] = json.loads(done.stdout)
    return results


def test_there_are_enough_tasks() -> None:
    suites = [d.parent.name for d in TASK_DIRS]
    assert suites.count("repair") >= 25
    assert suites.count("speedup") >= 5
    assert suites.count("controls") >= 3
    assert {_config(d)["task"]["name"] for d in TASK_DIRS} == set(FIXES) | CONTROLS
    assert not set(FIXES) & CONTROLS
    assert {d.name for d in TASK_DIRS if d.parent.name == "controls"} == CONTROLS


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_task_toml_has_the_documented_keys(task_dir: Path) -> None:
    config = _config(task_dir)
    assert set(config) == set(REQUIRED_KEYS)
    for section, keys in REQUIRED_KEYS.items():
        assert keys <= set(config[section]), f"[{section}] lacks {keys - set(config[section])}"
        assert set(config[section]) <= ALLOWED_KEYS[section]
    task = config["task"]
    assert task["name"] == task_dir.name
    assert task["goal"] in {"repair", "speedup"}
    expected_goal = "speedup" if task_dir.parent.name == "controls" else task_dir.parent.name
    assert task["goal"] == expected_goal
    program = (task_dir / task["program"]).resolve()
    assert program.is_file() or (program / "__init__.py").is_file()  # a module or a package
    assert program.is_relative_to(ROOT / "seeds")
    assert 1000 <= config["search"]["budget"] <= 5000
    assert isinstance(config["search"]["editable"], list) and config["search"]["editable"]
    assert task["entry"] in config["search"]["editable"]


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_the_engine_loads_the_task(task_dir: Path) -> None:
    task = load_task(task_dir)
    assert task.name == task_dir.name


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_case_files_are_valid(task_dir: Path) -> None:
    cases, holdout = _suites(task_dir)
    assert 10 <= len(cases) <= 20
    assert len(holdout) >= 50
    for record in cases + holdout:
        assert set(record) <= {"args", "kwargs", "expected"}
        assert isinstance(record["args"], list)
        assert isinstance(record.get("kwargs", {}), dict)
        assert "expected" in record

    def key(record: dict[str, Any]) -> str:
        return json.dumps([record["args"], record.get("kwargs", {})], sort_keys=True)

    assert not {key(r) for r in cases} & {key(r) for r in holdout}


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_reference_passes_every_case(task_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        f"_ref_{task_dir.parent.name}_{task_dir.name}", task_dir / "reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function = getattr(module, _config(task_dir)["task"]["entry"])
    cases, holdout = _suites(task_dir)
    for record in cases + holdout:
        value = function(*record["args"], **record.get("kwargs", {}))
        assert json.loads(json.dumps(value)) == record["expected"], record


def test_generate_is_deterministic(tmp_path: Path) -> None:
    copies = []
    for task_dir in TASK_DIRS:
        copy = tmp_path / task_dir.parent.name / task_dir.name
        copy.mkdir(parents=True)
        for name in ("task.toml", "reference.py"):
            shutil.copy(task_dir / name, copy / name)
        copies.append(copy)
    subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate.py"), *map(str, copies)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    for task_dir, copy in zip(TASK_DIRS, copies, strict=True):
        tests = _config(task_dir)["tests"]
        for key in ("cases", "holdout"):
            assert (copy / tests[key]).read_bytes() == (task_dir / tests[key]).read_bytes()


@pytest.mark.parametrize(
    "task_dir",
    [d for d in TASK_DIRS if d.name in CONTROLS],
    ids=[i for i in TASK_IDS if i.startswith("controls/")],
)
def test_negative_control_has_no_fix_and_its_seed_is_the_reference(task_dir: Path) -> None:
    assert task_dir.name not in FIXES
    assert _config(task_dir)["task"]["goal"] == "speedup"
    assert all(_outcomes()[f"seed:controls/{task_dir.name}"])


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_seed_gets_partial_credit_or_passes(task_dir: Path) -> None:
    outcomes = _outcomes()[f"seed:{task_dir.parent.name}/{task_dir.name}"]
    if _config(task_dir)["task"]["goal"] == "repair":
        assert not all(outcomes), "the seed passes every case: nothing to repair"
        assert any(outcomes), "the seed fails every case: no partial credit to climb"
    else:
        assert all(outcomes), "a speed-up seed must pass every case"


FIXED_DIRS = [d for d in TASK_DIRS if d.name not in CONTROLS]
FIXED_IDS = [f"{d.parent.name}/{d.name}" for d in FIXED_DIRS]


@pytest.mark.parametrize("task_dir", FIXED_DIRS, ids=FIXED_IDS)
def test_documented_fix_passes_everything(task_dir: Path) -> None:
    outcomes = _outcomes()[f"fixed:{task_dir.parent.name}/{task_dir.name}"]
    assert all(outcomes), [i for i, ok in enumerate(outcomes) if not ok]


def _lines_holding(text: str, old: str) -> range:
    start = text.index(old)
    first = text.count("\n", 0, start) + 1
    return range(first, first + old.rstrip("\n").count("\n") + 1)


def _files_of(program: Program, text: str) -> dict[str, str]:
    return unpack_files(text) if program.several else {next(iter(program.files)): text}


def _edit_making(program: Program, target: dict[str, str], name: str, lines: range) -> Edit | None:
    """An edit the engine offers at a site on `lines` of file `name` that renders `target`
    exactly; the innermost sites are tried first, where a one-token fix lives."""
    sites = [
        site
        for site in program.sites
        if (site.file == name or not program.several)
        and set(range(site.line, max(site.line, site.end_line) + 1)) & set(lines)
    ]
    for site in sorted(sites, key=lambda site: max(site.line, site.end_line) - site.line):
        for edit in program.edits_at(site.address):
            if _files_of(program, program.render((edit,))) == target:
                return edit
    return None


REPAIR_DIRS = [d for d in TASK_DIRS if d.parent.name == "repair"]


@pytest.mark.parametrize("task_dir", REPAIR_DIRS, ids=[f"repair/{d.name}" for d in REPAIR_DIRS])
def test_the_documented_fix_is_a_patch_of_engine_edits(task_dir: Path) -> None:
    """Each replacement of the fix is one edit the engine itself offers at the seed's sites
    (`Program.edits_at`), and together they render exactly the fixed program: the engine
    can find the fix, not only a person."""
    task = load_task(task_dir)
    program = read_program(task)
    seed = program.files
    patch = []
    for old, new in FIXES[task.name]:
        [name] = [name for name, text in seed.items() if old in text]
        target = {**seed, name: seed[name].replace(old, new)}
        edit = _edit_making(program, target, name, _lines_holding(seed[name], old))
        assert edit is not None, f"no engine edit turns {old!r} into {new!r} in {name}"
        patch.append(edit)
    assert 1 <= len(patch) <= 2
    fixed = _fixed_files(task_dir)
    assert _files_of(program, program.render(tuple(patch))) == {name: fixed[name] for name in seed}


def _executed_lines(source: str, entry: str, cases: list[dict[str, Any]]) -> int:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<program>", "exec"), namespace)
    function = namespace[entry]
    count = 0

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line" and frame.f_code.co_filename == "<program>":
            count += 1
        return tracer

    previous = sys.gettrace()  # coverage's, under CI: put back, not dropped
    sys.settrace(tracer)
    try:
        for case in cases:
            function(*case["args"], **case.get("kwargs", {}))
    finally:
        sys.settrace(previous)
    return count


@pytest.mark.parametrize(
    "task_dir",
    [d for d in TASK_DIRS if d.parent.name == "speedup"],
    ids=[i for i in TASK_IDS if i.startswith("speedup/")],
)
def test_speedup_fix_cuts_executed_lines(task_dir: Path) -> None:
    entry = _config(task_dir)["task"]["entry"]
    cases, _ = _suites(task_dir)
    [before_source] = _seed_files(task_dir).values()  # speed-up seeds are single modules
    [after_source] = _fixed_files(task_dir).values()
    before = _executed_lines(before_source, entry, cases)
    after = _executed_lines(after_source, entry, cases)
    assert after < before / 2, (before, after)
