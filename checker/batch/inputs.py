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
from collections.abc import Iterable
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


def skipped_name(name: str) -> bool:
    """Hidden files and Office/WPS lock and temp files (``~$x.docx``, ``.~lock.x.docx#``, ``~WRL0001.tmp``), as
    the shared walker (``checker.discover``) judges them."""
    from ..discover import is_lock_file

    return name.startswith(".") or is_lock_file(name)


def skipped_folder(name: str) -> bool:
    """Hidden folders and tool folders (``node_modules``, virtual environments), as ``checker.discover``."""
    from ..discover import DEFAULT_EXCLUDE

    return name.startswith(".") or name in DEFAULT_EXCLUDE


def written_by_xxgk(path: str) -> bool:
    """An HTML page that xxgk wrote (its generator meta tag), read from the first few KB only."""
    from ..discover import written_by_xxgk as shared

    return shared(path)


def collect(paths: Iterable[str], exclude: Iterable[Path] = ()) -> Inputs:
    """The files of a batch (see the module docstring), without duplicates and without anything under
    ``exclude`` (the output folder and the store)."""
    from ..readers import is_report_file

    found = Inputs()
    skip = [Path(p).resolve() for p in exclude]
    seen: set[Path] = set()

    def excluded(path: str) -> bool:
        resolved = Path(path).resolve()
        return any(resolved == s or s in resolved.parents for s in skip)

    def add(path: str, explicit: bool) -> None:
        key = Path(path).resolve()
        if key in seen or excluded(path):
            return
        seen.add(key)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            if explicit:
                found.rejected.append((path, f"无法打开文件：{exc.strerror or exc}"))
            else:
                found.notices.append(f"跳过 {path}：无法读取（{exc.strerror or exc}）")
            return
        kind = kind_of(mode)
        if kind is not None:
            reason = f"不是普通文件（{kind}），未读取"
            if explicit:
                found.rejected.append((path, reason))
            found.notices.append(f"跳过 {path}：{reason}")
            return
        if not explicit and written_by_xxgk(path):
            return
        found.files.append(path)

    for path in paths:
        if not os.path.isdir(path):
            add(path, explicit=True)
            continue
        if is_review_folder(path) and not excluded(path):
            found.notices.append(f"跳过 {path}：这是 xxgk 的检查结果文件夹（含 {STORE_NAME}），不作为报告读取")
            continue

        def unreadable(exc: OSError) -> None:
            where = exc.filename or "?"
            found.notices.append(f"无法读取文件夹 {where}：{exc.strerror or exc}（其中的文件未检查）")

        for root, dirs, files in os.walk(path, onerror=unreadable):
            keep = []
            for d in sorted(dirs):
                full = os.path.join(root, d)
                if skipped_folder(d) or excluded(full):
                    continue
                if is_review_folder(full):
                    found.notices.append(f"跳过 {full}：这是 xxgk 的检查结果文件夹（含 {STORE_NAME}）")
                    continue
                keep.append(d)
            dirs[:] = keep
            for name in sorted(files):
                if skipped_name(name) or not is_report_file(name):
                    continue
                add(os.path.join(root, name), explicit=False)
    return found
