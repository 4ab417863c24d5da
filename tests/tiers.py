"""How much a developer's run of the fast tier does, next to CI's.

CI (`.ci/run` sets CI) runs every property test with all its examples and every sampled
loop with all its samples; a developer's run does a third of them, which keeps the fast tier
fast while every run still draws new examples. Use `examples(n)`, n being CI's count.
"""

from __future__ import annotations

import os

FULL = bool(os.environ.get("CI"))


def examples(full: int) -> int:
    """`full` in CI, a third of it (at least 10) otherwise."""
    return full if FULL else max(10, full // 3)
