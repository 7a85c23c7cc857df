"""The web application of ``xxgk serve`` (Starlette): the upload page, the findings page, the JSON API.

Routes:

* ``GET /``: the upload form, the blank templates, the recent checks;
* ``POST /check``: the findings page for the uploaded files (multipart field ``file``, several allowed);
* ``POST /api/check``: the contract's JSON for the same upload (``?with_tables=1``: with the tables read);
* ``GET /checks/{id}``: a check reopened from the history; ``/checks/{id}/page.html`` the self-contained
  findings page to download, ``/checks/{id}/files/{n}/annotated.docx`` a Word file's annotated copy;
* ``GET /template/{edition}.{format}``: the blank template of ``xxgk template``;
* ``GET /healthz``.

Every response carries a Content-Security-Policy that allows only this server's own CSS and script; nothing is
fetched from anywhere else. Uploads go to a private temporary folder that is removed when the response is
ready; the reports are read in worker processes (``worker.WorkerPool``).
"""

from __future__ import annotations

import hmac
import secrets
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from . import history as hist
from .uploads import UploadError, receive
from .worker import Job, Outcome, Settings, WorkerPool

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
TOKEN_COOKIE = "xxgk_token"
STATIC = {  # name -> (file under templates/, media type)
    "findings.css": ("_findings.css", "text/css; charset=utf-8"),
    "serve.css": ("serve/serve.css", "text/css; charset=utf-8"),
    "upload.js": ("serve/upload.js", "text/javascript; charset=utf-8"),
}
TEMPLATE_EDITIONS = ("2021", "2019")
TEMPLATE_FORMATS = {  # format -> (media type, how the page names it)
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word（.docx）"),
    "html": ("text/html; charset=utf-8", "网页（.html）"),
    "md": ("text/markdown; charset=utf-8", "Markdown（.md）"),
}
EDITION_NAMES = {
    "2021": "2021年版（现行，国办公开办函〔2021〕30号）",
    "2019": "2019年试行版（国办公开办函〔2019〕60号）",
}
RECENT = 20


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    max_bytes: int = 50 * 1024 * 1024
    max_files: int = 20
    workers: int = 2
    timeout: float | None = 120.0
    history: str | None = None  # the SQLite file; None: memory only
    settings: Settings = field(default_factory=Settings)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- pages ------------------------------------------------------------------------------------------------------


def _page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    from ..templating import environment

    html = environment().get_template(f"serve/{name}").render(version=__version__, **values)
    return HTMLResponse(html, status_code=status)


def message_page(title: str, message: str, status: int) -> HTMLResponse:
    return _page("message.html.j2", status, title=title, message=message)


# -- the application ---------------------------------------------------------------------------------------------


