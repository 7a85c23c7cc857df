"""Command line: ``xxgk check | extract | rules | explain | template``. Imports are lazy so that the CLI starts fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import ClassVar

import click

from . import __version__, ids
from . import cli_zh as _cli_zh
from .blank import TEMPLATE_AGENCY, TEMPLATE_PARAGRAPHS, TEMPLATE_YEARS, template_data  # noqa: F401 - importable from here as before
from .commands import (
    CONFIG_HELP,
    EDITION_HELP,
    FAIL_LEVELS,
    RULES_HELP,
    Failure,
    load_rules_or_fail,
    load_settings,
    rule_options,
    split_ids,
)


def iter_paths(
    paths: Iterable[str], exclude: Iterable[str] | None = None, extend_exclude: Iterable[str] = ()
) -> list[str]:
    """Files as given, and every report file under a folder (checker.discover: walked as ruff walks)."""
    from .discover import iter_report_files

    return list(iter_report_files(paths, exclude, extend_exclude))


def _unreadable_line(report) -> str:  # type: ignore[no-untyped-def]
    from .formats import terminal_safe

    problem = report.problems[0]
    # A file name may hold control characters too: shown, never obeyed.
    return terminal_safe(f"{report.path}: {problem.rule} {problem.message}")


_cli_zh.install()


class _LazyGroup(click.Group):
    """Subcommands defined in their own packages are imported when they are run or listed, not on every start
    (click's documented lazy-loading pattern): ``xxgk check`` does not pay for batch, annotate and serve."""

    lazy: ClassVar[dict[str, str]] = {
        "batch": "checker.batch.command:batch",
        "annotate": "checker.annotate.command:annotate",
        "serve": "checker.serve.command:serve",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            import importlib

            module, name = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module), name)
            command.options_metavar = "[选项]"
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="xxgk")
def main() -> None:
    """xxgk：政府信息公开工作年度报告合规检查工具。"""


def _exclude_options(fn):  # type: ignore[no-untyped-def]
    fn = click.option(
        "--extend-exclude",
        multiple=True,
        metavar="GLOB",
        help="在默认排除之外再排除这些路径（通配符，逗号分隔，可重复）",
    )(fn)
    return click.option(
        "--exclude",
        multiple=True,
        metavar="GLOB",
        help="查找文件夹时排除这些路径（通配符，逗号分隔，可重复；替换默认排除列表）",
    )(fn)


def _globs(values: tuple[str, ...]) -> list[str]:
    return [part for value in values for part in split_ids(value)]


def _discover(  # type: ignore[no-untyped-def]
    paths: tuple[str, ...],
    settings: dict,  # type: ignore[type-arg]
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool = False,
):
    from .discover import iter_candidates

    excluded = _globs(exclude) or settings.get("exclude")
    extended = [*settings.get("extend_exclude", []), *_globs(extend_exclude)]
    return list(iter_candidates(paths, excluded, extended, force_exclude))


from .readers.ocr import OPTION_HELP as _OCR_HELP  # noqa: E402 - worded once for check, annotate, serve


def _extract(path: str, edition: str | None, year: int | None, ocr: str = "auto"):  # type: ignore[no-untyped-def]
    """``extract_path``, with a last net: whatever goes wrong inside the reader or parser, the file is answered
    with one P001 line and the run goes on (never a traceback for one strange file)."""
    from .extract import Report, extract_path
    from .model import Problem

    try:
        return extract_path(path, edition=None if edition in (None, "auto") else edition, year=year, ocr=ocr)
    except Exception as exc:
        report = Report(path=path, format=os.path.splitext(path)[1].lstrip(".").lower() or "unknown", readable=False)
        reason = f"无法解析这个文件（程序内部错误 {type(exc).__name__}，请把文件反馈给维护者）"
        report.problems.append(Problem(ids.UNREADABLE, reason))
        return report


