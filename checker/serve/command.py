"""``xxgk serve``: the click command. Registered in checker/cli.py with ``main.add_command(serve)``; Starlette,
uvicorn and the checks are imported only when the command runs (``xxgk --version`` stays fast)."""

from __future__ import annotations

import os

import click

from ..readers.ocr import MODES as OCR_MODES
from ..readers.ocr import OPTION_HELP as OCR_HELP

EXTRA_HINT = "pip install 'xxgk[serve]'（在源码目录中：pip install '.[serve]'）"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址；默认只有本机可以访问，0.0.0.0 让办公室局域网访问（须同时设 --token）")  # fmt: skip
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="监听的端口")
@click.option("--open", "open_browser", is_flag=True, help="启动后在浏览器中打开页面")
@click.option("--token", metavar="口令",
              help="访问口令（非本机地址时必须设置；写 auto 自动生成一个并打印带口令的网址）")  # fmt: skip
@click.option("--no-history", is_flag=True, help="不保存检查历史（结果只在内存中保留最近几次，停止服务即清空）")
@click.option("--history-db", type=click.Path(dir_okay=False), envvar="XXGK_SERVE_HISTORY",
              help="检查历史的 SQLite 文件（默认在用户数据目录中；也可用环境变量 XXGK_SERVE_HISTORY）")  # fmt: skip
@click.option("--max-size", type=click.IntRange(min=1), default=50, show_default=True, metavar="MB",
              help="每个上传文件的大小上限（MB），超过即拒绝（413）")  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="检查文件的工作进程数（默认：CPU 数，最多 4）")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0), default=120.0, show_default=True,
              help="每个文件最多检查的秒数，超时即中止并报告 P001（0 表示不限；与 batch 相同）")  # fmt: skip
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(), help="额外的规则文件（YAML，可重复）")
@click.option("--config", "config_file", type=click.Path(),
              help="使用这个配置文件（xxgk.toml，或含 [tool.xxgk] 的 pyproject.toml），不再向上查找")  # fmt: skip
@click.option("--ocr", type=click.Choice(OCR_MODES), default="auto", show_default=True,
              help=OCR_HELP + "（在工作进程中识别，受 --timeout 限制）")  # fmt: skip
def serve(
    host: str,
    port: int,
    open_browser: bool,
    token: str | None,
    no_history: bool,
    history_db: str | None,
    max_size: int,
    workers: int | None,
    timeout: float,
    extra_rules: tuple[str, ...],
    config_file: str | None,
    ocr: str = "auto",
) -> None:
    """在本机运行一个检查网页：上传报告，查看检查结果，下载带批注的 Word 副本。文件不离开本机。

    默认只允许本机访问（127.0.0.1）。在办公室局域网中使用：--host 0.0.0.0 --token auto。
    """
    from ..commands import Failure

    _require_extra()
    import uvicorn

    from .app import Config, create_app, generated_token, is_loopback

    loopback = is_loopback(host)
    if token == "auto":
        token = generated_token()
    _check_address(host, port, token, loopback)
    settings = _settings(config_file, extra_rules, ocr)
    history = None if no_history else _history_path(history_db)
    config = Config(
        host=host,
        port=port,
        token=token,
        max_bytes=max_size * 1024 * 1024,
        workers=workers or max(1, min(4, os.cpu_count() or 1)),
        timeout=timeout or None,
        history=history,
        settings=settings,
    )
    address = _announce(host, port, token, loopback, history)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.5, webbrowser.open, args=(address,)).start()
    server = uvicorn.Server(uvicorn.Config(create_app(config), host=host, port=port, log_level="warning"))
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind; say why in one line
        if server.started:
            raise
    if not server.started:
        raise Failure(f"无法在 {host}:{port} 上启动服务（端口可能已被占用，可用 --port 换一个端口）")


def _check_address(host: str, port: int, token: str | None, loopback: bool) -> None:
    """Off loopback a token is required; an address that cannot be bound is said before the URL is printed."""
    from ..commands import Failure

    if not loopback and not token:
        raise Failure(
            f"在 {host} 上提供服务，局域网中的其他计算机都能访问：必须设置访问口令，"
            "加 --token 口令，或 --token auto 自动生成一个"
        )
    problem = _bind_problem(host, port)
    if problem:
        raise Failure(f"无法在 {host}:{port} 上启动服务：{problem}（可用 --port 换一个端口）")


def _require_extra() -> None:
    """The serve extra's packages, or one line naming the pip command."""
    from ..commands import Failure

    try:
        import platformdirs  # noqa: F401
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise Failure(f"xxgk serve 需要额外的组件，请先安装：{EXTRA_HINT}") from None


def _announce(host: str, port: int, token: str | None, loopback: bool, history: object) -> str:
    """Tell where the page is (with the token), warn when it is open to the network; the address to open."""
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    if not loopback:
        click.echo(f"警告：服务监听在 {host}，局域网中知道口令的人都可以上传文件并查看本服务的检查历史。", err=True)
    address = f"{url}?token={token}" if token else url
    click.echo(f"xxgk serve：请在浏览器中打开 {address}（按 Ctrl+C 停止）")
    if host in ("0.0.0.0", "::"):
        click.echo("局域网中的其他计算机请用本机的局域网 IP 地址代替 127.0.0.1。")
    click.echo(f"检查历史：{history or '已关闭（--no-history）'}")
    return address


def _settings(config_file: str | None, extra_rules: tuple[str, ...], ocr: str = "auto"):  # type: ignore[no-untyped-def]
    """The rules, selection, edition and year of the nearest config, as ``check`` chooses them; a broken
    config or rules file stops the server before it starts (one line)."""
    from ..annotate.command import selected_rules
    from ..commands import load_settings
    from .worker import Settings

    settings = load_settings(config_file)
    rules, enabled = selected_rules(settings, extra_rules, None, None)
    edition = settings.get("edition")
    return Settings(
        rule_files=tuple(str(p) for p in (*settings.get("rules", []), *extra_rules)),
        enabled=frozenset(enabled) if enabled is not None and set(enabled) != set(rules) else None,
        edition=None if edition in (None, "auto") else edition,
        year=settings.get("year"),
        ocr=ocr,
    )


def _history_path(path: str | None) -> str:
    from ..commands import Failure
    from .history import HistoryError, SQLiteStore, default_path

    path = path or default_path()
    try:
        store = SQLiteStore(path)  # created now, so that a folder that cannot be written is said before serving
    except HistoryError as exc:
        raise Failure(str(exc)) from None
    if store.moved_aside:
        click.echo(f"历史记录文件已损坏，已改名为 {store.moved_aside}，重新开始记录。", err=True)
    return path


def _bind_problem(host: str, port: int) -> str | None:
    """Why the address cannot be bound (in use, not this machine's), said before the server prints its URL."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # as uvicorn binds (on Windows the option would let two servers share the port)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            import errno

            from ..oserror import describe

            reasons = {
                errno.EADDRINUSE: "端口已被其他程序占用",
                errno.EADDRNOTAVAIL: "这个地址不属于本机",
                errno.EACCES: "没有权限使用这个端口",
            }
            return reasons.get(exc.errno or 0) or describe(exc)
    return None