# Long by design: each route is a small closure over this application's config and state (the history store,
# the worker pool), which is what lets two applications (tests, two ports) live side by side in one process.
def create_app(config: Config) -> ASGIApp:
    """The ASGI application: the routes behind the guard (token, host and origin checks, security headers)."""
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import anyio

        state["store"] = hist.open_store(config.history)
        state["pool"] = WorkerPool(config.workers, config.timeout, config.settings)
        # Threads waiting for a worker have their own allowance: a queue of uploads never takes the threads
        # that the pages and the history use (Starlette's default pool).
        state["waiting"] = anyio.CapacityLimiter(256)
        try:
            yield
        finally:
            state["pool"].close()

    async def index(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        store: hist.Store = state["store"]
        recent = await run_in_threadpool(store.recent, RECENT)
        templates = [
            {"edition": e, "name": EDITION_NAMES[e], "formats": [(f, TEMPLATE_FORMATS[f][1]) for f in TEMPLATE_FORMATS]}
            for e in TEMPLATE_EDITIONS
        ]
        return _page(
            "index.html.j2",
            recent=[_summary(c) for c in recent],
            persistent=store.persistent,
            templates=templates,
            max_mb=config.max_bytes // 1024 // 1024,
            max_bytes=config.max_bytes,
            max_files=config.max_files,
        )

    async def check_page(request: Request) -> Response:
        got = await _check(request)
        if isinstance(got, UploadError):
            return message_page("无法检查", str(got), got.status)
        return _result(got[0])

    async def check_api(request: Request) -> Response:
        got = await _check(request)
        if isinstance(got, UploadError):
            return JSONResponse({"error": str(got)}, status_code=got.status)
        document = got[1]
        if request.query_params.get("with_tables") not in ("1", "true", "yes"):  # as check's --with-tables
            document["reports"] = [{k: v for k, v in r.items() if k != "tables"} for r in document["reports"]]
        return JSONResponse(document)

    async def _check(request: Request) -> tuple[hist.StoredCheck, dict[str, Any]] | UploadError:
        import anyio
        from starlette.concurrency import run_in_threadpool

        folder = tempfile.mkdtemp(prefix="xxgk-serve-")  # private: mode 0700 where the system has modes
        try:
            try:
                uploads = await receive(
                    request.headers.get("content-type", ""),
                    request.headers.get("content-length"),
                    request.stream(),
                    folder,
                    config.max_bytes,
                    config.max_files,
                )
            except UploadError as exc:
                return exc
            outcomes: list[Outcome | None] = [None] * len(uploads)
            pool: WorkerPool = state["pool"]

            async def one(i: int) -> None:
                job = Job(uploads[i].path, uploads[i].name, i + 1)
                outcomes[i] = await anyio.to_thread.run_sync(pool.run, job, limiter=state["waiting"])

            async with anyio.create_task_group() as group:
                for i in range(len(uploads)):
                    group.start_soon(one, i)
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # the uploads never outlive the response
        done = [o for o in outcomes if o is not None]
        check, document = await run_in_threadpool(_stored, done, [u.sha256 for u in uploads])  # pages rendered
        await run_in_threadpool(_remember, state["store"], check)
        return check, document

    async def reopen(request: Request) -> Response:
        check = await _stored_check(request)
        return message_page("找不到这次检查", _GONE, 404) if check is None else _result(check)

    async def download_page(request: Request) -> Response:
        check = await _stored_check(request)
        if check is None:
            return message_page("找不到这次检查", _GONE, 404)
        name = f"检查结果-{time.strftime('%Y%m%d-%H%M', time.localtime(check.created))}.html"
        return Response(check.page, media_type="text/html; charset=utf-8", headers=_attachment(name))

    async def download_annotated(request: Request) -> Response:
        check = await _stored_check(request)
        number = request.path_params["number"]
        file = next((f for f in check.files if f.number == number), None) if check else None
        if file is None or file.annotated is None:
            return message_page("没有批注副本", "这份文件没有批注后的 Word 副本（只有 Word 文档可以添加批注）。", 404)
        from ..annotate.command import default_output

        return Response(file.annotated, media_type=TEMPLATE_FORMATS["docx"][0],
                        headers=_attachment(default_output(file.name)))  # fmt: skip

    async def _stored_check(request: Request) -> hist.StoredCheck | None:
        from starlette.concurrency import run_in_threadpool

        check_id = request.path_params["check_id"]
        if not check_id.replace("-", "").replace("_", "").isalnum() or len(check_id) > 64:
            return None
        return await run_in_threadpool(state["store"].get, check_id)

    async def template(request: Request) -> Response:
        edition, fmt = request.path_params["edition"], request.path_params["fmt"]
        if edition not in TEMPLATE_EDITIONS or fmt not in TEMPLATE_FORMATS:
            return message_page("没有这个模板", "模板只有 2021 和 2019 两个版本，格式为 docx、html 或 md。", 404)
        from starlette.concurrency import run_in_threadpool

        data = await run_in_threadpool(_template_bytes, edition, fmt)
        return Response(data, media_type=TEMPLATE_FORMATS[fmt][0],
                        headers=_attachment(f"政府信息公开工作年度报告模板-{edition}.{fmt}"))  # fmt: skip

    async def static(request: Request) -> Response:
        entry = STATIC.get(request.path_params["name"])
        if entry is None:
            return message_page("找不到页面", "没有这个文件。", 404)
        from ..resources import data_dir

        data = (data_dir("templates") / entry[0]).read_bytes()
        return Response(data, media_type=entry[1], headers={"Cache-Control": "no-cache"})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)  # no icon; answered so that the browser logs no error

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def not_found(request: Request, exc: Exception) -> Response:
        return message_page("找不到页面", "没有这个页面。请从首页上传文件。", 404)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return message_page("不支持的操作", "这个地址不支持这种请求方式。请从首页上传文件。", 405)

    async def server_error(request: Request, exc: Exception) -> Response:
        return message_page("出错了", "服务器处理时出错，请重试；如果反复出现，请把文件反馈给维护者。", 500)

    routes = [
        Route("/", index),
        Route("/check", check_page, methods=["POST"]),
        Route("/api/check", check_api, methods=["POST"]),
        Route("/checks/{check_id}", reopen),
        Route("/checks/{check_id}/page.html", download_page),
        Route("/checks/{check_id}/files/{number:int}/annotated.docx", download_annotated),
        Route("/template/{edition}.{fmt}", template),
        Route("/static/{name}", static),
        Route("/healthz", healthz),
        Route("/favicon.ico", favicon),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: not_allowed, 500: server_error},
    )
    return Guard(app, config)


