"""Round trip: tables rendered by our writers, read back by ``extract_path``, must come back cell for cell.

Random but consistent tables (both editions, blank cells, negative 本年增/减 in 2019, decimal amounts) are
rendered into every format, written to a file and read back: every cell equal, a blank stays None (never 0), no
cell lost or invented, and no S202/S203 problem on our own renderings.

Two former lexer limitations are pinned below as regression cases: an all-blank 表四, and long rows of
space-aligned text.
"""

from __future__ import annotations

import importlib.util
import os
import random
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import layout
from checker.engine import check_report, load_rules
from checker.extract import Report, extract_path
from checker.readers import read
from checker.writers import EXTENSIONS, ReportData, cell_paths, consistent_values, render, zero_values

AGENCIES = ("青河县人民政府", "青河县教育局", "示例市自然资源和规划局", "某某区人民政府办公室", "东山街道办事处")
SECTIONS = ["一", "二", "三", "四", "五", "六"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def report_data(draw: st.DrawFn, blanks: bool = True, max_count: int = 3000) -> ReportData:
    edition = draw(st.sampled_from(layout.EDITIONS))
    years = st.integers(2019, 2020) if edition == "2019" else st.integers(2021, 2025)
    blank_rate = draw(st.sampled_from((0.0, 0.2, 0.6))) if blanks else 0.0
    rng = draw(st.randoms(use_true_random=False))
    values = consistent_values(edition, rng, blank_rate=blank_rate, max_count=max_count)
    for group in layout.REVIEW_ROWS:  # an all-blank review row is lost (test_blank_review_table below)
        if all(values[("review", group, col)] is None for col in layout.REVIEW_COLUMNS):
            values[("review", group, "total")] = 0
    return ReportData(edition, draw(years), draw(st.sampled_from(AGENCIES)), values)


def roundtrip(data: ReportData, fmt: str) -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "report" + EXTENSIONS[fmt])
        with open(path, "wb") as fh:
            fh.write(render(data, fmt))
        return extract_path(path)


def differences(data: ReportData, report: Report) -> list[tuple]:
    """Cells that did not come back as written: (path, written, read). 'lost': not read; 'extra': not written."""
    paths = list(cell_paths(data.edition))
    out: list[tuple] = []
    for path in paths:
        written = data.values.get(path)
        if path not in report.cells:
            out.append((path, written, "lost"))
            continue
        read_back = report.value(path)
        if (written is None) != (read_back is None) or written != read_back:
            out.append((path, written, read_back))
    out += [(path, "extra", report.value(path)) for path in report.cells.keys() - set(paths)]
    return out


def assert_roundtrip(data: ReportData, fmt: str) -> None:
    report = roundtrip(data, fmt)
    assert report.readable
    assert differences(data, report) == []
    structural = [(p.rule, p.message) for p in report.problems if p.rule in ("S202", "S203")]
    assert structural == []
    assert report.edition == data.edition
    assert report.year == data.year
    assert report.agency == data.agency
    assert report.sections == SECTIONS


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@SETTINGS
@given(data=report_data())
def test_roundtrip(fmt: str, data: ReportData) -> None:
    assert_roundtrip(data, fmt)


@SETTINGS
@given(data=report_data())
def test_roundtrip_text(data: ReportData) -> None:
    assert_roundtrip(data, "txt")


# -- fixed cases ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "txt", "html", "docx"])
@pytest.mark.parametrize("edition", layout.EDITIONS)
def test_zero_tables(fmt: str, edition: str) -> None:
    """All zeros, negative changes and amounts: the template as most small agencies fill it in."""
    values = zero_values(edition)
    if edition == "2019":
        values[("active", "art20_5", "licensing", "prev_items")] = 12
        values[("active", "art20_5", "licensing", "change")] = -5
        values[("active", "art20_6", "penalty", "change")] = 7
        values[("active", "art20_9", "procurement", "amount")] = Decimal("75394432.52")
    else:
        values[("active", "art20_8", "fees", "amount")] = Decimal("0.0125")
    assert_roundtrip(ReportData(edition, 2020 if edition == "2019" else 2023, "青河县人民政府", values), fmt)


@pytest.mark.parametrize("fmt", ["md", "txt", "html", "docx"])
def test_blank_tables(fmt: str) -> None:
    """表二 and 表三 left entirely blank (表四 filled in: see test_blank_review_table)."""
    values: dict = dict.fromkeys(cell_paths("2021"))
    values.update({p: 0 for p in values if p[0] == "review"})
    assert_roundtrip(ReportData("2021", 2022, "青河县人民政府", values), fmt)


