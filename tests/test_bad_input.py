"""Files that are not what they claim, through the command line (``xxgk extract --format json``).

For a file that cannot be read at all the contract promises: one line on stderr naming the file and the reason,
the JSON still written with a P001/P002 finding for that file, exit code 2, and never a traceback. A file that
can be read but holds no report is not an error of the tool: a P003 finding and exit code 0.
"""

from __future__ import annotations

import html
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx as python_docx
import pytest
from click.testing import CliRunner, Result

from checker.cli import main

REPO = Path(__file__).resolve().parents[1]
GOOD_TEXT = Path(__file__).parent / "fixtures" / "text" / "report_2021_aligned.txt"


# ------------------------------------------------------------------------------------------------------------
# Bad files, made in tmp_path


def empty_file(tmp: Path) -> Path:
    path = tmp / "empty.txt"
    path.write_bytes(b"")
    return path


def junk_bytes() -> bytes:
    # deterministic binary junk: control bytes and NULs, no valid text encoding
    return bytes((i * 37 + 11) % 256 for i in range(4096))


def junk_txt(tmp: Path) -> Path:
    path = tmp / "junk.txt"
    path.write_bytes(junk_bytes())
    return path


def junk_html(tmp: Path) -> Path:
    path = tmp / "junk.html"
    path.write_bytes(junk_bytes())
    return path