_GONE = "这次检查的结果已不在服务器上（关闭历史记录时只保留最近的检查，服务器重启后清空）。请重新上传文件。"


def _summary(check: hist.StoredCheck) -> dict[str, Any]:
    return {
        "id": check.id,
        "when": hist.when(check.created),
        "names": [f.name for f in check.files],
        "agencies": sorted({f"{f.agency or ''}{f'{f.year}年度' if f.year else ''}" for f in check.files} - {""}),
        "counts": check.counts,
        # findings fixed since each report's previous version, when one of the files is a re-upload
        "fixed": sum(len(f.changes.get("fixed", ())) for f in check.files if f.changes)
        if any(f.changes and "fixed" in f.changes for f in check.files)
        else None,
    }


def _stored(outcomes: list[Outcome], hashes: list[str]) -> tuple[hist.StoredCheck, dict[str, Any]]:
    """The check as the history keeps it, and the contract's JSON document for the API."""
    from ..formats.html import render_views

    standalone = render_views([o.view for o in outcomes])  # the page of `check --format html`
    check = hist.StoredCheck(id=secrets.token_urlsafe(12), created=time.time(), page=standalone)
    for outcome, sha in zip(outcomes, hashes, strict=True):
        check.files.append(
            hist.StoredFile(
                number=outcome.index,
                name=outcome.name,
                key=hist.report_key(outcome.agency, outcome.year, outcome.name),
                sha256=sha,
                format=outcome.format,
                agency=outcome.agency,
                year=outcome.year,
                counts=outcome.counts,
                verdict=outcome.view.verdict,
                findings=outcome.findings,
                section=_section(outcome.view),
                annotated=outcome.annotated,
                note=outcome.annotate_note,
            )
        )
    reports = [o.report for o in outcomes]
    document = {
        "tool": {"name": "xxgk", "version": __version__},
        "reports": reports,
        "summary": {
            "files": len(reports),
            "errors": sum(o.counts["error"] for o in outcomes),
            "warnings": sum(o.counts["warning"] for o in outcomes),
            "infos": sum(o.counts["info"] for o in outcomes),
            "unreadable": sum(1 for o in outcomes if not o.readable),
            "not_fully_checked": sum(1 for o in outcomes if o.readable and not o.report["fully_checked"]),
        },
    }
    return check, document


