"""`evaluate` end to end, on real child processes."""

import dataclasses
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sandbox import Case, CaseSuite, Limits, Status, evaluate
from sandbox import process as sandbox_process

LIMITS = Limits(wall_s=1.0, cpu_s=1.0, memory_mb=96, output_bytes=64 * 1024)

INCREMENT = CaseSuite("f", tuple(Case(f"c{i}", (i,), expected=i + 1) for i in range(5)))


def single(expected: Any, *args: Any) -> CaseSuite:
    return CaseSuite("f", (Case("only", args, expected=expected),))


def test_a_correct_program_passes() -> None:
    result = evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS)
    assert result.status is Status.OK
    assert (result.passed, result.failed, result.total) == (5, 0, 5)
    assert result.message == ""
    assert result.cpu_s > 0 and result.wall_s > 0 and result.max_rss_mb > 0
    assert result.layers == sandbox_process.LAYERS
    assert result.cost is None  # not asked for


def test_a_wrong_program_fails_with_details() -> None:
    result = evaluate("def f(x):\n    return x + 1 if x != 3 else 7\n", INCREMENT, LIMITS)
    assert result.status is Status.FAILED
    assert (result.passed, result.failed) == (4, 1)
    assert result.tests[3].outcome == "failed"
    assert result.tests[3].detail == "expected 4, got 7"
    assert "c3: expected 4, got 7" in result.message


def test_kwargs_and_float_tolerance() -> None:
    source = "def f(a, *, b):\n    return a + b\n"
    cases = (Case("sum", (0.1,), {"b": 0.2}, expected=0.3),)
    assert evaluate(source, CaseSuite("f", cases), LIMITS).status is Status.FAILED
    tolerant = CaseSuite("f", cases, float_tolerance=1e-9)
    assert evaluate(source, tolerant, LIMITS).status is Status.OK


def test_a_syntax_error_is_invalid_without_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_spawn(*args: object, **kwargs: object) -> None:
        raise AssertionError("spawned a process for source that does not compile")

    monkeypatch.setattr(subprocess, "Popen", no_spawn)
    result = evaluate("def f(x:\n    return x\n", INCREMENT, LIMITS)
    assert result.status is Status.INVALID
    assert result.message.startswith("SyntaxError")
    assert result.total == 5 and result.passed == 0


def test_an_exception_at_import_is_a_crash_with_its_message() -> None:
    result = evaluate("raise ValueError('boom')\n", INCREMENT, LIMITS)
    assert result.status is Status.CRASH
    assert result.message == "ValueError: boom"
    assert result.passed == 0 and result.total == 5


@pytest.mark.parametrize(
    "source",
    [
        "def f(x):\n    while True:\n        pass\n",
        "import time\ndef f(x):\n    time.sleep(30)\n",
    ],
    ids=["busy", "sleeping"],
)
def test_a_program_that_never_returns_times_out(source: str) -> None:
    started = time.monotonic()
    result = evaluate(source, INCREMENT, LIMITS)
    assert time.monotonic() - started < LIMITS.wall_s + 1
    assert result.status is Status.TIMEOUT
    assert result.passed == 0 and result.total == 5


@pytest.mark.parametrize(
    "source",
    [
        "def f(x):\n    while x == 3:\n        pass\n    return x + 1\n",
        "import time\ndef f(x):\n    if x == 3:\n        time.sleep(30)\n    return x + 1\n",
    ],
    ids=["busy", "sleeping"],
)
def test_a_case_that_hangs_fails_alone(source: str) -> None:
    result = evaluate(source, INCREMENT, LIMITS)
    assert result.status is Status.FAILED
    assert [t.outcome for t in result.tests] == ["passed"] * 3 + ["timeout", "passed"]
    assert "case time limit" in result.tests[3].detail


def test_catching_the_case_alarm_only_reaches_the_wall_limit() -> None:
    source = (
        "def f(x):\n"
        "    while True:\n"
        "        try:\n"
        "            while True:\n"
        "                pass\n"
        "        except BaseException:\n"
        "            pass\n"
    )
    result = evaluate(source, INCREMENT, LIMITS)
    assert result.status is Status.TIMEOUT


def test_the_cpu_limit_stops_a_busy_program_before_the_wall_clock() -> None:
    limits = Limits(wall_s=10.0, cpu_s=0.5)  # rounded up to whole CPU seconds: 1 s
    started = time.monotonic()
    result = evaluate("while True:\n    pass\n", INCREMENT, limits)
    assert time.monotonic() - started < 3
    assert result.status is Status.TIMEOUT
    assert "CPU limit" in result.message


@pytest.mark.parametrize(
    "source",
    [
        "x = bytearray(10**10)\ndef f(x):\n    return x + 1\n",
        "def f(x):\n    grow = []\n    while True:\n        grow.append([0] * 1000)\n",
    ],
    ids=["one-allocation", "growing-list"],
)
def test_a_memory_bomb_hits_the_memory_limit(source: str) -> None:
    # Give the case long enough to fill memory before its own time limit stops it.
    result = evaluate(source, INCREMENT, dataclasses.replace(LIMITS, case_s=LIMITS.wall_s))
    assert result.status is Status.MEMORY
    assert "MemoryError" in result.message


