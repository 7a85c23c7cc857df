"""Click's own words (usage, help headings, error messages) in Chinese.

Click marks its messages with ``gettext``/``ngettext`` imported into each of its modules; replacing those two
names in Click's modules with a catalog lookup translates every message without a compiled ``.mo`` file or a
process-wide ``gettext.install``. A message not in the catalog stays as Click wrote it (a newer Click may add
one); the test suite checks that the messages we know of are translated.
"""

from __future__ import annotations

import importlib

CATALOG: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 “{command} {option}” 查看帮助。",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such command {name!r}.": "没有命令 {name}。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少命令。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "{value!r} is not a valid {number_type}.": "“{value}” 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{name} {filename!r} does not exist.": "{name} “{filename}” 不存在。",
    "{name} {filename!r} is a file.": "{name} “{filename}” 是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name} “{filename}” 是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{name} “{filename}” 不可读。",
    "{name} {filename!r} is not writable.": "{name} “{filename}” 不可写。",
    "{name} {filename!r} is not executable.": "{name} “{filename}” 不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 “{filename}”：{message}",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Aborted!": "已中止！",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Invalid start character for option ({option})": "选项的起始字符无效（{option}）",
    # ngettext pairs: both forms map to one Chinese sentence.
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想用其中之一：{possibilities}？）",
    "{value!r} is not {choice}.": "“{value}” 不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}” 不是 {choices} 之一。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 需要 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，但只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，但给了 {len} 个。",
    "integer": "整数",
    "float": "数字",
}

# The number types Click names in "is not a valid {number_type}" are passed untranslated; so are the
# ``{name!r}`` quotes, which is why the catalog's Chinese forms drop ``!r`` (no ASCII quotes around Chinese).
_MODULES = ("core", "exceptions", "types", "parser", "formatting", "decorators", "termui", "utils")


def gettext(message: str) -> str:
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return CATALOG.get(singular if n == 1 else plural, singular if n == 1 else plural)


def install() -> None:
    """Translate Click's messages (idempotent)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a Click without that module
            continue
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
