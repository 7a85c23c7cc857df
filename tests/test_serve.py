"""``xxgk serve`` driven over HTTP: the real server (uvicorn in a child process) on a free loopback port.

The upload page, the findings page with the wrong cells highlighted, the annotated Word copy, the contract's
JSON validated against its schema, the size limit (413 while streaming), hostile files and hostile file names,
the history's comparison of a re-upload, the token on a non-loopback address, and the security headers.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("python_multipart")

from conftest import SHARED_CORPUS
from serve_helpers import ROOT, Server, api, free_port, get, request, running_server, serve_command, upload

FAULTY = ROOT / "examples" / "faulty"
FAULTY_DOCX = FAULTY / "2022-qinghe-education-draft.docx"
FAULTY_MD = FAULTY / "2022-qinghe-education-draft.md"
SCHEMA = ROOT / "docs" / "xxgk-check.schema.json"


@pytest.fixture(scope="module")
def server_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's temporary folder (TMPDIR/TMP/TEMP): where the uploads live while they are checked."""
    return tmp_path_factory.mktemp("server-tmp")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_tmp: Path) -> Iterator[Server]:
    env = {name: str(server_tmp) for name in ("TMPDIR", "TMP", "TEMP")}
    with running_server(tmp_path_factory.mktemp("serve"), "--workers", "2", env=env) as s:
        yield s


