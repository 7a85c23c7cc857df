"""The findings page in a real browser (headless Chromium): the findings and highlighted cells render, and
script injected through a report's text or cells does not run.

Skipped when Chromium is not installed (CI installs Debian's ``chromium`` when it runs as root, see .ci/run).
The page is checked through ``--dump-dom`` (the DOM after load, scripts run) and ``--screenshot``.
"""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import lxml.html
from browser import CHROMIUM, needs_chromium

from checker.engine import check_report, load_rules
from checker.extract import Report, extract_path
from checker.findings import Finding
from checker.formats import FORMATTERS
from checker.interpret import CellRead, Parsed
from checker.model import Source
from checker.values import Value

ROOT = Path(__file__).resolve().parent.parent
FAULTY_MD = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.md"


pytestmark = needs_chromium

# Each payload would leave a trace in the DOM if it ran: the title changes, the body gets an attribute,
# or an element with id "pwned" appears.
TITLE_SCRIPT = "<script>document.title='PWNED'</script>"
BODY_IMG = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
ADD_SCRIPT = "<script>var d=document.createElement('div');d.id='pwned';document.body.appendChild(d)</script>"
SVG = "<svg onload=\"document.body.setAttribute('data-pwned','2')\"></svg>"


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        f"--user-data-dir={profile}",
        *args,
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, timeout=120, env=env, check=False)


def _dump_dom(page: Path, tmp_path: Path) -> str:
    result = _run(["--dump-dom", page.as_uri()], tmp_path)
    dom = result.stdout.decode("utf-8", "replace")
    assert result.returncode == 0 and "<html" in dom, result.stderr.decode("utf-8", "replace")[-2000:]
    return dom


def _injected_results(tmp_path: Path):  # type: ignore[no-untyped-def]
    rules = load_rules()
    text = FAULTY_MD.read_text(encoding="utf-8")
    text = text.replace("# 青河县教育局2022年", f"# 青河县教育局{TITLE_SCRIPT}2022年", 1)
    text = text.replace("全年新收政府信息公开申请20件", f"全年新收政府信息公开申请20件{ADD_SCRIPT}{SVG}", 1)
    text = text.replace("| 行政处罚 | 3 |", f"| 行政处罚 | {BODY_IMG} |", 1)
    source = tmp_path / "injected.md"
    source.write_text(text, encoding="utf-8")
    report = extract_path(str(source))
    results = [(report, check_report(report, rules))]

    # a report whose value cell holds the payload (as a reader keeps text it cannot parse as a number)
    path = ("applications", "received_new", "natural_person")
    forged = Report(path="forged.md", format="md", edition="2021", year=2022, agency=f"青河县{TITLE_SCRIPT}")
    forged.title = BODY_IMG
    forged.sections = ["一", "二", "三", "四", "五", "六"]
    forged.cells = {path: CellRead(path, Value(BODY_IMG + ADD_SCRIPT), Source(line=3))}
    forged.parsed = Parsed(tables={"applications": Source(line=1)})
    finding = Finding(
        "V101",
        "error",
        f"不是数字：{BODY_IMG}{ADD_SCRIPT}{SVG}",
        {"section": "三", "table": "applications", "row": path[1], "column": path[2], "line": 3},
    )
    results.append((forged, [finding]))
    return results, rules


def test_control_scripts_do_run(tmp_path: Path) -> None:
    """The browser runs scripts in this set-up, so the checks below that nothing ran mean something."""
    page = tmp_path / "control.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><title>x</title></head><body>{TITLE_SCRIPT}{ADD_SCRIPT}</body></html>",
        encoding="utf-8",
    )
    dom = lxml.html.document_fromstring(_dump_dom(page, tmp_path))
    assert dom.findtext(".//title") == "PWNED"
    assert dom.xpath("//*[@id='pwned']")


def test_findings_page_in_chromium(tmp_path: Path) -> None:
    results, rules = _injected_results(tmp_path)
    page = tmp_path / "findings.html"
    page.write_text(FORMATTERS["html"](results, rules), encoding="utf-8")

    dumped = _dump_dom(page, tmp_path)
    dom = lxml.html.document_fromstring(dumped)

    # nothing injected ran
    assert dom.findtext(".//title").startswith("检查结果")
    assert "PWNED" not in (dom.findtext(".//title") or "")
    assert dom.find(".//body").get("data-pwned") is None
    assert not dom.xpath("//*[@id='pwned']")
    assert not dom.xpath("//script | //img | //svg | //iframe")
    # ... and it is shown as text instead
    text = dom.text_content()
    assert "<script>document.title='PWNED'</script>" in text
    assert "onerror=" in text

    # the findings and the highlighted cells are there
    total = sum(len(f) for _, f in results)
    cards = dom.find_class("finding")
    assert len(cards) == total
    assert [s.get("id") for s in dom.find_class("report")] == ["r1", "r2"]
    assert "需要修改" in text
    hits = dom.xpath("//td[contains(concat(' ', @class, ' '), ' hit ')]")
    assert len(hits) >= 3
    for td in hits:
        marks = [a.get("href") for a in td.iter("a")]
        assert marks and all(dom.get_element_by_id(m[1:]) is not None for m in marks)
    a102 = dom.get_element_by_id("r1-c-applications-results_granted-total")
    assert "hit-error" in a102.get("class")
    forged = dom.get_element_by_id("r2-c-applications-received_new-natural_person")
    assert forged.find_class("v")[0].text_content() == BODY_IMG + ADD_SCRIPT
    assert "未读取" in dom.get_element_by_id("r1-c-active-art20_6-penalty-decisions").text_content()

    # a screenshot of the page as a drafter sees it
    shot = tmp_path / "shot.png"
    result = _run(["--screenshot=" + str(shot), "--window-size=1280,2000", page.as_uri()], tmp_path)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 20_000, "the screenshot shows more than a blank page"
