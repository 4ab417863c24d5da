"""The pytest side of the harness: compile the suite, hide its text, run it by a plan, report.

Runs in the process that executes variant code (the harness's child), so it holds nothing
the supervisor would not show a variant. It uses the standard library at import time and
pytest only inside its functions: a fork-server worker imports it before pytest.

The order protects the expected values a test file holds: every Python file of the suite is
read and compiled (asserts rewritten as pytest would) before any variant code runs, and its
text on disk is replaced by a stub, so the variant finds no test source to read; pytest then
collects the stubs' paths and imports the compiled code through a meta path finder.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.machinery
import os
import signal
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import CodeType, ModuleType
    from typing import Any

STUB = b"# The sandbox compiled this file before the program was loaded; its text is gone.\n"
DEFAULT_INI = "pytest.ini"
_DETAIL_CHARS = 200
_TEST_PATTERNS = ("test_*.py", "*_test.py")
# Options the harness sets itself: a suite's own arguments may not change them.
_NOT_RUN = "not run: stopped after a test the champion passes did not pass"


def is_test_module(name: str, targets: Sequence[str] = ()) -> bool:
    """Whether pytest would rewrite the asserts of `name` (a relative path): a conftest, a
    file named on the command line, or one matching the default test file patterns."""
    base = name.rsplit("/", 1)[-1]
    if base == "conftest.py" or name in targets:
        return True
    return any(fnmatch.fnmatch(base, pattern) for pattern in _TEST_PATTERNS)


def compile_sources(
    workdir: str, names: Sequence[str], targets: Sequence[str] = ()
) -> dict[str, CodeType]:
    """Each Python file of the suite compiled, by absolute path. A file that does not compile
    is left out, and left on disk: pytest then reports it as a collection error itself."""
    texts: dict[str, bytes] = {}
    for name in names:
        try:
            with open(os.path.join(workdir, *name.split("/")), "rb") as handle:
                texts[name] = handle.read()
        except OSError:
            continue
    return compile_texts(workdir, texts, targets)


def compile_texts(
    workdir: str, texts: dict[str, bytes], targets: Sequence[str] = ()
) -> dict[str, CodeType]:
    """`compile_sources` for texts at hand, compiled as if they were under `workdir`."""
    from _pytest.assertion.rewrite import rewrite_asserts

    codes: dict[str, CodeType] = {}
    for name, source in texts.items():
        path = os.path.join(workdir, *name.split("/"))
        try:
            tree = ast.parse(source, filename=path)
            if is_test_module(name, targets):
                rewrite_asserts(tree, source, path, None)
            codes[path] = compile(tree, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return codes


def hide_sources(paths: Sequence[str]) -> None:
    """Replace each file's text by a stub: pytest still finds the path, the variant no text."""
    for path in paths:
        with open(path, "wb") as handle:
            handle.write(STUB)


class _CodeLoader:
    def __init__(self, code: CodeType) -> None:
        self.code = code

    def create_module(self, spec: Any) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        exec(self.code, module.__dict__)


