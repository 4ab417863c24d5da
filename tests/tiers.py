"""How much a developer's run of the fast tier does, next to CI's.

CI (`.ci/run` sets CI) runs every property test with all its examples; a developer's run
draws a third of them, which keeps the fast tier fast while still drawing new examples on
every run. Use `examples(n)` for a property test's `max_examples`, n being CI's count.
"""

from __future__ import annotations

import os

FULL = bool(os.environ.get("CI"))


def examples(full: int) -> int:
    """`full` in CI, a third of it (at least 10) otherwise."""
    return full if FULL else max(10, full // 3)
