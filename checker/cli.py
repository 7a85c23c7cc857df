"""Command line: ``xxgk check | extract | rules | explain | template``. Imports are lazy so that the CLI starts fast."""

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


from .batch.command import batch  # noqa: E402 - the command object; its work is imported lazily

main.add_command(batch)


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


FAIL_LEVELS = {"error": 3, "warning": 2, "info": 1, "never": 99}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "sarif", "github", "junit"]),
    default=None,
    help="输出格式（默认 text；在 GitHub Actions 中默认 github）",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="写入文件而不是标准输出")
@click.option("--select", help="只启用这些规则（逗号分隔，可用前缀，如 A,S1）")
@click.option("--ignore", help="不启用这些规则（逗号分隔，可用前缀）")
@click.option(
    "--rules", "extra_rules", multiple=True, type=click.Path(exists=True, dir_okay=False), help="额外的规则文件"
)
@click.option("--edition", type=click.Choice(["auto", "2019", "2021"]), default=None)
@click.option("--year", type=int, help="文档中没有写明时使用的报告年度")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None)
@click.option("--with-tables", is_flag=True, help="JSON 输出中包含读取到的表格")
@click.option("--baseline", type=click.Path(dir_okay=False), help="只报告基线文件中没有的问题")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="把当前所有问题写入基线文件")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="配置文件")
def check(
    paths: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    select: str | None,
    ignore: str | None,
    extra_rules: tuple[str, ...],
    edition: str | None,
    year: int | None,
    fail_on: str | None,
    with_tables: bool,
    baseline: str | None,
    write_baseline: str | None,
    config_file: str | None,
) -> None:
    """检查报告并列出问题。退出码：0 无达到 --fail-on 的问题；1 有；2 有文件无法读取或用法错误。"""
    from pathlib import Path

    from .config import ConfigError, load_config, select_rules, unknown_selectors
    from .engine import RuleError, check_report, load_rules
    from .extract import extract_path

    try:
        settings, _found = load_config(Path(config_file).resolve().parent if config_file else Path.cwd())
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    fmt = fmt or settings.get("format") or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    edition = edition or settings.get("edition") or "auto"
    year = year or settings.get("year")
    fail_on = fail_on or settings.get("fail_on") or "error"
    baseline = baseline or settings.get("baseline")
    try:
        rules = load_rules([*settings.get("rules", []), *extra_rules])
    except RuleError as exc:
        raise click.UsageError(str(exc)) from None
    selected = _ids(select) if select else settings.get("select")
    ignored = _ids(ignore) if ignore else settings.get("ignore") or []
    bad = unknown_selectors(set(rules), [*(selected or []), *ignored])
    if bad:
        raise click.UsageError(f"未知的规则编号：{'、'.join(bad)}（用 xxgk rules 查看全部规则）")
    enabled = select_rules(set(rules), selected or None, ignored)
    files = iter_paths(paths)
    if not files:
        raise click.UsageError("没有找到可检查的报告文件")
    results = []
    for path in files:
        report = extract_path(path, edition=None if edition == "auto" else edition, year=year)
        if not report.readable:
            click.echo(_unreadable_line(report), err=True)
        results.append((report, check_report(report, rules, enabled)))
    from .baseline import BaselineError

    try:
        if write_baseline:
            from .baseline import write_baseline as write

            write(write_baseline, results)
        if baseline:
            from .baseline import apply_baseline, load_baseline

            results = apply_baseline(results, load_baseline(baseline))
    except BaselineError as exc:
        raise click.UsageError(str(exc)) from None
    _write(_render(fmt, results, rules, with_tables, output), output)
    if any(not r.readable for r, _ in results):
        sys.exit(2)
    threshold = FAIL_LEVELS[fail_on]
    from .findings import SEVERITY_ORDER

    failing = any(SEVERITY_ORDER.get(f.severity, 0) >= threshold for _, fs in results for f in fs)
    sys.exit(1 if failing else 0)


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _render(fmt: str, results, rules, with_tables: bool, output: str | None) -> str:  # type: ignore[no-untyped-def]
    if fmt == "json":
        from .output import json_document

        return json_document(results, with_tables=with_tables)
    from .formats import FORMATTERS

    color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return FORMATTERS[fmt](results, rules, color=color)


