"""The sandbox never imports `evolve`: it knows nothing of evolution, so it can be used, run
remotely and audited on its own. Checked on the source (every import statement, and every
import by name) and on a live interpreter (what importing every sandbox module loads)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sandbox

PACKAGE = Path(sandbox.__file__).resolve().parent


def _is_evolve(name: str) -> bool:
    return name == "evolve" or name.startswith("evolve.")


def imported_names(tree: ast.AST) -> list[str]:
    """Every module an `import`, an absolute `from ... import`, or an `import_module` /
    `__import__` call with a literal name brings in."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                names.append(str(first.value))
    return names


def test_no_sandbox_source_imports_evolve() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 15, f"found only {len(files)} files under {PACKAGE}"
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in files
        for name in imported_names(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if _is_evolve(name)
    ]
    assert not offenders, offenders


PROBE = """
import importlib, json, pkgutil, sys
import sandbox
modules = [m.name for m in pkgutil.walk_packages(sandbox.__path__, "sandbox.")]
for name in modules:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m == "evolve" or m.startswith("evolve."))
print(json.dumps({"modules": modules, "evolve": loaded}))
"""


def test_importing_every_sandbox_module_loads_no_evolve_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=tmp_path,  # nothing of the checkout's working directory on the path
    )
    result = json.loads(done.stdout)
    assert "sandbox.harness" in result["modules"] and "sandbox.fork.server" in result["modules"]
    assert result["evolve"] == []
