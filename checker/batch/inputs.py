"""Which files a batch reads: folder walking with the batch's own skips, and checks made before a file is opened.

A folder is walked as ``xxgk check`` walks one (``checker.discover`` judges names: hidden files, Office/WPS
lock and temp files, tool folders and pages that xxgk wrote are skipped), and besides, for a batch:

* a folder holding an ``xxgk.db`` (or the render manifest of a review whose store is elsewhere, ``--db``) is a
  review folder (ours, or another batch's): it and everything under it is left out, with one line, so a review
  never reads its own or an older review's pages and letters;
* anything that is not a regular file (a FIFO, a device such as ``/dev/zero``, a socket) is never opened —
  ``os.stat`` says what it is first — and is one line; named explicitly it becomes a P001 result;
* a file over the readers' size limit is not hashed (P001 at once);
* a folder that cannot be read is one line (never skipped silently).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

STORE_NAME = "xxgk.db"
# Files only a review folder holds: the store (unless --db put it elsewhere) and the render manifest.
REVIEW_MARKERS = (STORE_NAME, ".xxgk-render.json")


def is_review_folder(path: str) -> bool:
    """A folder ``xxgk batch`` wrote into (its letters/*.docx and pages must never be read as reports)."""
    return any(os.path.isfile(os.path.join(path, name)) for name in REVIEW_MARKERS)


_KINDS = (
    (stat.S_ISFIFO, "命名管道"),
    (stat.S_ISCHR, "字符设备"),
    (stat.S_ISBLK, "块设备"),
    (stat.S_ISSOCK, "套接字"),
    (stat.S_ISDIR, "文件夹"),
)


@dataclass
class Inputs:
    files: list[str] = field(default_factory=list)  # regular report files, in order, to hash and check
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): named explicitly, not readable
    notices: list[str] = field(default_factory=list)  # one line each for the user (stderr)


def kind_of(mode: int) -> str | None:
    """None for a regular file, else what it is, in Chinese."""
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "特殊文件"


def collect(paths: Iterable[str], exclude: Iterable[Path] = ()) -> Inputs:
    """The files of a batch (see the module docstring), without duplicates and without anything under
    ``exclude`` (the output folder and the store), as lists (``walk`` gives them as they are found)."""
    found = Inputs()
    seen: set[str] = set()

    def first(resolved: str) -> bool:
        if resolved in seen:
            return False
        seen.add(resolved)
        return True

    for path, reason in walk(paths, exclude, found.notices, first):
        if reason is None:
            found.files.append(path)
        else:
            found.rejected.append((path, reason))
    return found


def walk(
    paths: Iterable[str], exclude: Iterable[Path], notices: list[str], first: Callable[[str], bool]
) -> Iterator[tuple[str, str | None]]:
    """(path, None) for each regular report file, (path, reason) for one named explicitly that cannot be read, in
    order, as they are found; the lines for the user go into ``notices``. ``first(resolved path)`` says whether a
    file is met for the first time (a batch asks its ledger: no list of every file is held). Folders are walked
    by ``checker.discover``, the walker of every command; the batch adds its skips through its hooks."""
    from ..discover import iter_candidates

    skip = [resolve(str(p)) for p in exclude]

    def excluded(path: str) -> bool:
        resolved = resolve(path)
        return any(resolved == s or resolved.startswith(s.rstrip(os.sep) + os.sep) for s in skip)

    def skip_folder(folder: str) -> bool:
        if excluded(folder):
            return True
        if is_review_folder(folder):
            notices.append(f"跳过 {folder}：这是 xxgk 的检查结果文件夹（含 {STORE_NAME}）")
            return True
        return False

    def unreadable(exc: OSError) -> None:
        where = exc.filename or "?"
        notices.append(f"无法读取文件夹 {where}：{exc.strerror or exc}（其中的文件未检查）")

    roots = []
    for path in paths:
        if os.path.isdir(path) and is_review_folder(path) and not excluded(path):
            notices.append(f"跳过 {path}：这是 xxgk 的检查结果文件夹（含 {STORE_NAME}），不作为报告读取")
            continue
        roots.append(path)
    for candidate in iter_candidates(roots, skip_folder=skip_folder, onerror=unreadable):
        if not excluded(candidate.path) and first(resolve(candidate.path)):
            reason = _judge(notices, candidate.path, candidate.explicit)
            if reason != "":
                yield candidate.path, reason


def resolve(path: str) -> str:
    """The file's one name (links followed; case folded where the file system ignores case: Windows)."""
    return os.path.normcase(os.path.realpath(path))


def _judge(notices: list[str], path: str, explicit: bool) -> str | None:
    """None for a regular file; else the reason it cannot be read when it was named explicitly (a P001 result), or
    "" (left out, with one line in ``notices``): not a regular file, never opened."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if explicit:
            return f"无法打开文件：{exc.strerror or exc}"
        notices.append(f"跳过 {path}：无法读取（{exc.strerror or exc}）")
        return ""
    kind = kind_of(mode)
    if kind is not None:
        reason = f"不是普通文件（{kind}），未读取"
        notices.append(f"跳过 {path}：{reason}")
        return reason if explicit else ""
    return None
