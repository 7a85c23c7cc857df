"""``xxgk annotate --ocr auto|never``: the mode reaches the reader; a scan (PDF or page image) cannot carry Word
comments and is refused in one line that points to ``check``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import checker.extract
from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
DRAFT = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx"


def annotate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["annotate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize("mode", ["never", "auto"])
def test_the_ocr_mode_reaches_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    seen: list[str] = []
    real = checker.extract.extract_path

    def spy(path: str, edition=None, year=None, ocr: str = "auto"):  # type: ignore[no-untyped-def]
        seen.append(ocr)
        return real(path, edition=edition, year=year, ocr=ocr)

    monkeypatch.setattr(checker.extract, "extract_path", spy)
    out = tmp_path / "out.docx"
    code, output = annotate("--ocr", mode, str(DRAFT), "-o", str(out))
    assert code == 1, output  # the draft has errors: the copy is written and the run fails as check's would
    assert out.exists() and seen == [mode]


def test_an_unknown_mode_is_a_usage_error(tmp_path: Path) -> None:
    code, output = annotate("--ocr", "sometimes", str(DRAFT), "-o", str(tmp_path / "out.docx"))
    assert code == 2 and "sometimes" in output


@pytest.mark.parametrize(("name", "data"), [("scan.pdf", b"%PDF-1.4\n%%EOF\n"), ("page.png", b"\x89PNG\r\n\x1a\n")])
def test_a_scan_is_refused_in_one_line_naming_check(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, output = annotate("--ocr", "auto", str(path), "-o", str(tmp_path / "out.docx"))
    assert code == 2
    assert "xxgk check" in output and len(output.strip().splitlines()) == 1, output