def _is_report(report) -> bool:  # type: ignore[no-untyped-def]
    """Whether a file found by walking holds a report (or is meant to: an unreadable one is still answered)."""
    return not report.readable or not any(p.rule == ids.NO_REPORT for p in report.problems)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="路径...")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="输出格式：json，或 csv（每份报告一行）")  # fmt: skip
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="写入文件而不是标准输出")
@click.option("--edition", type=click.Choice(["auto", "2019", "2021"]), default="auto", show_default=True,
              help=EDITION_HELP)  # fmt: skip
@click.option("--year", type=int, metavar="年份", help="文档中没有写明时使用的报告年度")
@_exclude_options
def extract(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    edition: str,
    year: int | None,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
) -> None:
    """读取报告，输出以规范键表示的表格（json，或 csv 每份报告一行）。"""
    from .findings import from_problem
    from .output import csv_document, json_document

    candidates = _discover(paths, load_settings(None), exclude, extend_exclude)
    if not candidates:
        raise click.UsageError("没有找到可读取的报告文件")
    reports = []
    for candidate in candidates:
        report = _extract(candidate.path, edition, year)
        if not candidate.explicit and not _is_report(report):
            continue
        reports.append(report)
        if not report.readable:
            click.echo(_unreadable_line(report), err=True)
    if fmt == "csv":
        text = csv_document(reports)
    else:
        text = json_document([(r, [from_problem(p) for p in r.problems]) for r in reports], with_tables=True)
    _write(text, output)
    sys.exit(2 if any(not r.readable for r in reports) else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="路径...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "sarif", "github", "junit"]),
    default=None,
    help="输出格式（默认 text；在 GitHub Actions 中默认 github）",
)
@click.option("--output", "-o", type=click.Path(), help="写入文件而不是标准输出")
@rule_options
@click.option("--with-tables", is_flag=True, help="JSON 输出中包含读取到的表格")
@click.option("--baseline", type=click.Path(), help="只报告基线文件中没有的问题")
@click.option("--write-baseline", type=click.Path(), help="把当前所有问题写入基线文件（之后用 --baseline 只看新问题）")
@click.option("--config", "config_file", type=click.Path(), help=CONFIG_HELP)
@_exclude_options
@click.option(
    "--force-exclude",
    is_flag=True,
    help="直接给出的文件也按查找文件夹的规则跳过，不是年度报告的文件只提示不报错（供 pre-commit 使用）",
)
@click.option("--statistics", is_flag=True, help="只输出按规则统计的问题数量")
@click.option("--quiet", "-q", is_flag=True, help="只输出问题，不输出汇总和提示信息")
@click.option("--ocr", type=click.Choice(["auto", "never"]), default="auto", show_default=True, help=_OCR_HELP)
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
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    statistics: bool,
    quiet: bool,
    ocr: str = "auto",
) -> None:
    """检查报告并列出问题。退出码：0 无达到 --fail-on 的问题；1 有；2 有文件无法读取或用法错误。"""
    settings = load_settings(config_file)
    fmt = fmt or settings.get("format") or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    edition = edition or settings.get("edition") or "auto"
    year = year or settings.get("year")
    fail_on = fail_on or settings.get("fail_on") or "error"
    baseline = baseline or settings.get("baseline")
    rules = load_rules_or_fail(settings, extra_rules)
    enabled = _enabled_rules(rules, settings, select, ignore)
    candidates = _discover(paths, settings, exclude, extend_exclude, force_exclude)
    if not candidates and not force_exclude:
        raise click.UsageError("没有找到可检查的报告文件")
    results, skipped = _check_files(candidates, rules, enabled, edition, year, ocr, force_exclude, quiet)
    results = _baseline(results, rules, baseline, write_baseline, quiet)
    if statistics:
        text = _statistics(results, rules, fmt)
    elif fmt == "json":
        from .output import json_document

        text = json_document(results, with_tables=with_tables, skipped=skipped)
    else:
        text = _render(fmt, results, rules, with_tables, output, quiet)
    if fmt == "text" and skipped and not (statistics or quiet):
        text += f"；跳过 {len(skipped)} 个不是年度报告的文件"  # the summary line is the text output's last line
    _write(text, output)
    sys.exit(_exit_code(results, fail_on))


