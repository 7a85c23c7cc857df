"""What the subcommands share (check, annotate, serve, template): the one-line failure, settings and rules.

Kept out of ``checker.cli`` so that the subcommands' own modules can use it without importing the command
group that registers them (no import cycle).
"""

from __future__ import annotations

import click


class Failure(click.ClickException):
    """A one-line error (exit 2): a settings file, a baseline or an output that cannot be used. No usage text,
    unlike ``click.UsageError``: the command line itself was fine."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"xxgk：错误：{self.format_message()}", err=True)


FAIL_LEVELS = {"error": 3, "warning": 2, "info": 1, "never": 99}

EDITION_HELP = "报告使用的模板版本：auto 自动识别，2019 试行版，2021 现行版"
CONFIG_HELP = "使用这个配置文件（xxgk.toml，或含 [tool.xxgk] 的 pyproject.toml），不再向上查找"
RULES_HELP = "额外的规则文件（YAML，可重复）"


def rule_options(command):  # type: ignore[no-untyped-def]
    """The options of every command that checks a report (check, annotate), worded once: which rules, which
    edition and year, and which level fails the run."""
    options = [
        click.option("--select", metavar="规则", help="只启用这些规则（逗号分隔，可用前缀，如 A,S1）"),
        click.option("--ignore", metavar="规则", help="不启用这些规则（逗号分隔，可用前缀）"),
        click.option("--rules", "extra_rules", multiple=True, type=click.Path(), help=RULES_HELP),
        click.option(
            "--edition", type=click.Choice(["auto", "2019", "2021"]), default=None, help=EDITION_HELP + "（默认 auto）"
        ),
        click.option("--year", type=int, metavar="年份", help="文档中没有写明时使用的报告年度"),
        click.option(
            "--fail-on",
            type=click.Choice(list(FAIL_LEVELS)),
            default=None,
            help="达到这一级别的问题使退出码为 1：error 错误，warning 警告，info 提示，never 从不（默认 error）",
        ),
    ]
    for option in reversed(options):  # click applies decorators bottom-up: keep the listed order in --help
        command = option(command)
    return command


def split_ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def load_settings(config_file: str | None) -> dict:  # type: ignore[type-arg]
    """Settings of ``--config FILE`` (that file exactly), else the nearest config upward from the working
    folder. A broken file is a one-line error (exit 2), never ignored."""
    from pathlib import Path

    from .config import ConfigError, load_config, load_config_file

    try:
        if config_file:
            return load_config_file(Path(config_file))
        return load_config(Path.cwd())[0]
    except ConfigError as exc:
        raise Failure(str(exc)) from None


def load_rules_or_fail(settings: dict, extra_rules: tuple[str, ...]):  # type: ignore[no-untyped-def,type-arg]
    from .engine import RuleError, load_rules

    try:
        return load_rules([*settings.get("rules", []), *extra_rules])
    except RuleError as exc:
        raise Failure(str(exc)) from None
