"""``xxgk serve`` in a real browser: the system's Chromium (never a downloaded one) driven by Playwright opens
the upload page, chooses the faulty Word draft through the file input, submits, and finds the finding cards and
the highlighted cells; a screenshot is saved in the test's temporary folder. The page's own script runs under
the server's Content-Security-Policy, and no request leaves the server.

Skipped where no Chromium is installed (CI installs Debian's ``chromium`` when it runs as root, see .ci/run).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")

from browser import CHROMIUM, needs_chromium  # noqa: E402
from serve_helpers import ROOT, Server, running_server  # noqa: E402

pytestmark = needs_chromium
FAULTY_DOCX = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("serve-browser"), "--workers", "1") as s:
        yield s


@pytest.fixture
def page(tmp_path: Path):  # type: ignore[no-untyped-def]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        )
        try:
            context = browser.new_context(accept_downloads=True, locale="zh-CN")
            yield context.new_page()
        finally:
            browser.close()


def test_drafter_uploads_the_draft_and_reads_what_to_fix(server: Server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server.url + "/")
    assert "上传" in page.title()
    page.set_input_files("#file", str(FAULTY_DOCX))
    # the page's script (allowed by the CSP: it comes from this server) lists the chosen file
    page.wait_for_selector("#chosen li")
    assert FAULTY_DOCX.name in page.inner_text("#chosen")
    page.click("#submit")
    page.wait_for_selector(".finding", timeout=120_000)

    cards = page.locator(".finding")
    assert cards.count() >= 4
    assert "需要修改" in page.inner_text(".verdict")
    hits = page.locator("td.hit")
    assert hits.count() >= 3
    assert "11" in " ".join(hits.all_inner_texts())
    # a highlighted cell links to its finding card, and the card is there
    target = hits.first.locator("a").first.get_attribute("href")
    assert target and page.locator(target).count() == 1
    # the highlight is visible: the stylesheet from this server applied
    background = hits.first.evaluate("td => getComputedStyle(td).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
    assert page.locator("a.annotated").count() == 1

    shot = tmp_path / "findings.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # the annotated copy downloads as a Word file
    with page.expect_download() as info:
        page.click("a.annotated")
    saved = tmp_path / "annotated.docx"
    info.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    assert info.value.suggested_filename.endswith("审阅.docx")

    assert all(url.startswith(server.url) for url in requests), requests
    assert not errors, errors  # no script error, no CSP refusal, no missing resource


def test_several_files_dropped_on_the_page(server: Server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    drafts = {
        "教育局初稿.md": (ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.md").read_text(encoding="utf-8"),
        "县政府.md": (ROOT / "examples" / "2022-qinghe-county.md").read_text(encoding="utf-8"),
    }
    page.goto(server.url + "/")
    dropped = page.evaluate_handle(
        """files => {
            const dt = new DataTransfer();
            for (const [name, text] of Object.entries(files)) dt.items.add(new File([text], name));
            return dt;
        }""",
        drafts,
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
    assert page.locator("#chosen li").count() == 2
    assert page.evaluate("document.getElementById('file').files.length") == 2
    page.click("#submit")
    page.wait_for_selector("section.report", timeout=120_000)
    assert page.locator("section.report").count() == 2
    names = page.locator(".file-name").all_inner_texts()
    assert names == ["第 1 份：教育局初稿.md", "第 2 份：县政府.md"]
    verdicts = page.locator(".verdict").all_inner_texts()
    assert "需要修改" in verdicts[0] and "可以发布" in verdicts[1]
    page.screenshot(path=str(tmp_path / "two-files.png"), full_page=True)


def test_a_file_over_the_limit_is_stopped_before_uploading(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    dropped = page.evaluate_handle(
        """() => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(51 * 1024 * 1024)], "扫描件.pdf"));
            return dt;
        }"""
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
    assert "文件过大" in page.inner_text("#chosen")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.click("#submit")
    page.wait_for_selector("#problem:not([hidden])")
    assert "扫描件.pdf" in page.inner_text("#problem")
    assert page.url == server.url + "/" and not posts
