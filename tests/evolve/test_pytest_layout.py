"""A task's pytest suite as the project keeps it: directories, conftests, configuration, data."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolve.errors import UsageError
from evolve.pytest_layout import LayoutError, check_args, find_config, pytest_suite
from evolve.task import load_task


def _project(root: Path) -> Path:
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    tests = root / "tests"
    (tests / "unit" / "data").mkdir(parents=True)
    (root / "conftest.py").write_text("import pytest\n")
    (tests / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef two():\n    return 2\n"
    )
    (tests / "unit" / "test_add.py").write_text(
        "import calc\n\ndef test_add(two):\n    assert calc.add(1, 1) == two\n"
    )
    (tests / "unit" / "helpers.py").write_text("X = 1\n")
    (tests / "unit" / "data" / "table.json").write_text("[1, 2]\n")
    (tests / ".hidden").mkdir()
    (tests / ".hidden" / "test_no.py").write_text("")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.pytest.ini_options]\naddopts = "-ra"\n'
    )
    return root


def test_a_directory_takes_its_files_the_conftests_above_and_the_configuration(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    suite = pytest_suite(
        root, ["tests/unit"], data=["tests/unit/data/*.json"], program=[root / "calc.py"]
    )
    assert suite.targets == ("tests/unit",)
    assert set(suite.files) == {
        "tests/unit/test_add.py",
        "tests/unit/helpers.py",
        "tests/conftest.py",
        "conftest.py",
        "pyproject.toml",
        "tests/unit/data/table.json",
    }
    assert suite.config == "pyproject.toml"


def test_a_pyproject_without_pytest_settings_is_not_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\nmarkers = slow\n")
    (tmp_path / "test_a.py").write_text("")
    assert find_config(tmp_path, [tmp_path / "test_a.py"]) == "setup.cfg"


@pytest.mark.parametrize(
    ("targets", "data", "message"),
    [
        (["missing"], [], "not found: missing"),
        (["../elsewhere"], [], "outside the project"),
        (["."], [], "not the project root"),
        (["calc.py"], [], "a file of the program"),
        (["tests"], ["tests/*.csv"], "matches no file"),
    ],
)
def test_bad_layouts_are_refused(
    tmp_path: Path, targets: list[str], data: list[str], message: str
) -> None:
    (tmp_path / "p").mkdir()
    root = _project(tmp_path / "p")
    with pytest.raises(LayoutError, match=message):
        pytest_suite(root, targets, data=data, program=[root / "calc.py"])


@pytest.mark.parametrize(
    ("args", "ok"),
    [
        (["-k", "add and not slow"], True),
        (["-m", "not slow", "--deselect", "tests/a.py::test_b"], True),
        (["-k=add"], True),
        (["--rootdir", "/"], False),
        (["-p", "no:warnings"], False),
        (["-k"], False),
        (["--confcutdir=/"], False),
    ],
)
def test_pytest_args_are_checked(args: list[str], ok: bool) -> None:
    if ok:
        check_args(args)
    else:
        with pytest.raises(LayoutError):
            check_args(args)


def test_a_task_reads_a_list_of_targets_files_args_and_a_pytest_holdout(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "holdout").mkdir()
    (root / "tests" / "holdout" / "test_more.py").write_text("def test_more():\n    pass\n")
    (root / "task.toml").write_text(
        '[task]\nprogram = "calc.py"\n[tests]\n'
        'pytest = ["tests/unit/test_add.py", "tests/unit/helpers.py"]\n'
        'files = ["tests/unit/data/*.json"]\npytest_args = ["-k", "add"]\n'
        'holdout_pytest = "tests/holdout"\n'
    )
    task = load_task(root)
    assert task.suite.targets == ("tests/unit/test_add.py", "tests/unit/helpers.py")  # type: ignore[union-attr]
    assert task.suite.args == ("-k", "add")  # type: ignore[union-attr]
    assert task.holdout is not None and task.holdout.targets == ("tests/holdout",)  # type: ignore[union-attr]


def test_a_bad_pytest_key_is_one_line_naming_the_key(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "task.toml").write_text('[task]\nprogram = "calc.py"\n[tests]\npytest = "nope"\n')
    with pytest.raises(UsageError, match=r"task.toml: \[tests\] pytest: not found: nope"):
        load_task(root)