def _enabled_rules(rules, settings: dict, select: str | None, ignore: str | None) -> set[str]:  # type: ignore[no-untyped-def,type-arg]
    """The rules to run: --select/--ignore, else the settings'; an unknown id or prefix is a usage error."""
    from .config import select_rules, unknown_selectors

    selected = split_ids(select) if select else settings.get("select")
    ignored = split_ids(ignore) if ignore else settings.get("ignore") or []
    bad = unknown_selectors(set(rules), [*(selected or []), *ignored])
    if bad:
        raise click.UsageError(f"未知的规则编号：{'、'.join(bad)}（用 xxgk rules 查看全部规则）")
    return select_rules(set(rules), selected or None, ignored)


def _check_files(  # type: ignore[no-untyped-def]
    candidates, rules, enabled: set[str], edition: str, year: int | None, ocr: str, force_exclude: bool, quiet: bool
):
    """Every candidate read and checked: (results, paths skipped as not reports). An unreadable file is one
    line on stderr and stays in the results (exit 2)."""
    from .engine import check_report

    results = []
    skipped: list[str] = []
    for candidate in candidates:
        report = _extract(candidate.path, edition, year, ocr)
        if (force_exclude or not candidate.explicit) and not _is_report(report):
            skipped.append(report.path)
            if not quiet:
                click.echo(f"{_shown(report.path)}: 跳过：不是年度报告", err=True)
            continue
        if not report.readable:
            click.echo(_unreadable_line(report), err=True)
        results.append((report, check_report(report, rules, enabled)))
    return results, skipped


def _baseline(results, rules, baseline: str | None, write_baseline: str | None, quiet: bool):  # type: ignore[no-untyped-def]
    """--write-baseline writes every finding and ends the run; --baseline keeps only the findings not in it."""
    if not (baseline or write_baseline):
        return results
    from .baseline import BaselineError

    try:
        if write_baseline:
            from .baseline import write_baseline as write

            count = write(write_baseline, results, rules)
            click.echo(f"已写入 {count} 条基线记录：{write_baseline}", err=True)
            sys.exit(2 if any(not r.readable for r, _ in results) else 0)
        if baseline:
            from .baseline import apply_baseline, load_baseline

            before = sum(len(fs) for _, fs in results)
            results = apply_baseline(results, load_baseline(baseline), rules)
            if not quiet:
                suppressed = before - sum(len(fs) for _, fs in results)
                click.echo(f"已按基线忽略 {suppressed} 条（{baseline}）", err=True)
    except BaselineError as exc:
        raise Failure(str(exc)) from None
    return results


def _exit_code(results, fail_on: str) -> int:  # type: ignore[no-untyped-def]
    """2 when a file could not be read; else 1 when a finding is at or above --fail-on; else 0."""
    if any(not r.readable for r, _ in results):
        return 2
    threshold = FAIL_LEVELS[fail_on]
    from .findings import SEVERITY_ORDER

    failing = any(SEVERITY_ORDER.get(f.severity, 0) >= threshold for _, fs in results for f in fs)
    return 1 if failing else 0


def _shown(path: str) -> str:
    from .formats import display_path, terminal_safe

    return terminal_safe(display_path(path))


def _statistics(results, rules, fmt: str = "text") -> str:  # type: ignore[no-untyped-def]
    """Counts by rule, most frequent first (ruff's ``--statistics``); a JSON list with ``--format json``."""
    import json
    from collections import Counter

    from .formats import SEVERITY_WORDS

    counts = Counter(f.rule for _, fs in results for f in fs)
    severity = {f.rule: f.severity for _, fs in results for f in fs}
    rows = []
    for rule_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(rule_id)
        rows.append({"rule": rule_id, "count": n, "severity": severity[rule_id], "title": rule.title if rule else ""})
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    lines = [
        f"{r['count']:>6}  {r['rule']}  {SEVERITY_WORDS.get(r['severity'], '')}  {r['title']}".rstrip() for r in rows
    ]
    return "\n".join(lines) or "没有发现问题"


