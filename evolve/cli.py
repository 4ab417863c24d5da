"""The command line's edge: parse, run the verb, and turn every way of failing into one line.

The grammar is `evolve/commands/parser.py`; each verb's implementation lives in
`evolve/commands/` and is imported only when that verb runs, so `evolve --help` and
`evolve log` start in a fraction of a second.

What reaches the user, whatever happens:
- bad usage or input (`UsageError`, argparse's complaints) and a run directory whose recorded
  state is corrupt or is not a run (`RunStateError`): one line on stderr, exit status 2;
- a run stopped at once (`RunAborted`): one line, exit status 1;
- stdout closed early (`evolve log RUN | head -1`): nothing more, exit status 141 as for a
  program killed by SIGPIPE (the default disposition is not restored: the engine talks to
  its sandboxes over pipes, and one closing must not kill a run);
- anything else is a bug: one line naming it, exit status 3 (pytest's "internal error");
  `EVOLVE_DEBUG=1` shows the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from evolve.commands.parser import BUNDLED_TASKS, COMMAND, DEFAULT_TASK, build
from evolve.errors import RunAborted, RunStateError, UsageError

__all__ = ["BUNDLED_TASKS", "DEFAULT_TASK", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a program killed by SIGPIPE


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage text is what --help is for)."""

    def error(self, message: str) -> NoReturn:
        hint = f"; see `{self.prog} --help`"
        self.exit(EXIT_USAGE, f"evolve: error: {_one_line(message)}{hint}\n")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        # A closed stdout must not end in "Exception ignored ... BrokenPipeError" at exit.
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            _silence_stdout()


def _main(argv: Sequence[str] | None) -> int:
    parser = build(_OneLineParser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        status = _command(getattr(args, COMMAND))(args)
        sys.stdout.flush()  # here, so a closed pipe is caught below and not at exit
        return status
    except (UsageError, RunStateError) as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except RunAborted as exc:
        _say(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_FAILED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if os.environ.get("EVOLVE_DEBUG"):
            raise
        _say(
            f"internal error: {type(exc).__name__}: {exc} (a bug in evolve; EVOLVE_DEBUG=1"
            " shows the traceback)"
        )
        return EXIT_INTERNAL


def _command(target: str) -> Callable[[argparse.Namespace], int]:
    module, _, function = target.partition(":")
    command: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(module), function
    )
    return command


def _say(message: str) -> None:
    with contextlib.suppress(BrokenPipeError, ValueError):  # stderr gone: nothing to tell
        print(f"evolve: {_one_line(message)}", file=sys.stderr, flush=True)


def _one_line(text: str) -> str:
    """A message from anywhere (a path, a database's error) as one line of text."""
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that nothing written later (buffered text flushed at
    exit) meets the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test's capture): nothing will flush it at exit


if __name__ == "__main__":
    sys.exit(main())