class CompiledFinder:
    """A meta path finder that serves the suite's files from their compiled code: found where
    the path finder would find them (so packages and module names are pytest's own), loaded
    from memory."""

    def __init__(self, codes: dict[str, CodeType]) -> None:
        self.codes = codes

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.origin not in self.codes:
            return None
        spec.loader = _CodeLoader(self.codes[spec.origin])  # type: ignore[assignment]
        return spec

    def invalidate_caches(self) -> None:
        return None

    def install(self) -> None:
        """First on the meta path, ahead of pytest's assertion rewriter too (which would read
        the stub): called again after pytest installs its hook."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        sys.meta_path.insert(0, self)


class TimeLimitReached(BaseException):
    """Raised in a test that runs past its time limit. A BaseException, so the variant's own
    `except Exception` does not swallow it; pytest reports the test as failed and goes on."""


def time_limit_plugin(seconds: float = 0.0, after: Callable[[], None] | None = None) -> Any:
    """A pytest plugin that stops each test's call at `seconds` of wall time (its `seconds`
    may be set later; 0: no limit). A test that hangs then fails on its own, and the tests
    after it still run and count, as each case of a cases suite does under `case_s`; without
    it one hanging test ends the whole run at the wall limit, with nothing to score.
    `after` runs once a test was stopped: the harness puts back its line counter, which
    Python drops when the exception is raised inside the trace function."""
    import pytest

    class TimeLimit:
        def __init__(self) -> None:
            self.seconds = seconds
            self.after = after

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(self, item: Any) -> Any:
            if self.seconds <= 0:
                yield
                return
            limit = self.seconds
            fired = False

            def on_alarm(signum: int, frame: Any) -> None:
                nonlocal fired
                fired = True
                raise TimeLimitReached(f"test time limit of {limit:g} s reached")

            previous = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            try:
                # An alarm that fires after the test returned lands here, still inside
                # pytest's call phase, and fails this test like one inside it.
                yield
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                if fired and self.after is not None:
                    self.after()

    return TimeLimit()


class Collector:
    """A pytest plugin: applies the plan (order, tests not to run, the stop), keeps one record
    per test id (the worst outcome winning) and, with a line recorder, each test's lines."""

    _RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}

    def __init__(
        self,
        plan: dict[str, Any] | None,
        recorder: Any = None,
        finder: CompiledFinder | None = None,
        test_timeout_s: float = 0.0,
        after_time_limit: Callable[[], None] | None = None,
    ) -> None:
        plan = plan or {}
        self.finder = finder
        self.test_timeout_s = test_timeout_s  # each test's wall-time limit; 0: none
        self.after_time_limit = after_time_limit  # see `time_limit_plugin`
        self.first: list[str] = list(plan.get("first") or ())
        self.skip = frozenset(plan.get("skip") or ())
        self.critical = frozenset(plan.get("critical") or ())
        self.records: dict[str, dict[str, Any]] = {}
        self.collect_errors: list[dict[str, str]] = []
        self.missing_fixtures: list[dict[str, str]] = []
        self.selected: list[str] = []
        self.stopped = ""
        self.recorder = recorder
        self.coverage: dict[str, list[list[int]]] = {}
        self.calls: dict[str, dict[str, list[Any]]] = {}
        self.session: Any = None

    def add(self, name: str, outcome: str, detail: str = "") -> None:
        previous = self.records.get(name)
        if previous is not None and self._RANK[previous["outcome"]] >= self._RANK[outcome]:
            return
        self.records[name] = {
            "name": name,
            "outcome": outcome,
            "detail": detail[:_DETAIL_CHARS],
            # pytest turns the exception into text; its first word is the exception type
            "memory": detail.startswith("MemoryError"),
        }

    # hooks -------------------------------------------------------------------------------

    def pytest_load_initial_conftests(self, early_config: Any, parser: Any, args: Any) -> None:
        if self.finder is not None:  # pytest's rewriter is on the meta path by now
            self.finder.install()

    def pytest_sessionstart(self, session: Any) -> None:
        self.session = session
        if self.finder is not None:
            self.finder.install()

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        self.session = session
        if self.skip:
            kept = [item for item in items if item.nodeid not in self.skip]
            dropped = [item for item in items if item.nodeid in self.skip]
            if dropped:
                config.hook.pytest_deselected(items=dropped)
                items[:] = kept
        if self.first:
            rank = {name: index for index, name in enumerate(self.first)}
            positions = {id(item): index for index, item in enumerate(items)}
            # Planned tests first in the plan's order, the rest after in collection order.
            items.sort(key=lambda item: (rank.get(item.nodeid, len(rank)), positions[id(item)]))

    def pytest_collection_finish(self, session: Any) -> None:
        self.selected = [item.nodeid for item in session.items]

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            name = report.nodeid or "<collection>"
            detail = report_line(report)
            self.collect_errors.append({"name": name, "detail": detail[:_DETAIL_CHARS]})
            self.add(name, "error", detail)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.recorder is not None:
            self.recorder.start_test()

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        if self.recorder is not None:
            lines, calls = self.recorder.finish_test()
            self.coverage[nodeid] = lines
            if calls:
                self.calls[nodeid] = calls

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call":
            detail = report_line(report) if report.outcome != "passed" else ""
            self.add(report.nodeid, report.outcome, detail)
        elif report.failed:  # setup or teardown: a fixture, not the test, went wrong
            missing = _missing_fixture(report)
            if missing:
                self.missing_fixtures.append({"name": report.nodeid, "detail": missing})
            self.add(report.nodeid, "error", missing or report_line(report))
        elif report.skipped:
            self.add(report.nodeid, "skipped", report_line(report))
        if report.failed and report.nodeid in self.critical and not self.stopped:
            # The variant has lost a test the champion passes: it cannot be accepted, and
            # the rest would only cost time.
            self.stopped = _NOT_RUN
            if self.session is not None:
                self.session.shouldstop = _NOT_RUN

    def report(self) -> dict[str, Any]:
        """The suite's part of the harness's report."""
        result: dict[str, Any] = {
            "tests": list(self.records.values()),
            "selected": self.selected,
            "collect_errors": self.collect_errors,
            "missing_fixtures": self.missing_fixtures,
            "stopped": self.stopped,
        }
        if self.recorder is not None:
            result["test_coverage"] = self.coverage
            result["test_calls"] = self.calls
        return result


