"""Evaluate a variant in a fresh Python process: the simple, slow, dependable mode.

One interpreter per evaluation, started with `subprocess` (no `preexec_fn`, so it is safe to
call from many threads at once); the child limits itself before any variant code runs. The
supervisor feeds it the request, watches its output, its report pipe and its exit, kills
everything left in its session when it is done or out of time, and judges the report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sandbox import reaper
from sandbox.arguments import check_arguments, check_compiles
from sandbox.evaluation import CaseSuite, Evaluation, Limits, PytestSuite, Suite
from sandbox.program_files import ProgramSource, write_files
from sandbox.protocol import encode_request, make_request, new_token, parse_result
from sandbox.suite_files import read_suite_files, write_suite_files
from sandbox.verdict import ExitInfo, build_evaluation, expected_values, invalid_evaluation

HARNESS = Path(__file__).resolve().with_name("harness.py")

LAYERS = ("rlimits", "session", "fresh-cwd", "scrubbed-env", "stdin-null", "output-cap")


def evaluate(
    source: ProgramSource,
    suite: Suite,
    limits: Limits,
    *,
    module_name: str = "variant",
    measure_cost: bool = False,
    measure_coverage: bool = False,
    record_calls: bool = False,
) -> Evaluation:
    """Run `source` against `suite` under `limits` in a fresh process and judge the result.

    `source` is one module's text (imported as `module_name`) or a program of several files,
    a mapping of relative paths ("pkg/__init__.py") to texts, of which `module_name` is one.

    Never raises for anything the variant does: the returned `Evaluation`'s status says how it
    went. Raises ValueError or TypeError for the caller's mistakes (a bad module name, a case
    input or expected value that is not JSON-able), and OSError if a pytest suite's files
    cannot be read or no process can be started. With `measure_coverage`, each case's (each
    test's) lines; with `record_calls` too, a pytest suite's calls of the program's functions.
    """
    check_arguments(suite, module_name, source)
    expected_values(suite)  # fail now, not after the run, on an expected value that is not JSON
    try:
        check_compiles(source, module_name)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return invalid_evaluation(suite, exc)
    token = new_token()
    workdir = tempfile.mkdtemp(prefix="evolve-sandbox-")
    try:
        if not isinstance(source, str):
            write_files(workdir, source)
        if isinstance(suite, PytestSuite):
            write_suite_files(workdir, read_suite_files(suite))
        result_bytes, exit_info = _run_child(
            source,
            suite,
            limits,
            workdir,
            module_name=module_name,
            measure_cost=measure_cost,
            measure_coverage=measure_coverage,
            record_calls=record_calls,
            token=token,
        )
    finally:
        # rmtree does not follow symlinks, so a variant's link to / is removed, not walked.
        shutil.rmtree(workdir, ignore_errors=True)
    result = parse_result(result_bytes)
    return build_evaluation(
        suite,
        result,
        _own_peak_rss(exit_info, result),
        limits,
        layers=LAYERS,
        measure_cost=measure_cost,
        token=token,
    )


def _own_peak_rss(exit_info: ExitInfo, result: dict[str, Any] | None) -> ExitInfo:
    """The child's own peak RSS, which the harness read just before reporting: ru_maxrss
    also counts the supervisor's pages the child had between fork and exec. The report is
    the child's word, so it may only lower the kernel's figure, never raise it."""
    reported = result.get("max_rss_kb") if result is not None else None
    if type(reported) is not int or reported <= 0:
        return exit_info
    return replace(exit_info, max_rss_mb=min(exit_info.max_rss_mb, reported / 1024))


def child_command(suite: Suite) -> list[str]:
    """The interpreter command line. It is `-I` without `-E`: the environment is ours, and
    PYTHONHASHSEED must reach the child so that set order, and so the cost, is repeatable."""
    flags = ["-s", "-P", "-B"]
    if isinstance(suite, CaseSuite):
        flags.append("-S")  # no site-packages: about 10 ms faster, and the stdlib is enough
    return [sys.executable, *flags, str(HARNESS)]


def child_env(suite: Suite, workdir: str) -> dict[str, str]:
    """The child's whole environment: nothing of the supervisor's leaks through."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": workdir,
        "TMPDIR": workdir,  # temporary files go where rmtree will find them
    }
    if isinstance(suite, PytestSuite):
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # plugin autoload costs ~600 ms
    return env


def _run_child(
    source: ProgramSource,
    suite: Suite,
    limits: Limits,
    workdir: str,
    *,
    module_name: str,
    measure_cost: bool,
    measure_coverage: bool = False,
    record_calls: bool = False,
    token: str = "",
) -> tuple[bytes, ExitInfo]:
    result_read, result_write = os.pipe()
    try:
        payload = encode_request(
            make_request(
                source,
                suite,
                limits,
                module_name=module_name,
                measure_cost=measure_cost,
                result_fd=result_write,
                measure_coverage=measure_coverage,
                record_calls=record_calls,
                token=token,
            )
        )
        started = time.monotonic()
        proc = subprocess.Popen(
            child_command(suite),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(result_write,),
            start_new_session=True,
            cwd=workdir,
            env=child_env(suite, workdir),
            bufsize=0,
        )
    except BaseException:
        os.close(result_read)
        os.close(result_write)
        raise
    os.close(result_write)  # the child holds the only write end: EOF once it is gone
    got: reaper.Collected | None = None
    try:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        got = reaper.watch(
            proc.pid,
            proc.stdout.fileno(),
            proc.stderr.fileno(),
            result_read,
            deadline=started + limits.wall_s,
            output_cap=limits.output_bytes,
            request=(proc.stdin.fileno(), payload),
            # The harness reads its request to the end of stdin.
            request_sent=proc.stdin.close,
        )
        ended = time.monotonic()
    finally:
        os.close(result_read)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        # Whatever happened, nothing the variant started in its session survives, unless it
        # made a session of its own (setsid): that escape needs a subreaper or a cgroup.
        reaper.kill_group(proc.pid)
        reaper.kill_session(proc.pid)
        returncode, cpu_s, max_rss_mb = reaper.reap(proc.pid)
        proc.returncode = -9 if returncode is None else returncode  # so Popen never waits
    if got.reported and not got.exited:
        # It reported and was only exiting when it was killed: it never exited on its own.
        returncode = None
    return got.result, ExitInfo(
        returncode=returncode,
        cpu_s=cpu_s,
        wall_s=ended - started,
        max_rss_mb=max_rss_mb,
        killed=got.killed,
        stderr_tail=got.stderr_tail.decode("utf-8", "replace"),
        report_bytes=got.result_size,
    )
