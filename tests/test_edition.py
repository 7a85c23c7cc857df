"""The edition is decided once: the interpreter's (the layout that read the tables) is the report's."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from checker.extract import extract_path
from checker.interpret import Interpreter
from checker.writers import ReportData, consistent_values, render


def _write(tmp_path: Path, edition: str, year: int) -> str:
    values = consistent_values(edition, random.Random(4), blank_rate=0.0, max_count=50)
    path = tmp_path / f"{edition}-{year}.md"
    path.write_bytes(render(ReportData(edition, year, "青河县测试局", values), "md"))
    return str(path)


def _tie_votes(monkeypatch: pytest.MonkeyPatch) -> None:
    """As many labels of one edition as of the other (e.g. a report mixing its tables' wording)."""
    vote = Interpreter._vote_editions

    def tied(self: Interpreter) -> None:
        vote(self)
        most = max(self.out.edition_votes.values())
        self.out.edition_votes.update({"2019": most, "2021": most})

    monkeypatch.setattr(Interpreter, "_vote_editions", tied)


@pytest.mark.parametrize(("edition", "year"), [("2019", 2020), ("2021", 2020), ("2019", 2022), ("2021", 2022)])
def test_tied_votes_the_year_decides_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edition: str, year: int
) -> None:
    path = _write(tmp_path, edition, year)
    _tie_votes(monkeypatch)
    report = extract_path(path)
    assert report.parsed is not None and report.parsed.edition_basis == "year"
    expected = "2019" if year < 2021 else "2021"
    # the tables were read with the year's edition, and the report is labelled (and checked) with it too
    assert report.parsed.edition == expected
    assert report.edition == expected


def test_labels_decide_over_the_year(tmp_path: Path) -> None:
    report = extract_path(_write(tmp_path, "2019", 2022))
    assert report.parsed is not None and report.parsed.edition_basis == "labels"
    assert report.edition == report.parsed.edition == "2019"


def test_given_edition_is_the_one_read_with(tmp_path: Path) -> None:
    from checker.extract import extract_document
    from checker.readers import read

    report = extract_document(read(_write(tmp_path, "2021", 2022)), edition="2019")
    assert report.parsed is not None and report.parsed.edition_basis == "given"
    assert report.edition == report.parsed.edition == "2019"
