"""The marks of the tests' input strings become string literals the operators may offer."""

from __future__ import annotations

from pathlib import Path

from evolve.program.literals import MAX_LITERALS, literals_from_tests
from evolve.program.program import Program
from evolve.run import RunRequest, start_run
from sandbox import Case, CaseSuite, PytestSuite
from tests.conftest import TaskFactory
from tests.doubles import Quiet

# Splits on commas and tabs; the description also says semicolons, which no literal holds.
FIELDS = """\
def split_fields(line):
    separators = {",", "\\t"}
    fields = []
    current = ""
    for ch in line:
        if ch in separators:
            fields.append(current)
            current = ""
        else:
            current += ch
    fields.append(current)
    return fields
"""
LINES = ["a,b", "1;2;3", "x\ty", "k;v,w", "", "solo", ";", "p\tq;r"]


def _cases(*args: object) -> CaseSuite:
    return CaseSuite("f", tuple(Case(f"c{i}", (a,)) for i, a in enumerate(args)))


def test_the_marks_of_the_inputs_come_commonest_first() -> None:
    suite = _cases("a;b;c", {"key": "x-y"}, ["p;q", ("r s",)], 42, "\t")
    # ";" three times; then one each, in character order.
    assert literals_from_tests(suite) == ('";"', '"\\t"', '" "', '"-"')


def test_letters_digits_and_long_texts_are_no_marks() -> None:
    assert literals_from_tests(_cases("abc", "123", "ÄÖ")) == ()
    assert literals_from_tests(_cases("," * 500)) == ()
    assert literals_from_tests(None) == ()
    assert len(literals_from_tests(_cases("!@#$%^&*()"))) == MAX_LITERALS


def test_a_pytest_suite_gives_the_strings_of_its_files_but_not_their_docstrings(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_fields.py").write_text(
        '"""Tests: commas, commas, commas."""\n\n\n'
        "def test_split():\n"
        '    """One, two, three."""\n'
        '    assert split("a|b|c") == ["a", "b", "c"]\n'
    )
    (tmp_path / "broken.py").write_text("def (:\n")
    suite = PytestSuite(root=tmp_path, files=("test_fields.py", "broken.py"))
    assert literals_from_tests(suite) == ('"|"',)


def test_edit_collection_offers_a_separator_only_the_inputs_hold() -> None:
    literals = literals_from_tests(_cases(*LINES))
    program = Program.parse(FIELDS, test_literals=literals)
    added = {
        edit.payload
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == "edit-collection"
    }
    assert ("add", 2, '";"') in added
    plain = Program.parse(FIELDS)
    assert not any(
        '";"' in str(edit.payload) for site in plain.sites for edit in plain.edits_at(site.address)
    )


def test_a_missing_separator_is_repaired(tmp_path: Path, make_task: TaskFactory) -> None:
    def split(line: str) -> list[str]:
        return line.replace(";", ",").replace("\t", ",").split(",")

    task = make_task(tmp_path / "fields", FIELDS, "split_fields", [([x], split(x)) for x in LINES])
    # Seeds 1 to 4 are solved within 422 to 784 evaluations.
    summary = start_run(RunRequest(task, seed=1, budget=1000, runs_dir=tmp_path / "runs"), Quiet())
    assert summary.solved
    champion = Path(summary.run_dir, "champion.py").read_text()
    assert '";"' in champion.split("separators = ")[1].splitlines()[0]