def docx_bytes() -> bytes:
    document = python_docx.Document()
    document.add_paragraph("示例县人民政府2021年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("本年度，我县认真贯彻落实《条例》。" * 40)
    table = document.add_table(rows=3, cols=4)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"{r}{c}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def truncated_docx(tmp: Path) -> Path:
    data = docx_bytes()
    path = tmp / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted_docx(tmp: Path) -> Path:
    # What Word writes for a password-protected .docx: an OLE2 compound file holding an EncryptedPackage stream.
    data = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1536
    path = tmp / "protected.docx"
    path.write_bytes(data)
    return path


def unsupported_binary(tmp: Path) -> Path:
    path = tmp / "report.xls"
    path.write_bytes(junk_bytes())
    return path


def oversized(tmp: Path) -> Path:
    path = tmp / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: costs no disk
    return path


def missing(tmp: Path) -> Path:
    return tmp / "does-not-exist.html"


def html_report(text_fixture: Path) -> str:
    """An HTML page of the aligned text fixture: tab-separated lines become table rows."""
    lines = text_fixture.read_text("utf-8").splitlines()
    out = [f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(lines[0])}</title></head><body>']
    in_table = False
    for line in lines:
        if "\t" in line:
            if not in_table:
                out.append("<table>")
                in_table = True
            out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    out.append("</body></html>")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------------------
# Running the CLI


def run(*paths: Path | str) -> tuple[Result, dict]:
    result = CliRunner().invoke(main, ["extract", "--format", "json", *map(str, paths)])
    # a sys.exit() is the only exception allowed out of the command
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result, json.loads(result.stdout)


def report_for(doc: dict, path: Path) -> dict:
    (report,) = [r for r in doc["reports"] if r["path"] == str(path)]
    return report


def stderr_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


UNREADABLE = [
    (empty_file, "P001", "为空"),
    (junk_txt, "P001", "二进制"),
    (junk_html, "P001", "二进制"),
    (truncated_docx, "P001", "损坏"),
    (encrypted_docx, "P001", "加密"),
    (oversized, "P001", "文件过大"),
    (unsupported_binary, "P002", "不支持"),
    (missing, "P001", "无法打开"),
]


@pytest.mark.parametrize(("make", "rule", "words"), UNREADABLE, ids=[m.__name__ for m, _, _ in UNREADABLE])
def test_unreadable_file(tmp_path: Path, make, rule: str, words: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    result, doc = run(path)
    assert result.exit_code == 2
    report = report_for(doc, path)
    findings = report["findings"]
    assert [f["rule"] for f in findings] == [rule]
    assert findings[0]["severity"] == "error"
    assert words in findings[0]["message"]
    assert "tables" in report and report["tables"] == {}
    assert report["edition"] == "unknown"
    assert doc["summary"]["unreadable"] == 1
    # exactly one line on stderr, naming the file and the problem
    (line,) = stderr_lines(result)
    assert str(path) in line
    assert rule in line and findings[0]["message"] in line


def test_html_without_a_report(tmp_path: Path) -> None:
    path = tmp_path / "hello.html"
    path.write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    result, doc = run(path)
    assert result.exit_code == 0
    assert stderr_lines(result) == []
    report = report_for(doc, path)
    assert [f["rule"] for f in report["findings"]] == ["P003"]
    assert report["tables"] == {}
    assert doc["summary"]["unreadable"] == 0


def test_html_report_saved_as_docx(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_text(html_report(GOOD_TEXT), encoding="utf-8")
    result, doc = run(path)
    assert result.exit_code == 0
    assert stderr_lines(result) == []
    report = report_for(doc, path)
    assert report["format"] == "html"
    assert report["edition"] == "2021"
    assert report["year"] == 2022
    assert report["sections"] == ["一", "二", "三", "四", "五", "六"]
    (note,) = report["findings"]
    assert note["rule"] == "P001" and note["severity"] == "info"
    assert ".docx" in note["message"] and "HTML" in note["message"]
    assert len(report["tables"]["applications"]) == 25
    assert report["tables"]["applications"]["received_new"]["total"] == 31


def test_batch_of_good_and_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_bytes(GOOD_TEXT.read_bytes())
    bad = truncated_docx(tmp_path)
    result, doc = run(good, bad)
    assert result.exit_code == 2
    assert [r["path"] for r in doc["reports"]] == [str(good), str(bad)]
    good_report, bad_report = doc["reports"]
    assert good_report["edition"] == "2021"
    assert [f["rule"] for f in good_report["findings"]] == []
    assert sum(len(row) for row in good_report["tables"]["applications"].values()) == 175
    assert sum(len(row) for row in good_report["tables"]["review"].values()) == 15
    assert good_report["tables"]["active"]["art20_8"]["fees"]["amount"] == 3.5
    assert [f["rule"] for f in bad_report["findings"]] == ["P001"]
    (line,) = stderr_lines(result)
    assert str(bad) in line and str(good) not in line
    assert doc["summary"]["files"] == 2 and doc["summary"]["unreadable"] == 1


def test_folder_of_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    made = [make(folder) for make in (empty_file, junk_txt, junk_html, truncated_docx, encrypted_docx)]
    (folder / "notes.xyz").write_bytes(b"not a report file")  # not a report extension: not picked up
    result, doc = run(folder)
    assert result.exit_code == 2
    assert sorted(r["path"] for r in doc["reports"]) == sorted(map(str, made))
    lines = stderr_lines(result)
    assert len(lines) == len(made)
    for path in made:
        assert sum(str(path) in line for line in lines) == 1


def test_folder_without_report_files_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", "--format", "json", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_module_entry_point_in_a_subprocess(tmp_path: Path) -> None:
    """``python -m checker`` (what the installed ``xxgk`` script runs): no traceback for any bad file."""
    paths = [
        make(tmp_path)
        for make in (empty_file, junk_txt, junk_html, truncated_docx, encrypted_docx, oversized, unsupported_binary)
    ]
    good = tmp_path / "good.txt"
    good.write_bytes(GOOD_TEXT.read_bytes())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "extract", "--format", "json", *map(str, paths), str(good)],
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert proc.returncode == 2
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines, strict=True):
        assert line.startswith(f"{path}: P00")
    doc = json.loads(stdout)
    assert doc["summary"]["files"] == len(paths) + 1
    assert doc["summary"]["unreadable"] == len(paths)
    assert report_for(doc, good)["edition"] == "2021"


def test_a_report_cut_off_anywhere_never_raises(tmp_path):
    """A truncated file can stop inside any construct of the grammar (e.g. after a group label such as
    （三）不予公开 whose rows never come); extraction ends the document where it last could end."""
    from checker.extract import extract_path

    source = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"
    lines = source.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cut.md"
    for end in range(1, len(lines) + 1):
        cut = lines[:end]
        if cut[-1].startswith("| （三）不予公开"):
            cut[-1] = "| （三）不予公开 |"  # the group label alone, its rows lost
        path.write_text("\n".join(cut), encoding="utf-8")
        report = extract_path(str(path))
        assert report.readable