def _render(fmt: str, results, rules, with_tables: bool, output: str | None, quiet: bool = False) -> str:  # type: ignore[no-untyped-def]
    if fmt == "json":
        from .output import json_document

        return json_document(results, with_tables=with_tables)
    from .formats import FORMATTERS

    color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = FORMATTERS[fmt](results, rules, color=color)
    if quiet and fmt == "text":
        # The summary line is the last paragraph of the text output: findings only.
        text = text.rpartition("\n\n")[0]
    return text


@main.command("rules")
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(), help=RULES_HELP)
@click.option("--config", "config_file", type=click.Path(), help=CONFIG_HELP)
def list_rules(extra_rules: tuple[str, ...], config_file: str | None) -> None:
    """列出所有规则：编号、级别、标题（包括配置和 --rules 中的规则）。"""
    from .formats import SEVERITY_WORDS

    for rule in sorted(load_rules_or_fail(load_settings(config_file), extra_rules).values(), key=lambda r: r.id):
        click.echo(f"{rule.id}  {SEVERITY_WORDS.get(rule.severity, rule.severity)}  {rule.name:<26} {rule.title}")


@main.command()
@click.argument("rule_id", metavar="规则编号")
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(), help=RULES_HELP)
@click.option("--config", "config_file", type=click.Path(), help=CONFIG_HELP)
def explain(rule_id: str, extra_rules: tuple[str, ...], config_file: str | None) -> None:
    """说明一条规则：检查什么、依据、不通过和通过的示例。"""
    from .explain import explain_text

    rules = load_rules_or_fail(load_settings(config_file), extra_rules)
    rule = rules.get(rule_id.upper())
    if rule is None:
        raise click.UsageError(f"没有规则 {rule_id}（用 xxgk rules 查看全部规则）")
    click.echo(explain_text(rule, rules))


@main.command("template")
@click.option("--edition", type=click.Choice(["2019", "2021"]), default="2021", show_default=True,
              help="模板版本：2021 现行版（国办公开办函〔2021〕30号），2019 试行版")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["docx", "html", "md"]), default="md", show_default=True,
              help="模板的文件格式：docx（Word）、html 或 md（Markdown）")  # fmt: skip
@click.option("--output", "-o", type=click.Path(), help="写入文件（docx 不写到终端，须用 -o 指定文件）")
@click.option("--agency", metavar="名称", help=f"机关名称（默认 {TEMPLATE_AGENCY}）")
@click.option("--year", type=int, metavar="年份", help="报告年度（默认 2021 版为 2022，2019 版为 2020）")
def template(edition: str, fmt: str, output: str | None, agency: str | None, year: int | None) -> None:
    """输出一份空白的年度报告模板（六个部分、三张表格、全部标签与合并单元格），供起草使用。"""
    from .writers import render

    data = render(template_data(edition, agency=agency, year=year), fmt)
    if output:
        _write_bytes(data, output)
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
    """The output, to a file or standard output. Any write error (disk full, a folder given as the file, a
    closed pipe) is one line and exit 2."""
    if output:
        _write_bytes((text if text.endswith("\n") else text + "\n").encode("utf-8"), output)
        return
    try:
        click.echo(text)
        sys.stdout.flush()
    except OSError as exc:
        from .oserror import describe

        raise Failure(f"无法写出结果：{describe(exc)}") from None


def _write_bytes(data: bytes, output: str) -> None:
    from .oserror import describe

    try:
        with open(output, "wb") as fh:
            fh.write(data)
            fh.flush()  # /dev/full and a full disk fail here, not at close
    except OSError as exc:
        raise Failure(f"无法写入 {output}：{describe(exc)}") from None


def _chinese_metavars(group: click.Group) -> None:
    """Click's usage line names the option and subcommand placeholders in English; ours are Chinese."""
    group.options_metavar = "[选项]"
    group.subcommand_metavar = "命令 [参数]..."
    for command in group.commands.values():
        command.options_metavar = "[选项]"
        if isinstance(command, click.Group):
            _chinese_metavars(command)


_chinese_metavars(main)


if __name__ == "__main__":  # pragma: no cover
    main()