def _section(view: Any) -> str:
    """The findings page's part for one report (the macro ``report`` of ``templates/_report.html.j2``)."""
    from ..templating import environment

    return str(environment().get_template("_report.html.j2").module.report(view))  # type: ignore[attr-defined]


def _remember(store: hist.Store, check: hist.StoredCheck) -> None:
    for f in check.files:
        f.changes = hist.compare(store, f, check.created)
    store.add(check)


def _result(check: hist.StoredCheck) -> HTMLResponse:
    from collections import Counter

    from markupsafe import Markup

    files = []
    for f in check.files:
        changes = dict(f.changes) if f.changes else None
        if changes:
            changes["when"] = hist.when(changes["since"])
        files.append({"file": f, "section": Markup(f.section), "changes": changes})  # rendered by us, escaped
    verdicts = Counter(f.verdict for f in check.files)
    return _page("result.html.j2", check=check, when=hist.when(check.created), files=files, verdicts=verdicts)


def _template_bytes(edition: str, fmt: str) -> bytes:
    from ..blank import template_data
    from ..writers import render

    return render(template_data(edition), fmt)


def _attachment(name: str) -> dict[str, str]:
    """A download named ``name``: RFC 6266/5987, with a plain ASCII fallback for old clients."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name)
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"}


# -- the guard ---------------------------------------------------------------------------------------------------


class Guard:
    """In front of every route: the access token (when the server has one), the Host header on a loopback
    server (a page elsewhere cannot reach it through DNS rebinding), the Origin of a POST (a page elsewhere
    cannot submit to it), and the security headers of every response."""

    # Open without the token: the health check, and the stylesheets and script (public code) so that the page
    # asking for the token is styled.
    OPEN = ("/healthz", "/favicon.ico", "/static/findings.css", "/static/serve.css", "/static/upload.js")

    def __init__(self, app: ASGIApp, config: Config) -> None:
        self.app = app
        self.config = config
        port = config.port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"} if is_loopback(config.host) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    # not no-referrer: with it a browser sends "Origin: null" on our own form's POST
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, secured)
            return
        token = self.config.token
        if token and request.query_params.get("token") and request.method == "GET":
            # The URL printed at start carries the token: keep it in a cookie and take it out of the address bar.
            response = RedirectResponse(request.url.remove_query_params("token").path or "/", status_code=303)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            await response(scope, receive, secured)
            return
        await self.app(scope, receive, secured)

    def _refusal(self, request: Request) -> Response | None:
        host = request.headers.get("host", "")
        if self.hosts is not None and host.lower() not in self.hosts:
            return message_page("拒绝访问", "这个服务只接受本机地址（127.0.0.1 或 localhost）的访问。", 400)
        origin = request.headers.get("origin")
        if request.method == "POST" and origin and origin != "null" and origin.split("://", 1)[-1] != host:
            return message_page("拒绝访问", "只能从本服务自己的页面提交文件。", 403)
        if request.method == "POST" and origin == "null":
            return message_page("拒绝访问", "只能从本服务自己的页面提交文件。", 403)
        if self.config.token and request.url.path not in self.OPEN and not self._has_token(request):
            if request.url.path.startswith("/api/"):
                return JSONResponse({"error": "需要访问口令（Authorization: Bearer 口令）"}, status_code=401)
            return message_page(
                "需要访问口令", "请用服务器启动时打印的完整网址（含 ?token=…）打开本页，或向管理员索取。", 401
            )
        return None

    def _has_token(self, request: Request) -> bool:
        token = self.config.token or ""
        offered = [
            request.cookies.get(TOKEN_COOKIE, ""),
            request.query_params.get("token", ""),
            request.headers.get("x-xxgk-token", ""),
        ]
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append(auth[7:].strip())
        return any(o and hmac.compare_digest(o.encode(), token.encode()) for o in offered)


def generated_token() -> str:
    return secrets.token_urlsafe(18)