def test_flooding_stdout_hits_the_output_limit() -> None:
    result = evaluate("def f(x):\n    while True:\n        print('x' * 1000)\n", INCREMENT, LIMITS)
    assert result.status is Status.OUTPUT_LIMIT
    assert result.passed == 0


def test_exiting_before_reporting_is_a_crash() -> None:
    result = evaluate("import os\ndef f(x):\n    os._exit(0)\n", INCREMENT, LIMITS)
    assert result.status is Status.CRASH
    assert result.passed == 0
    assert "before reporting" in result.message


def process_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")  # a killed process waiting to be reaped is gone


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess\ndef f():\n    return subprocess.Popen(['sleep', '30']).pid\n",
        "import os, time\n"
        "def f():\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    return pid\n",
        "import os, time\n"
        "def f():\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os.setpgid(0, 0)\n"  # out of reach of killpg, still in the session
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    return pid\n",
    ],
    ids=["subprocess", "fork", "fork-and-leave-the-group"],
)
def test_no_process_outlives_the_evaluation(source: str) -> None:
    started = time.monotonic()
    result = evaluate(source, single(None), LIMITS)
    assert time.monotonic() - started < LIMITS.wall_s  # the sleeping child did not hold it up
    assert result.status is Status.FAILED  # the variant returned the child's pid, not None
    pid = int(result.tests[0].detail.rsplit(" ", 1)[1])
    deadline = time.monotonic() + 2
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not process_alive(pid)


def test_the_environment_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVOLVE_TEST_SECRET", "hunter2")
    source = (
        "import os\n"
        "def f():\n"
        "    with open('/proc/self/environ', 'rb') as handle:\n"
        "        raw = handle.read()\n"
        "    return [os.environ.get('EVOLVE_TEST_SECRET'), b'hunter2' in raw]\n"
    )
    assert evaluate(source, single([None, False]), LIMITS).status is Status.OK


def test_each_evaluation_gets_a_fresh_working_directory_that_is_removed(tmp_path: Path) -> None:
    source = (
        "import os\n"
        "def f(report):\n"
        "    with open(report, 'a') as handle:\n"
        "        handle.write(os.getcwd() + '\\n')\n"
        "    found = sorted(os.listdir('.'))\n"
        "    open('leftover', 'w').close()\n"
        "    return found\n"
    )
    report = tmp_path / "cwd.txt"
    suite = single(["variant.py"], str(report))
    assert evaluate(source, suite, LIMITS).status is Status.OK
    assert evaluate(source, suite, LIMITS).status is Status.OK  # no leftover from the first
    first, second = report.read_text().split()
    assert first != second
    assert not Path(first).exists() and not Path(second).exists()


def test_cost_is_deterministic_and_grows_with_work() -> None:
    slow = (
        "def f(n):\n"
        "    seen = {str(i) for i in range(100)}\n"
        "    total = 0\n"
        "    for i in range(n):\n"
        "        for word in seen:\n"  # set order depends on the hash seed
        "            if word == '7':\n"
        "                break\n"
        "            total += 1\n"
        "    return total\n"
    )
    fast = "def f(n):\n    return n\n"
    suite = CaseSuite("f", (Case("a", (30,)), Case("b", (3,))))
    costs = [evaluate(slow, suite, LIMITS, measure_cost=True).cost for _ in range(2)]
    fast_cost = evaluate(fast, suite, LIMITS, measure_cost=True).cost
    assert costs[0] is not None and fast_cost is not None
    assert costs[0] == costs[1]
    assert fast_cost < costs[0]


def test_parallel_calls_from_threads() -> None:
    sources = [f"def f(x):\n    return x + {1 if i % 2 == 0 else 2}\n" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: evaluate(s, INCREMENT, LIMITS), sources))
    assert [r.status for r in results] == [Status.OK, Status.FAILED] * 4


@pytest.mark.parametrize("module_name", ["json", "not a name", "class", "pytest"])
def test_module_names_that_cannot_work_are_refused(module_name: str) -> None:
    with pytest.raises(ValueError):
        evaluate("x = 1\n", INCREMENT, LIMITS, module_name=module_name)


def test_inputs_that_are_not_json_are_a_caller_error() -> None:
    with pytest.raises(TypeError):
        evaluate("def f(x):\n    return x\n", single(None, {1, 2}), LIMITS)
    with pytest.raises(TypeError):
        evaluate("def f(x):\n    return x\n", single(object(), 1), LIMITS)


def test_a_case_may_call_another_function_of_the_program() -> None:
    source = "def f(x):\n    return x + 1\n\n\ndef g(x, k=1):\n    return x * k\n"
    suite = CaseSuite(
        "f",
        (
            Case("f", (1,), expected=2),
            Case("g", (3,), {"k": 2}, expected=6, entry="g"),
            Case("h", (3,), expected=3, entry="missing"),
        ),
    )
    result = evaluate(source, suite, LIMITS)
    assert result.status is Status.CRASH and "missing" in result.message
    result = evaluate(source, CaseSuite("f", suite.cases[:2]), LIMITS)
    assert result.status is Status.OK and result.passed == 2
