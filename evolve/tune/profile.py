"""Profile files: the search settings `evolve tune` chose, for `evolve run --profile FILE`
and `evolve bench --profile FILE`.

A profile is TOML: a `[settings]` table holding `SearchSettings` fields (any subset; the rest
keep the engine's defaults), `[settings.operator_priors]` for per-operator priors, and a
`[profile]` table saying where it came from (read by people, ignored by the engine). The
settings become the run's `SearchSettings`, recorded in its configuration like any other, so
`evolve resume` rebuilds the same search without the file. A `.json` file with the same
shape is read too.
"""

from __future__ import annotations

import argparse
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from evolve.errors import UsageError
from evolve.search import Algorithm, SearchSettings

SETTINGS, ABOUT = "settings", "profile"


def load_profile(path: Path) -> SearchSettings:
    """The settings in the profile at `path`; UsageError naming the file and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read profile: {exc}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a profile: {exc}") from None
    settings = data.get(SETTINGS) if isinstance(data, dict) else None
    if not isinstance(settings, dict):
        raise UsageError(f"{path}: not a profile: no [{SETTINGS}] table")
    try:
        return SearchSettings.from_json(settings)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    """`--profile FILE` for `evolve run`."""
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="search settings from a profile (`evolve tune` writes them); --algorithm and"
        " --population given too override its values",
    )


def profile_settings(
    profile: Path | None,
    *,
    algorithm: str | None = None,
    population: int | None = None,
    partial_repairs: bool = False,
) -> SearchSettings:
    """A run's settings: the profile's (or the defaults), then the flags given
    (`--partial-repairs` only turns partial steps on)."""
    settings = SearchSettings() if profile is None else load_profile(profile)
    if population is not None:
        if population < 2 or population <= settings.elite:
            raise UsageError(
                f"--population must be at least 2 and above elite ({settings.elite}),"
                f" not {population}"
            )
        settings = replace(settings, population=population)
    if algorithm is not None:
        settings = replace(settings, algorithm=Algorithm(algorithm))
    if partial_repairs:
        settings = replace(settings, partial_repairs=True)
    return settings


def profile_text(settings: SearchSettings, about: Mapping[str, Any]) -> str:
    """The profile as TOML: `about` (flat values) in [profile], every setting in [settings]."""
    lines = [
        "# evolve search profile, written by `evolve tune`.",
        "# Use: evolve run TASK --profile FILE, evolve bench SUITE --profile FILE",
        f"[{ABOUT}]",
    ]
    lines += [f"{key} = {_value(value)}" for key, value in about.items() if value is not None]
    lines += ["", f"[{SETTINGS}]"]
    tables = []
    for key, value in settings.to_json().items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    for key, table in tables:
        lines += ["", f"[{SETTINGS}.{key}]"]
        lines += [f"{_key(name)} = {_value(value)}" for name, value in table.items()]
    return "\n".join(lines) + "\n"


def write_profile(path: Path, settings: SearchSettings, about: Mapping[str, Any]) -> None:
    text = profile_text(settings, about)
    assert load_profile_text(text) == settings  # what is written reads back as it was
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def load_profile_text(text: str) -> SearchSettings:
    return SearchSettings.from_json(tomllib.loads(text)[SETTINGS])


def _key(name: str) -> str:
    # Operator names hold dashes, which TOML allows in bare keys; quote anything else.
    bare = name.replace("-", "").replace("_", "").isalnum() and name.isascii()
    return name if bare else json.dumps(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no TOML form a profile uses")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's string escapes are TOML's basic-string escapes
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to a profile")
