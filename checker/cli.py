"""Command line: ``xxgk check | extract | rules | explain``. Imports are lazy so that the CLI starts fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

import click

from . import __version__


def iter_paths(paths: Iterable[str]) -> list[str]:
    """Files as given, and every report file under a folder (sorted, so output is stable)."""
    from .readers import is_report_file

    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if is_report_file(full) and not name.startswith("."):
                        out.append(full)
        else:
            out.append(path)
    return out


def _unreadable_line(report) -> str:  # type: ignore[no-untyped-def]
    problem = report.problems[0]
    return f"{report.path}: {problem.rule} {problem.message}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xxgk")
def main() -> None:
    """xxgk：政府信息公开工作年度报告合规检查工具。"""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="写入文件而不是标准输出")
@click.option("--edition", type=click.Choice(["auto", "2019", "2021"]), default="auto", show_default=True)
@click.option("--year", type=int, help="文档中没有写明时使用的报告年度")
def extract(paths: tuple[str, ...], fmt: str, output: str | None, edition: str, year: int | None) -> None:
    """读取报告，输出以规范键表示的表格（json，或 csv 每份报告一行）。"""
    from .extract import extract_path
    from .findings import from_problem
    from .output import csv_document, json_document

    files = iter_paths(paths)
    if not files:
        raise click.UsageError("没有找到可检查的报告文件")
    reports = [extract_path(f, edition=None if edition == "auto" else edition, year=year) for f in files]
    for report in reports:
        if not report.readable:
            click.echo(_unreadable_line(report), err=True)
    if fmt == "csv":
        text = csv_document(reports)
    else:
        text = json_document([(r, [from_problem(p) for p in r.problems]) for r in reports], with_tables=True)
    _write(text, output)
    sys.exit(2 if any(not r.readable for r in reports) else 0)


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text)


if __name__ == "__main__":  # pragma: no cover
    main()