@main.command("rules")
def list_rules() -> None:
    """列出所有规则：编号、级别、标题。"""
    from .engine import load_rules

    for rule in sorted(load_rules().values(), key=lambda r: r.id):
        click.echo(f"{rule.id}  {rule.severity:<7}  {rule.name:<26} {rule.title}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """说明一条规则：检查什么、依据、不通过和通过的示例。"""
    import yaml

    from .engine import check_report, load_rules, report_from_example

    rules = load_rules()
    rule = rules.get(rule_id.upper())
    if rule is None:
        raise click.UsageError(f"没有规则 {rule_id}（用 xxgk rules 查看全部规则）")
    click.echo(f"{rule.id} {rule.name}：{rule.title}（{rule.severity}）")
    if rule.is_expr:
        click.echo(f"\n检查：{rule.check['expr']}（{'每一列' if rule.for_each == 'column' else '每一行'}）")
    if rule.rationale:
        click.echo(f"\n说明：{rule.rationale}")
    click.echo(f"\n依据：{rule.basis}")
    if rule.fix:
        click.echo(f"修改建议：{rule.fix}")
    for kind, heading in (("fail", "不通过的示例"), ("pass", "通过的示例")):
        for example in rule.examples.get(kind, []):
            shown = {k: v for k, v in example.items() if k != "expect"}
            click.echo(f"\n{heading}：")
            click.echo(yaml.safe_dump(shown, allow_unicode=True, sort_keys=False).rstrip())
            found = [f for f in check_report(report_from_example(example), rules, {rule.id}) if f.rule == rule.id]
            for f in found:
                click.echo(f"  → {f.rule} {f.message}")


TEMPLATE_AGENCY = "XX县人民政府"
# The report year a blank template of each edition is dated (the first year drafted in it, published a year later).
TEMPLATE_YEARS = {"2019": 2020, "2021": 2022}
# What to write in each section, in the template's own terms (template.md §4.4; Art. 50 of the 条例).
TEMPLATE_PARAGRAPHS = {
    "一": [
        "（文字描述，概述本年度贯彻落实《条例》、推进政府信息公开工作的总体情况，主要包括主动公开、依申请公开、"
        "政府信息管理、政府信息公开平台建设、监督保障等方面。各级人民政府还应在监督保障部分报告"
        "政府信息公开工作考核、社会评议和责任追究结果情况。）"
    ],
    "二": ["（填写下表。每一格都填数字，没有的填 0，不要留空。）"],
    "三": [
        "（填写下表。每一列：第一项加第二项之和，等于第三项加第四项之和；“（七）总计”等于本年度各项办理结果之和。）"
    ],
    "四": ["（填写下表。每一组的“总计”等于结果维持、结果纠正、其他结果、尚未审结之和。）"],
    "五": ["（文字描述，说明本年度政府信息公开工作存在的主要问题及改进情况，以及上一年度报告所列问题的改进情况。）"],
    "六": ["（文字描述，收取信息处理费情况在此处报告。还应报告其他需要报告的事项；没有的写明“无”。）"],
}


def template_data(edition: str, values=None, agency: str | None = None, year: int | None = None):  # type: ignore[no-untyped-def]
    """The blank report of ``xxgk template``: every cell blank (or ``values``), placeholder narrative."""
    from .writers import ReportData

    return ReportData(
        edition=edition,  # type: ignore[arg-type]
        year=year or TEMPLATE_YEARS[edition],
        agency=agency or TEMPLATE_AGENCY,
        values=dict(values or {}),
        paragraphs=TEMPLATE_PARAGRAPHS,
    )


@main.command("template")
@click.option("--edition", type=click.Choice(["2019", "2021"]), default="2021", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["docx", "html", "md"]), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="写入文件（docx 不写到终端，须用 -o 指定文件）")
@click.option("--agency", help=f"机关名称（默认 {TEMPLATE_AGENCY}）")
@click.option("--year", type=int, help="报告年度（默认 2021 版为 2022，2019 版为 2020）")
def template(edition: str, fmt: str, output: str | None, agency: str | None, year: int | None) -> None:
    """输出一份空白的年度报告模板（六个部分、三张表格、全部标签与合并单元格），供起草使用。"""
    from .writers import render

    data = render(template_data(edition, agency=agency, year=year), fmt)
    if output:
        with open(output, "wb") as fh:
            fh.write(data)
        return
    if fmt == "docx":
        if _stdout_is_terminal():
            raise click.UsageError(
                "docx 是二进制文件，不能显示在终端上：请用 -o 指定输出文件，例如 -o 年度报告模板.docx"
            )
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    click.echo(data.decode("utf-8"), nl=False)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text)


if __name__ == "__main__":  # pragma: no cover
    main()