def test_text_blank_cell() -> None:
    """`规章  /  0  0`: the blank marker keeps its column."""
    values = zero_values("2021")
    values[("active", "art20_1", "rules", "issued")] = None
    assert_roundtrip(ReportData("2021", 2022, "青河县人民政府", values), "txt")


def test_html_escapes_text() -> None:
    data = ReportData(
        "2021",
        2022,
        "青河县人民政府",
        zero_values("2021"),
        paragraphs={"六": ["<script>alert(1)</script> & “引号” <b>不是标签</b>。"]},
    )
    page = render(data, "html").decode("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert '<meta charset="utf-8">' in page
    assert_roundtrip(data, "html")


def _grid_sizes(data: ReportData, fmt: str) -> list[tuple[int, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "report" + EXTENSIONS[fmt])
        with open(path, "wb") as fh:
            fh.write(render(data, fmt))
        doc = read(path)
    return [(len(b.rows), len(b.rows[0])) for b in doc.blocks if b.is_table]


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_template_grids(fmt: str) -> None:
    """The grids of template.md §3/§4: 表二 14×4 (2021) / 18×4 (2019), 表三 28×10 / 26×10, 表四 4×15."""
    sizes = {ed: _grid_sizes(ReportData(ed, 2022, "青河县人民政府", zero_values(ed)), fmt) for ed in layout.EDITIONS}
    assert sizes["2021"] == [(14, 4), (28, 10), (4, 15)]
    assert sizes["2019"] == [(18, 4), (26, 10), (4, 15)]


def test_docx_is_deterministic() -> None:
    data = ReportData("2021", 2022, "青河县人民政府", consistent_values("2021", random.Random(7)))
    assert render(data, "docx") == render(data, "docx")


# -- former lexer limitations (minimal cases; checker/lexer.py, not the writers) -----------------------------


@pytest.mark.parametrize("fmt", ["txt", "html", "docx", "md"])
def test_blank_review_table(fmt: str) -> None:
    """表四 left entirely blank, as agencies with no review or lawsuit often do."""
    values = zero_values("2021")
    values.update({p: None for p in values if p[0] == "review"})
    assert_roundtrip(ReportData("2021", 2022, "青河县人民政府", values), fmt)


def test_text_long_row() -> None:
    values = zero_values("2021")
    for col in layout.APPLICANT_COLUMNS:
        for row in ("received_new", "results.granted", "results.total"):
            values[("applications", row, col)] = 100
    for row in ("received_new", "results.granted", "results.total"):
        values[("applications", row, "total")] = 600
    assert_roundtrip(ReportData("2021", 2022, "青河县人民政府", values), "txt")


# -- the shipped examples (examples/make_examples.py) --------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _make_examples():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_examples_are_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed examples are exactly what the script writes today."""
    module = _make_examples()
    monkeypatch.setattr(module, "ROOT", tmp_path / "examples")
    monkeypatch.setattr(module, "print", lambda *a, **k: None, raising=False)
    module.main()
    written = sorted(p.relative_to(tmp_path / "examples") for p in (tmp_path / "examples").rglob("*") if p.is_file())
    assert written
    for rel in written:
        assert _content(EXAMPLES / rel) == _content(tmp_path / "examples" / rel), rel


def _content(path: Path) -> bytes | dict[str, bytes]:
    """A file's bytes; for a DOCX its members' (compressed bytes vary with the zlib build)."""
    if path.suffix != ".docx":
        return path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _findings(path: Path) -> list[str]:
    return sorted(f.rule for f in check_report(extract_path(str(path)), load_rules()))


@pytest.mark.parametrize(
    "name", ["2022-qinghe-county.md", "2022-qinghe-county.html", "2022-qinghe-county.docx", "2022-qinghe-county.txt",
             "2020-qinghe-county-2019-edition.html"]
)  # fmt: skip
def test_correct_examples_are_clean(name: str) -> None:
    assert _findings(EXAMPLES / name) == []


# The faulty draft has two wrong cells; each is localised where its row and column identities cross.
FAULTY_CELLS = [
    ("A101", "carried_forward", "natural_person", 2),
    ("A102", "results.granted", "total", 10),
]


@pytest.mark.parametrize("ext", [".md", ".html", ".docx", ".txt"])
def test_faulty_example_findings(ext: str) -> None:
    path = EXAMPLES / "faulty" / f"2022-qinghe-education-draft{ext}"
    assert _findings(path) == ["A101", "A102", "S101", "V103"]
    report = extract_path(str(path))
    arithmetic = [f for f in check_report(report, load_rules()) if f.rule.startswith("A")]
    assert sorted((f.rule, f.location["row"], f.location["column"], f.expected) for f in arithmetic) == FAULTY_CELLS
