"""``xxgk batch PATH... --out DIR``: the click command. Registered in checker/cli.py with
``main.add_command(batch)``; everything heavy is imported inside the function so that the CLI starts fast."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..readers.ocr import OPTION_HELP

FAIL_LEVELS = {"error": 3, "warning": 2, "info": 1, "never": 99}
OCR_HELP = OPTION_HELP  # worded once for check, annotate, serve and batch


# Long by its options (one parameter each) and the help text users read; the work is run_batch.
@click.command("batch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="写入检查结果的文件夹")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="并行的工作进程数（默认：CPU 数）")
@click.option("--db", type=click.Path(dir_okay=False), help="存储库文件（默认：DIR/xxgk.db），用于续跑和跨年检查")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=120.0,
    show_default=True,
    help="每个文件最多检查的秒数，超时即中止并报告 P001（0 表示不限）",
)
@click.option("--ocr", type=click.Choice(["auto", "never"]), default="auto", show_default=True, help=OCR_HELP)
@click.option(
    "--ocr-timeout",
    type=click.FloatRange(min=0),
    default=900.0,
    show_default=True,
    help="扫描件做文字识别时每个文件最多用的秒数（代替 --timeout；每页约需 5 秒；0 表示不限）",
)
@click.option(
    "--agency-map",
    type=click.Path(exists=True, dir_okay=False),
    help="机关更名对照文件（YAML 或 CSV：旧名称 → 新名称）",
)
@click.option(
    "--rules", "extra_rules", multiple=True, type=click.Path(exists=True, dir_okay=False), help="额外的规则文件"
)
@click.option("--scheduler", help="在 Dask 集群上运行（调度器地址，如 tcp://10.0.0.5:8786；需安装 xxgk[dask]）")
@click.option("--letters", is_flag=True, help="为每个有问题的机关写一份整改通知（letters/*.docx 和 letters.zip）")
@click.option(
    "--letter-template",
    type=click.Path(exists=True, dir_okay=False),
    help="整改通知的模板（Jinja 文本，可复制 templates/letters/notice.docx.j2 修改）",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="never",
    show_default=True,
    help="有达到此级别的问题时退出码为 1",
)
def batch(
    paths: tuple[str, ...],
    out: str,
    jobs: int | None,
    db: str | None,
    timeout: float,
    ocr: str,
    ocr_timeout: float,
    agency_map: str | None,
    extra_rules: tuple[str, ...],
    scheduler: str | None,
    letters: bool,
    letter_template: str | None,
    fail_on: str,
) -> None:
    """批量检查：并行检查多份报告（可中断后续跑），做跨年度、跨报告的检查（X 类规则），
    在 DIR 中写出 index.html 汇总页、每份报告的检查结果页、findings.jsonl、summary.csv/.xlsx、
    tables.csv 和区域汇总表 aggregate.html/.json；--letters 另写各机关的整改通知。标准输出只打印最后一行 JSON 摘要。

    \b
    退出码：0 完成；1 有达到 --fail-on 级别的问题；2 用法错误、无法开始或无法写出结果（一行说明）；130 被中断。"""
    import json

    from . import BatchError, run_batch

    settings_rules = _config_rules()
    progress = _progress()
    try:
        result = run_batch(
            paths,
            out,
            jobs=jobs,
            db=db,
            timeout=timeout or None,
            ocr=ocr,
            ocr_timeout=ocr_timeout or None,
            agency_map=agency_map,
            extra_rules=[*settings_rules, *extra_rules],
            scheduler=scheduler,
            progress=progress,
            letters=letters or bool(letter_template),
            letter_template=letter_template,
        )
    except BatchError as exc:
        click.echo(f"xxgk batch: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        progress.close(interrupted=True)
        click.echo(
            f"\n已中断：已完成的结果都已保存，{out}/index.html 中是已完成的部分（标为未完成）；"
            "用同样的命令重新运行即可从中断处继续。",
            err=True,
        )
        sys.exit(130)
    click.echo(json.dumps(result.summary(), ensure_ascii=False))
    threshold = FAIL_LEVELS[fail_on]
    levels = {"error": 3, "warning": 2, "info": 1}
    worst = max(
        [levels[s] for s, n in (("error", result.errors), ("warning", result.warnings), ("info", result.infos)) if n]
        or [0]
    )
    sys.exit(1 if worst >= threshold else 0)


def _config_rules() -> list[str]:
    """Extra rule files named in ``[tool.xxgk]`` / ``xxgk.toml`` (as ``check`` uses them)."""
    from pathlib import Path

    try:
        from ..config import ConfigError, load_config
    except ImportError:  # pragma: no cover
        return []
    try:
        settings, _found = load_config(Path.cwd())
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    return [str(p) for p in settings.get("rules", [])]


class _Bar:
    """A tqdm progress bar on stderr (a terminal)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int, cached: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, file=sys.stderr, unit="份", desc="xxgk batch", dynamic_ncols=True)
        if cached:
            self.bar.update(0)
            self.bar.set_postfix_str(f"已存 {cached}")

    def advance(self, record: dict[str, Any], cached: bool) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def ocr(self, path: str) -> None:
        self.notice(ocr_line(path))

    def notice(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(f"xxgk batch: {text}", file=sys.stderr)  # above the bar; stdout is the JSON line only
        else:
            click.echo(f"xxgk batch: {text}", err=True)

    def close(self, interrupted: bool = False) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def finish(self, result: Any) -> None:
        click.echo(_final_line(result), err=True)


class _Lines:
    """Plain progress lines on stderr (not a terminal: CI logs, pipes)."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.closed = False

    def start(self, total: int, cached: int) -> None:
        self.total = total
        click.echo(f"xxgk batch: {total} 份报告，其中 {cached} 份未改动、沿用已存结果", err=True)

    def advance(self, record: dict[str, Any], cached: bool) -> None:
        self.done += 1
        if cached:
            return
        counts = {"error": 0, "warning": 0}
        for f in record.get("findings", []):
            if f.get("severity") in counts:
                counts[f["severity"]] += 1
        # cross-report findings (X rules) come once every file is in: the final line counts them
        click.echo(
            f"[{self.done}/{self.total}] {record['path']}: 本文件错误 {counts['error']}，警告 {counts['warning']}",
            err=True,
        )

    def notice(self, text: str) -> None:
        click.echo(f"xxgk batch: {text}", err=True)

    def ocr(self, path: str) -> None:
        self.notice(ocr_line(path))

    def close(self, interrupted: bool = False) -> None:
        if not interrupted and not self.closed:
            click.echo(f"xxgk batch: 检查完成（{self.done}/{self.total}），正在做跨报告检查并写出结果", err=True)
        self.closed = True

    def finish(self, result: Any) -> None:
        click.echo(_final_line(result), err=True)


def ocr_line(path: str) -> str:
    return f"正在文字识别：{path}（扫描件，每页约需 5 秒）"


def _final_line(result: Any) -> str:
    """The totals as the dashboard shows them (cross-report findings included)."""
    copies = f"，重复文件 {result.duplicates} 份不计入统计" if result.duplicates else ""
    scans = f"，{result.ocr} 份扫描件经文字识别读取" if getattr(result, "ocr", 0) else ""
    return (
        f"xxgk batch: 已写出 {result.out}/index.html：{result.files} 份，错误 {result.errors}，警告 {result.warnings}"
        f"（其中跨报告 {result.cross}）{copies}{scans}"
    )


def _progress() -> Any:
    return _Bar() if sys.stderr.isatty() else _Lines()
