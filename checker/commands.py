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