def _dom(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(body.decode("utf-8"))


def _hits(dom: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return dom.xpath("//td[contains(concat(' ', @class, ' '), ' hit ')]")


def test_upload_page(server: Server) -> None:
    status, headers, body = get(server.url + "/")
    assert status == 200
    dom = _dom(body)
    form = dom.get_element_by_id("upload")
    assert form.get("action") == "/check" and form.get("method") == "post"
    assert form.get("enctype") == "multipart/form-data"
    file_input = dom.get_element_by_id("file")
    assert file_input.get("name") == "file" and file_input.get("multiple") is not None
    # blank templates: both editions, three formats each, and they download
    links = sorted(a.get("href") for a in dom.find_class("template-link"))
    assert links == sorted(f"/template/{e}.{f}" for e in ("2019", "2021") for f in ("docx", "html", "md"))
    status, headers, data = get(server.url + "/template/2021.docx")
    assert status == 200 and zipfile.is_zipfile(io.BytesIO(data))
    assert "attachment" in headers["content-disposition"]
    status, _, data = get(server.url + "/template/2019.md")
    assert status == 200 and "政府信息公开工作年度报告" in data.decode("utf-8")
    assert get(server.url + "/template/2020.md")[0] == 404
    # Chinese, and nothing from elsewhere: only this server's stylesheet and script
    assert dom.get("lang") == "zh-CN" and "上传" in dom.text_content()
    for el in dom.xpath("//*[@src or @href]"):
        ref = el.get("src") or el.get("href")
        assert ref.startswith(("/", "#")), ref
    assert not dom.xpath("//script[not(@src)]"), "no inline script: the CSP allows none"


def test_every_page_has_the_csp(server: Server) -> None:
    for path in ("/", "/healthz", "/static/upload.js", "/nothing-here", "/template/2021.html"):
        _, headers, _ = get(server.url + path)
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, path
        assert headers["x-content-type-options"] == "nosniff"
    status, _, body = get(server.url + "/nothing-here")
    assert status == 404 and "找不到" in body.decode("utf-8")


def test_faulty_docx_gives_findings_page_with_wrong_cells_highlighted(server: Server) -> None:
    status, headers, body = upload(server.url + "/check", [(FAULTY_DOCX.name, FAULTY_DOCX.read_bytes())])
    assert status == 200, body[:500]
    assert "default-src 'none'" in headers["content-security-policy"]
    dom = _dom(body)
    text = dom.text_content()
    assert "需要修改" in text and FAULTY_DOCX.name in text
    rules = [el.text_content() for el in dom.xpath("//div[contains(@class, 'finding')]//span[@class='rule']")]
    assert {"A101", "A102", "V103", "S101"} <= set(rules)
    hits = _hits(dom)
    assert len(hits) >= 3
    # the highlighted cells are the wrong ones: 11 where 10 belongs, 4 where 2 belongs
    shown = " ".join(td.text_content() for td in hits)
    assert "11" in shown and "4" in shown
    for td in hits:
        for a in td.iter("a"):
            assert dom.get_element_by_id(a.get("href")[1:]) is not None
    # downloads: the self-contained page and the annotated Word copy
    page = dom.get_element_by_id("download-page").get("href")
    status, headers, data = get(server.url + page)
    assert status == 200 and "attachment" in headers["content-disposition"]
    standalone = _dom(data)
    assert len(standalone.find_class("finding")) == len(rules)
    # ... which is the page of `xxgk check --format html` for the same file, byte for byte but the path shown
    cli = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--format", "html", str(FAULTY_DOCX.relative_to(ROOT))],
        capture_output=True, cwd=ROOT, check=False,
    )  # fmt: skip
    page = cli.stdout.decode("utf-8").replace("examples/faulty/", "").replace("examples\\faulty\\", "")
    assert data.decode("utf-8").strip() == page.strip()
    assert standalone.xpath("//meta[@http-equiv='Content-Security-Policy']")
    (annotated,) = [a.get("href") for a in dom.find_class("annotated")]
    status, headers, data = get(server.url + annotated)
    assert status == 200 and "%E5%AE%A1%E9%98%85.docx" in headers["content-disposition"]  # 审阅
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        comments = zf.read("word/comments.xml").decode("utf-8")
    assert "A102" in comments or "10" in comments


def test_several_files_one_section_each(server: Server) -> None:
    files = [
        (FAULTY_DOCX.name, FAULTY_DOCX.read_bytes()),
        ("清河.md", (ROOT / "examples/2022-qinghe-county.md").read_bytes()),
    ]
    status, _, body = upload(server.url + "/check", files)
    assert status == 200
    dom = _dom(body)
    assert [s.get("id") for s in dom.xpath("//section[@class='report']")] == ["r1", "r2"]
    assert "可以发布" in dom.text_content()
    assert len(dom.find_class("annotated")) == 1  # only the Word file has an annotated copy


def test_api_check_is_the_contract_json(server: Server) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    status, doc = api(server.url, [(FAULTY_DOCX.name, FAULTY_DOCX.read_bytes()), ("a.md", FAULTY_MD.read_bytes())])
    assert status == 200
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [r["path"] for r in doc["reports"]] == [FAULTY_DOCX.name, "a.md"]
    assert doc["summary"]["files"] == 2 and doc["summary"]["errors"] == 6
    # the same findings as the command line gives for the same file
    cli = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--format", "json", str(FAULTY_DOCX)],
        capture_output=True, cwd=ROOT, check=False,
    )  # fmt: skip
    expected = json.loads(cli.stdout)["reports"][0]["findings"]
    assert doc["reports"][0]["findings"] == expected
    assert "tables" not in doc["reports"][0]
    # ?with_tables=1 adds the tables, as --with-tables does
    status, _, body = upload(server.url + "/api/check?with_tables=1", [("a.md", FAULTY_MD.read_bytes())])
    tables = json.loads(body)["reports"][0]["tables"]
    jsonschema.validate(json.loads(body), json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert tables["applications"]["results.granted"]["total"] == 11  # the wrong cell, as read
    assert tables["active"]["art20_6"]["coercion"]["decisions"] is None  # blank is null, not 0
    # errors are JSON too
    status, _, body = request(server.url + "/api/check", b"x", {"Content-Type": "text/plain"})
    assert status == 415 and "error" in json.loads(body)


def test_uploads_are_deleted_after_the_response(server: Server, server_tmp: Path) -> None:
    status, _, _ = upload(server.url + "/check", [(FAULTY_DOCX.name, FAULTY_DOCX.read_bytes())])
    assert status == 200
    assert get(server.url + "/healthz")[0] == 200
    assert not [p.name for p in server_tmp.iterdir() if p.name.startswith("xxgk-serve-")]


def test_upload_over_the_limit_is_413_and_the_server_goes_on(server: Server) -> None:
    big = b"0" * (60 * 1024 * 1024)
    status, headers, body = upload(server.url + "/check", [("big.pdf", big)])
    assert status == 413
    assert "文件过大" in body.decode("utf-8") and "50 MB" in body.decode("utf-8")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert get(server.url + "/healthz")[0] == 200


def _word_parts() -> dict[str, bytes]:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def zip_bomb() -> bytes:
    """A Word file whose document.xml inflates to 1 GiB of zeros (about 1 MB on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _word_parts().items():
            if name != "word/document.xml":
                zf.writestr(name, data)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(1024):
                fh.write(chunk)
    return buf.getvalue()


def billion_laughs() -> bytes:
    """A Word file whose document.xml declares entities nested nine deep (10^9 copies of "lol")."""
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace("&lol0;", "lol")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        "<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _word_parts().items():
            zf.writestr(name, xml.encode() if name == "word/document.xml" else data)
    return buf.getvalue()


@pytest.mark.parametrize("make", [zip_bomb, billion_laughs])
def test_hostile_file_gives_a_clean_page_and_the_server_keeps_serving(server: Server, make) -> None:  # type: ignore[no-untyped-def]
    status, _, body = upload(server.url + "/check", [("草稿.docx", make())])
    assert status == 200
    dom = _dom(body)
    text = dom.text_content()
    assert "P001" in text and "恶意构造" in text
    assert "Traceback" not in text and "xxgk-serve-" not in text
    assert not dom.find_class("annotated")
    assert get(server.url + "/healthz")[0] == 200
    status, _, body = upload(server.url + "/check", [("a.md", FAULTY_MD.read_bytes())])
    assert status == 200 and len(_hits(_dom(body))) >= 2


def test_file_name_is_never_a_path(server: Server, tmp_path: Path) -> None:
    names = ["../../etc/passwd.docx", "..\\..\\Windows\\win.ini.docx", "/etc/passwd", "a\tb\x7f.docx"]
    status, _, body = upload(server.url + "/check", [(n, FAULTY_DOCX.read_bytes()) for n in names])
    assert status == 200
    dom = _dom(body)
    shown = [el.text_content() for el in dom.find_class("file-name")]
    assert shown == ["第 1 份：passwd.docx", "第 2 份：win.ini.docx", "第 3 份：passwd", "第 4 份：ab.docx"]
    assert "root:" not in dom.text_content()
    # the checks still ran on the uploaded bytes (the name decides nothing but the shown text and the format)
    assert len(_hits(dom)) >= 3
    status, doc = api(server.url, [("../../etc/passwd.docx", FAULTY_DOCX.read_bytes())])
    assert doc["reports"][0]["path"] == "passwd.docx"


def test_cross_site_post_and_foreign_host_are_refused(server: Server) -> None:
    body_files = [("a.md", FAULTY_MD.read_bytes())]
    status, _, _ = upload(server.url + "/check", body_files, {"Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = upload(server.url + "/check", body_files, {"Origin": server.url})
    assert status == 200
    status, _, _ = get(server.url + "/", {"Host": "evil.example"})  # DNS rebinding
    assert status == 400


def test_history_lists_checks_and_shows_what_a_reupload_fixed(tmp_path: Path) -> None:
    draft = FAULTY_MD.read_text(encoding="utf-8")
    fixed = draft.replace("| 行政强制 |  |", "| 行政强制 | 0 |", 1)
    assert fixed != draft
    with running_server(tmp_path, "--workers", "1") as s:
        status, _, first = upload(s.url + "/check", [("初稿.md", draft.encode("utf-8"))])
        assert status == 200 and not _dom(first).find_class("changes")
        status, _, second = upload(s.url + "/check", [("修改稿.md", fixed.encode("utf-8"))])
        dom = _dom(second)
        changes = dom.find_class("changes")[0].text_content()
        assert "已修正 1 个问题" in changes and "新出现 0 个" in changes and "仍未修正 3 个" in changes
        assert next(li.text_content() for li in dom.find_class("fixed-item")).startswith("V103")
        # the upload page lists both checks; an earlier one reopens with its findings
        index = _dom(get(s.url + "/")[2])
        links = [a.get("href") for a in index.xpath("//section[@class='recent']//a")]
        assert len(links) == 2
        fixed = [td.text_content() for td in index.xpath("//section[@class='recent']//td[@class='fixed-count']")]
        assert fixed == ["已修正 1 个", ""]  # newest first
        status, _, reopened = get(s.url + links[1])
        assert status == 200 and "初稿.md" in reopened.decode("utf-8") and len(_hits(_dom(reopened))) >= 2
        assert get(s.url + "/checks/no-such-check")[0] == 404
    assert (tmp_path / "history.sqlite3").stat().st_size > 0
    # the history outlives the server
    with running_server(tmp_path, "--workers", "1") as s:
        index = _dom(get(s.url + "/")[2])
        assert len(index.xpath("//section[@class='recent']//a")) == 2


def test_no_history_keeps_nothing_on_disk(tmp_path: Path) -> None:
    with running_server(tmp_path, "--workers", "1", history=False) as s:
        status, _, body = upload(s.url + "/check", [(FAULTY_DOCX.name, FAULTY_DOCX.read_bytes())])
        assert status == 200
        annotated = _dom(body).find_class("annotated")[0].get("href")
        assert get(s.url + annotated)[0] == 200  # the downloads work for the session
        assert "检查历史已关闭" in get(s.url + "/")[2].decode("utf-8")
    assert not (tmp_path / "history.sqlite3").exists()


def test_non_loopback_host_without_token_refuses_to_start(tmp_path: Path) -> None:
    port = free_port()
    env_history = {"XXGK_SERVE_HISTORY": str(tmp_path / "h.sqlite3")}
    done = subprocess.run(
        serve_command("--host", "0.0.0.0", "--port", str(port)),
        capture_output=True, cwd=ROOT, timeout=60, env={**os.environ, **env_history}, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    err = done.stderr.decode("utf-8")
    assert "--token" in err and "Traceback" not in err
    with pytest.raises(OSError):
        get(f"http://127.0.0.1:{port}/healthz")


def test_token_guards_every_page_but_healthz(tmp_path: Path) -> None:
    with running_server(tmp_path, "--token", "s3cret-口令".encode().hex(), "--workers", "1") as s:
        token = "s3cret-口令".encode().hex()
        assert get(s.url + "/healthz")[0] == 200
        status, _, body = get(s.url + "/")
        assert status == 401 and "口令" in body.decode("utf-8")
        assert get(s.url + "/static/serve.css")[0] == 200  # the page asking for the token is styled
        assert get(s.url + "/template/2021.md")[0] == 401
        assert get(s.url + "/checks/anything/page.html")[0] == 401
        assert upload(s.url + "/api/check", [("a.md", FAULTY_MD.read_bytes())])[0] == 401
        assert get(s.url + "/?token=wrong")[0] == 401
        status, _, body = upload(
            s.url + "/api/check", [("a.md", FAULTY_MD.read_bytes())], {"Authorization": f"Bearer {token}"}
        )
        assert status == 200 and json.loads(body)["summary"]["files"] == 1
        # the printed URL sets a cookie and leaves the token out of the address bar
        status, url, body = _open_like_a_browser(f"{s.url}/?token={token}")
        assert status == 200 and url == s.url + "/" and "上传" in body


def _open_like_a_browser(url: str) -> tuple[int, str, str]:
    """GET ``url`` following redirects with cookies kept, as a browser does."""
    import http.cookiejar
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url, timeout=30) as response:
        return response.status, response.url, response.read().decode("utf-8")


def test_generated_token_is_printed_with_the_url(tmp_path: Path) -> None:
    with running_server(tmp_path, "--token", "auto", "--workers", "1") as s:
        printed = re.search(r"\?token=([A-Za-z0-9_-]+)", s.output())
        assert printed, s.output()
        assert get(s.url + "/")[0] == 401
        assert _open_like_a_browser(f"{s.url}/?token={printed[1]}")[0] == 200
        assert get(f"{s.url}/?token=not-{printed[1]}")[0] == 401


def test_version_does_not_import_the_web_stack() -> None:
    code = "import sys; from checker.cli import main\ntry:\n main(['--version'])\nexcept SystemExit: pass\n"
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'python_multipart')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = subprocess.run(
            serve_command("--port", str(port), "--no-history"), capture_output=True, cwd=ROOT, timeout=60, check=False
        )
    assert done.returncode == 2
    err = done.stderr.decode("utf-8").strip()
    assert "端口已被其他程序占用" in err and len(err.splitlines()) == 1


CORPUS = SHARED_CORPUS / "real"


def test_real_reports_get_the_same_findings_as_the_command_line(server: Server) -> None:
    """Real published reports of every format the corpus holds, uploaded together: each gets exactly the findings
    ``xxgk check --format json`` gives for the same file."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".pdf", ".html", ".htm", ".md", ".docx"))
    files += sorted(p for p in CORPUS.rglob("*.txt"))[:3]
    if not files:
        pytest.skip("the shared corpus is not here")
    status, doc = api(server.url, [(p.name, p.read_bytes()) for p in files])
    assert status == 200
    cli = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--format", "json", *map(str, files)],
        capture_output=True, cwd=ROOT, check=False,
    )  # fmt: skip
    expected = json.loads(cli.stdout)["reports"]
    assert len(doc["reports"]) == len(expected) == len(files)
    for got, want in zip(doc["reports"], expected, strict=True):
        assert got["path"] == Path(want["path"]).name
        assert (got["edition"], got["year"], got["agency"]) == (want["edition"], want["year"], want["agency"])
        assert got["findings"] == want["findings"], got["path"]
