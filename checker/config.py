"""Settings from ``xxgk.toml`` or ``[tool.xxgk]`` in ``pyproject.toml``, found upward from a folder (as ruff
and yamllint do), and ruff-style rule selection by id prefix.

In each folder ``xxgk.toml`` is looked at first; it counts even when empty (it marks the project's root, like
``ruff.toml``), while a ``pyproject.toml`` counts only when it has a ``[tool.xxgk]`` table. The first folder with
settings wins; nothing is merged across folders, so what applies is always one file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

EDITIONS = ("auto", "2019", "2021")
FAIL_ON = ("error", "warning", "info", "never")
FORMATS = ("text", "json", "html", "sarif", "github", "junit")
KEYS = (
    "select",
    "ignore",
    "rules",
    "edition",
    "year",
    "fail_on",
    "format",
    "baseline",
    "exclude",
    "extend_exclude",
)


class ConfigError(Exception):
    """A settings file that cannot be used; the message names the file (the CLI prints it and exits 2)."""


def find_config(start: Path) -> tuple[dict[str, Any], Path] | None:
    """The raw settings table and its file, from the nearest folder at or above ``start`` that has one."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / "xxgk.toml"
        if own.is_file():
            return _read(own), own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _mentions_us(pyproject):
            table = _read(pyproject).get("tool", {}).get("xxgk")
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(f"{pyproject}: [tool.xxgk] 应当是一个表")
                return table, pyproject
    return None


def load_config(start: Path) -> tuple[dict[str, Any], Path | None]:
    """Validated settings (keys as in ``KEYS``; only those that were set) and the file they came from.

    Paths (``rules``, ``baseline``) are resolved against the settings file's folder, so the settings work from
    any working folder below it."""
    found = find_config(start)
    if found is None:
        return {}, None
    raw, path = found
    return _validate(raw, path), path


def load_config_file(path: Path) -> dict[str, Any]:
    """Validated settings of exactly this file (``--config FILE``): a ``pyproject.toml`` must have
    ``[tool.xxgk]``; any other name is read as an ``xxgk.toml``. Errors are ConfigError, never ignored."""
    path = path.resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: 配置文件不存在" if not path.exists() else f"{path}: 不是文件")
    raw = _read(path)
    if path.name == "pyproject.toml":
        table = raw.get("tool", {}).get("xxgk")
        if table is None:
            raise ConfigError(f"{path}: 没有 [tool.xxgk] 配置")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.xxgk] 应当是一个表")
        raw = table
    return _validate(raw, path)


def _mentions_us(pyproject: Path) -> bool:
    """Whether a pyproject.toml can hold our settings at all: every way of writing ``tool.xxgk`` in TOML spells
    ``xxgk``. Other projects' pyproject files (most of them) are not parsed, and not ours to judge."""
    try:
        return b"xxgk" in pyproject.read_bytes()
    except OSError:
        return True  # read again by _read, which says what is wrong


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a settings file: importing it costs as much as reading a report

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's messages are English; keep only where the error is.
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"（第 {where[1]} 行第 {where[2]} 列）" if where else ""
        raise ConfigError(f"{path}: 不是有效的 TOML 文件{at}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: 不是 UTF-8 编码的文本文件") from exc
    except OSError as exc:
        from .oserror import describe

        raise ConfigError(f"{path}: 无法读取：{describe(exc)}") from exc


def _validate(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        # ``fail-on`` as on the command line, or ``fail_on``: both are natural in TOML.
        norm = key.replace("-", "_")
        if norm not in KEYS:
            raise ConfigError(f"{path.name}: 未知的配置项“{key}”（可用：{'、'.join(KEYS)}）")
        out[norm] = _check(norm, value, path)
    return out


def _check(key: str, value: Any, path: Path) -> Any:
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{path.name}: 配置项“{key}”应为{expected}，实际为 {value!r}")

    if key in ("select", "ignore", "rules", "exclude", "extend_exclude"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("字符串列表")
        if key == "rules":
            return [str((path.parent / v).resolve()) for v in value]
        if key in ("exclude", "extend_exclude"):
            return list(value)
        return [v.strip().upper() for v in value]
    if key == "edition":
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if text not in EDITIONS:
            raise bad("、".join(EDITIONS) + " 之一")
        return text
    if key == "year":
        if not isinstance(value, int) or isinstance(value, bool) or not 1900 <= value <= 2200:
            raise bad("年份（整数）")
        return value
    if key == "fail_on":
        if value not in FAIL_ON:
            raise bad("、".join(FAIL_ON) + " 之一")
        return value
    if key == "format":
        if value not in FORMATS:
            raise bad("、".join(FORMATS) + " 之一")
        return value
    # baseline
    if not isinstance(value, str) or not value:
        raise bad("文件路径")
    return str((path.parent / value).resolve())


# ---- rule selection ----------------------------------------------------------------------------------------


def _specificity(selector: str, rule_id: str) -> int | None:
    """How closely ``selector`` names ``rule_id``: -1 for ALL, the prefix length for a prefix, None if not."""
    if selector == "ALL":
        return -1
    return len(selector) if rule_id.upper().startswith(selector) else None


def select_rules(rule_ids: Iterable[str], select: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    """The rules to run, as ruff selects: each rule follows the most specific selector that matches it
    (``A101`` beats ``A1`` beats ``A`` beats ``ALL``); on a tie ``ignore`` wins. ``select=None`` means ALL.

    So ``select=["A"], ignore=["A1"]`` runs A2xx only, and ``select=["A101"], ignore=["A"]`` still runs A101.
    """
    selectors = [s.strip().upper() for s in (["ALL"] if select is None else select) if s.strip()]
    ignores = [s.strip().upper() for s in (ignore or []) if s.strip()]
    chosen = set()
    for rule_id in rule_ids:
        best_select = max((n for s in selectors if (n := _specificity(s, rule_id)) is not None), default=None)
        if best_select is None:
            continue
        best_ignore = max((n for s in ignores if (n := _specificity(s, rule_id)) is not None), default=None)
        if best_ignore is None or best_select > best_ignore:
            chosen.add(rule_id)
    return chosen


def unknown_selectors(rule_ids: Iterable[str], selectors: Iterable[str]) -> list[str]:
    """Selectors that match no rule: almost always a typo worth a usage error (``--select A11O``)."""
    ids = list(rule_ids)
    unknown = []
    for selector in selectors:
        norm = selector.strip().upper()
        if not any(_specificity(norm, rule_id) is not None for rule_id in ids):
            unknown.append(selector)
    return unknown