def _missing_fixture(report: Any) -> str:
    """The "fixture 'x' not found" line of a setup error, or ''."""
    longrepr = report.longrepr
    if type(longrepr).__name__ != "FixtureLookupErrorRepr":
        return ""
    text = str(getattr(longrepr, "errorstring", "") or "")
    for line in text.splitlines():
        if "not found" in line:
            return line.strip()
    return text.strip().splitlines()[0] if text.strip() else "fixture not found"


def report_line(report: Any) -> str:
    """The one line of a pytest report that says what went wrong."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    text = str(getattr(crash, "message", "") or longrepr or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    # reprcrash.message starts with "ExcType: message"; a bare longrepr ends with the error
    if crash is not None:
        return lines[0]
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    return errors[-1] if errors else lines[-1]


def pytest_args(suite: dict[str, Any], workdir: str, *, absolute: bool = False) -> list[str]:
    """The command line: the suite's targets and arguments, then the harness's own settings,
    which come last so that a configuration's addopts cannot undo them. `absolute`: targets
    as absolute paths, for a configuration made in another working directory."""
    config = suite.get("config") or DEFAULT_INI
    targets = [os.path.join(workdir, t) if absolute else t for t in suite["targets"]]
    return [
        *targets,
        *suite.get("args", ()),
        "-q",
        "--tb=native",  # the cheapest traceback: no source, no module search
        "-s",  # output goes to the child's stdout, under the output cap
        "-p",
        "no:cacheprovider",
        "-p",
        "no:faulthandler",
        "-p",
        "no:stepwise",
        "--rootdir",
        workdir,
        "-c",
        os.path.join(workdir, config),
        "--basetemp",
        os.path.join(workdir, ".pytest-tmp"),
    ]


def write_default_ini(workdir: str, suite: dict[str, Any]) -> None:
    """An ini file here stops pytest's search for configuration in parent directories, where
    anything (another variant's leftovers in /tmp included) could be."""
    if not suite.get("config"):
        with open(os.path.join(workdir, DEFAULT_INI), "w", encoding="utf-8") as handle:
            handle.write("[pytest]\n")


def run_main(
    suite: dict[str, Any], workdir: str, collector: Collector, describe: Callable[..., str]
) -> int:
    """pytest.main over the suite; the exit status, or -1 when pytest itself raised."""
    import pytest

    try:
        time_limit = time_limit_plugin(collector.test_timeout_s, collector.after_time_limit)
        plugins = [collector, time_limit]
        return int(pytest.main(pytest_args(suite, workdir), plugins=plugins))
    except BaseException as exc:  # the variant may raise anything through pytest
        collector.add("<pytest>", "error", describe(exc))
        return -1


# Suites a fork-server worker prepared before forking, by (suite key, working directory).
PREPARED: dict[tuple[str, str], Prepared] = {}


class Prepared:
    """A pytest session made ready in a fork-server worker, before the child is forked: the
    suite compiled, the configuration parsed and configured, the session started. A child
    collects (importing the test modules and conftests afresh: they import the variant) and
    runs. Conftests load at collection (`--noconftest` while preparing, lifted in the child):
    a conftest that imports the program must never run in the worker.
    """

    def __init__(self, suite: dict[str, Any], workdir: str, texts: dict[str, bytes]) -> None:
        from _pytest.config import _prepareconfig
        from _pytest.main import Session

        self.workdir = workdir
        self.codes = compile_texts(workdir, texts, suite["targets"])
        self.uncompiled = sorted(set(texts) - {_relative(workdir, p) for p in self.codes})
        self.finder = CompiledFinder(self.codes)
        self.plugin = _Relay()
        self.time_limit = time_limit_plugin()
        args = [*pytest_args(suite, workdir, absolute=True), "--noconftest"]
        self.config = _prepareconfig(args, plugins=[self.plugin, self.time_limit])
        self.config._do_configure()
        self.session = Session.from_config(self.config)
        self.config.hook.pytest_sessionstart(session=self.session)

    def run(self, collector: Collector) -> int:
        """Collect and run in this (forked) process; the exit status."""
        config, session = self.config, self.session
        self.plugin.target = collector
        self.time_limit.seconds = collector.test_timeout_s
        self.time_limit.after = collector.after_time_limit
        collector.session = session
        collector.finder = self.finder
        self.finder.install()
        known = config.known_args_namespace
        config.pluginmanager._set_initial_conftests(
            args=config.args,
            pyargs=False,
            noconftest=False,
            rootpath=config.rootpath,
            confcutdir=known.confcutdir,
            invocation_dir=config.invocation_params.dir,
            importmode=known.importmode,
            consider_namespace_packages=config.getini("consider_namespace_packages"),
        )
        try:
            config.hook.pytest_collection(session=session)
            config.hook.pytest_runtestloop(session=session)
        except (session.Interrupted, session.Failed):
            return 2
        if session.testsfailed:
            return 1
        return 5 if session.testscollected == 0 else 0


class _Relay:
    """The plugin a prepared session is configured with; it passes each hook to the child's
    collector (the collector is made per evaluation, the plugin list at configuration)."""

    def __init__(self) -> None:
        self.target: Collector | None = None

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        if self.target is not None:
            self.target.pytest_collection_modifyitems(session, config, items)

    def pytest_collection_finish(self, session: Any) -> None:
        if self.target is not None:
            self.target.pytest_collection_finish(session)

    def pytest_collectreport(self, report: Any) -> None:
        if self.target is not None:
            self.target.pytest_collectreport(report)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.target is not None:
            self.target.pytest_runtest_logstart(nodeid, location)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        if self.target is not None:
            self.target.pytest_runtest_logfinish(nodeid, location)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if self.target is not None:
            self.target.pytest_runtest_logreport(report)


def _relative(workdir: str, path: str) -> str:
    return os.path.relpath(path, workdir).replace(os.sep, "/")


def prepare(suite: dict[str, Any], workdir: str, texts: dict[str, bytes]) -> bool:
    """Prepare `suite` for children working in `workdir`; False when pytest refuses it there
    (the child then runs pytest whole and reports the problem itself)."""
    key = (str(suite["key"]), workdir)
    if key in PREPARED:
        return True
    try:
        PREPARED[key] = Prepared(suite, workdir, texts)
    except BaseException:  # a configuration pytest refuses: reported by the child's own run
        return False
    return True


def warm_up(directory: str) -> None:
    """One whole pytest run on a tiny suite, so that what pytest imports lazily is imported
    once in the worker, not in every child."""
    import contextlib
    import io

    import pytest

    path = os.path.join(directory, "test_sandbox_warm_up.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            "import pytest\n\n\n@pytest.fixture\ndef one():\n    return 1\n\n\n"
            "@pytest.mark.parametrize('x', [1])\ndef test_one(one, x):\n    assert one == x\n"
            # A failure, so that formatting one (and the files it reads) is warm too.
            "\n\ndef test_two():\n    assert [1] == [2]\n"
        )
    with open(os.path.join(directory, DEFAULT_INI), "w", encoding="utf-8") as handle:
        handle.write("[pytest]\n")
    suite = {"targets": [path], "args": []}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pytest.main(pytest_args(suite, directory, absolute=True))
    sys.modules.pop("test_sandbox_warm_up", None)


def preimport(texts: dict[str, bytes], local: set[str]) -> None:
    """Import, in the worker, the modules the suite's files import that are neither the
    program's nor the suite's own (`local` top-level names): third-party and standard
    modules, which no variant changes, imported once instead of in every child."""
    names: list[str] = []
    for source in texts.values():
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.append(node.module)
    for name in dict.fromkeys(names):
        if name.partition(".")[0] in local:
            continue
        try:
            __import__(name)
        except BaseException:  # not importable here: the child will report it
            continue
    # A third-party module may have imported an installed copy of the program (or a module
    # named like one of the suite's): the child must import the variant's, not find that.
    for loaded in list(sys.modules):
        if loaded.partition(".")[0] in local:
            del sys.modules[loaded]
