"""``xxgk annotate DRAFT.docx [-o OUT.docx]``: the command object; the work is imported when it runs, so that
the CLI starts fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..commands import CONFIG_HELP, rule_options
from ..readers.ocr import MODES as OCR_MODES
from ..readers.ocr import OPTION_HELP as OCR_HELP

SUFFIX = ".审阅"  # DRAFT.docx -> DRAFT.审阅.docx


def default_output(path: str) -> str:
    """``DRAFT.审阅.docx`` beside the draft (a .doc/.wps draft gets a .docx copy: comments need DOCX)."""
    p = Path(path)
    return str(p.with_name(p.stem + SUFFIX + ".docx"))


# The options ``check`` has too, from checker/commands.py (not cli: cli imports this module while it loads).
@click.command()
@click.argument("path", metavar="DRAFT.docx", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(), help="批注后的副本（默认：草稿旁的 原文件名.审阅.docx）")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它")
@rule_options
@click.option("--config", "config_file", type=click.Path(), help=CONFIG_HELP)
@click.option("--ocr", type=click.Choice(OCR_MODES), default="auto", show_default=True, help=OCR_HELP)
def annotate(
    path: str,
    output: str | None,
    force: bool,
    select: str | None,
    ignore: str | None,
    extra_rules: tuple[str, ...],
    edition: str | None,
    year: int | None,
    fail_on: str | None,
    config_file: str | None,
    ocr: str = "auto",
) -> None:
    """把检查结果写成 Word 批注：生成草稿的副本，每个问题批注在出错的单元格或标题上（原文件不变）。

    退出码与 check 相同：0 无达到 --fail-on 的问题；1 有；2 文件无法读取或用法错误。
    """
    from ..commands import load_settings as _settings
    from .core import NotAnnotatable, annotate_file

    settings = _settings(config_file)
    edition = edition or settings.get("edition") or "auto"
    year = year or settings.get("year")
    fail_on = fail_on or settings.get("fail_on") or "error"
    rules, enabled = selected_rules(settings, extra_rules, select, ignore)
    if not os.path.isfile(path):
        from ..commands import Failure

        raise Failure(f"文件不存在：{path}")
    out = output or default_output(path)
    _check_output(path, out, force)
    try:
        result = annotate_file(path, rules, enabled, None if edition == "auto" else edition, year, ocr=ocr)
    except NotAnnotatable as exc:
        click.echo(f"{path}: {exc}", err=True)
        sys.exit(2)
    if result.data is None:
        problem = result.report.problems[0]
        click.echo(f"{path}: {problem.rule} {problem.message}", err=True)
        sys.exit(2)
    try:
        _write_atomically(out, result.data)
    except OSError as exc:
        click.echo(f"{out}: 无法写入批注后的副本：{exc.strerror or exc}", err=True)
        sys.exit(2)
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    summary = f"，其中 {result.summarised} 个问题汇总在标题的批注中" if result.summarised else ""
    click.echo(
        f"已写入 {out}：{result.comments} 条批注（错误 {counts['error']}，警告 {counts['warning']}，"
        f"提示 {counts['info']}）{summary}"
    )
    from ..commands import FAIL_LEVELS
    from ..findings import SEVERITY_ORDER

    threshold = FAIL_LEVELS[fail_on]
    sys.exit(1 if any(SEVERITY_ORDER.get(f.severity, 0) >= threshold for f in result.findings) else 0)


def selected_rules(settings: dict, extra_rules: tuple[str, ...], select: str | None, ignore: str | None):  # type: ignore[no-untyped-def]
    """The rules and the enabled ids, chosen exactly as ``check`` chooses them."""
    from ..commands import load_rules_or_fail as _load_rules
    from ..commands import split_ids as _ids
    from ..config import select_rules, unknown_selectors

    rules = _load_rules(settings, extra_rules)
    selected = _ids(select) if select else settings.get("select")
    ignored = _ids(ignore) if ignore else settings.get("ignore") or []
    bad = unknown_selectors(set(rules), [*(selected or []), *ignored])
    if bad:
        raise click.UsageError(f"未知的规则编号：{'、'.join(bad)}（用 xxgk rules 查看全部规则）")
    return rules, select_rules(set(rules), selected or None, ignored)


def _check_output(path: str, out: str, force: bool) -> None:
    if not out.lower().endswith(".docx"):
        raise click.UsageError(f"批注后的副本是 Word 文档，输出文件名应以 .docx 结尾：{out}")
    if os.path.exists(out) and os.path.samefile(path, out):
        raise click.UsageError("输出文件不能是原文件：annotate 从不改动原稿，请用 -o 指定另一个文件名")
    if os.path.isdir(out):
        raise click.UsageError(f"输出路径是一个文件夹：{out}")
    if os.path.exists(out) and not force:
        from ..commands import Failure

        raise Failure(f"输出文件已存在：{out}（确认要覆盖请加 --force）")


def _write_atomically(out: str, data: bytes) -> None:
    """Write beside the target and rename, so that an interrupted run never leaves half a .docx behind."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".xxgk-", suffix=".docx.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
