"""Faults a batch survives: another batch on the same folder, a corrupt store, a full disk.

* ``OutLock``: one batch at a time per output folder. The lock is an OS lock on an open file
  (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), so it vanishes with the process that holds it,
  even after a kill: there is no stale lock to clean up. The file also says who holds it (pid, host, start
  time), which the second batch prints.
* ``open_store``: a store that SQLite cannot use (truncated, garbage, damaged pages) is moved aside as
  ``xxgk.db.corrupt-<time>`` with one line, and the batch starts from an empty store.
* ``write_failure``: the one line for a write error (disk full, permissions, read-only folder).
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

LOCK_NAME = ".xxgk-batch.lock"
_LOCK_OFFSET = 1 << 20  # Windows locks a byte range that others then cannot read: lock one far past the text


class LockedError(Exception):
    """Another batch is writing into the same folder."""


class OutLock:
    def __init__(self, out: Path) -> None:
        self.path = out / LOCK_NAME
        self.fh: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - held for the whole batch (binary: byte offsets on Windows)
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            holder = _describe(fh.read(4096).decode("utf-8", "replace"))
            fh.close()
            raise LockedError(
                f"另一个 xxgk batch 正在写入 {self.path.parent}（{holder}）；请等它结束，或用另一个 --out 文件夹"
            ) from None
        fh.seek(0)
        fh.truncate()
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        fh.write(json.dumps(holder, ensure_ascii=False).encode("utf-8"))
        fh.flush()
        self.fh = fh

    def release(self) -> None:
        if self.fh is None:
            return
        try:
            self.fh.seek(0)
            self.fh.truncate()
            _unlock(self.fh)
        except OSError:
            pass
        self.fh.close()
        self.fh = None

    def __enter__(self) -> OutLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock(fh: Any) -> None:
    if os.name == "nt":
        import msvcrt

        fh.seek(_LOCK_OFFSET)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(fh: Any) -> None:
    if os.name == "nt":
        import msvcrt

        fh.seek(_LOCK_OFFSET)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _describe(text: str) -> str:
    try:
        info = json.loads(text)
        return f"进程 {info['pid']}，主机 {info['host']}，开始于 {info['started']}"
    except (ValueError, KeyError, TypeError):
        return "进程未知"


# -- the store -------------------------------------------------------------------------------------------------


def open_store(path: Path, notice: Any) -> Any:
    """The batch store at ``path``; a corrupt one is moved aside (one line through ``notice``) and replaced."""
    from .store import Store, StoreCorrupt

    try:
        return Store(path)
    except StoreCorrupt as exc:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(path, aside)
        for suffix in ("-wal", "-shm", "-journal"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        notice(f"存储库 {path} 已损坏（{exc}），已移到 {aside.name}，本次从头检查")
        return Store(path)


# -- write errors ----------------------------------------------------------------------------------------------

_REASONS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "文件夹只读",
}


def write_failure(exc: BaseException) -> str | None:
    """The one line for an error while writing results, or None when ``exc`` is not a write error."""
    if isinstance(exc, sqlite3.OperationalError) and ("full" in str(exc) or "disk" in str(exc)):
        return f"写出结果失败：存储库无法写入（{exc}）；已完成的结果都已保存，腾出空间后用同样的命令重新运行即可继续"
    if isinstance(exc, OSError):
        reason = _REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        where = f" {exc.filename}" if exc.filename else ""
        return (
            f"写出结果失败{where}：{reason}；之前写出的文件和已完成的结果都未受影响，处理后用同样的命令重新运行即可继续"
        )
    return None
