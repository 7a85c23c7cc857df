"""The per-user cache: work every run would repeat the same way (grammar tables, parsed rule files), kept on disk.

Each entry is named by a digest of everything it is made from, so a changed input is a new entry and never a
stale one. Entries are written to a private temporary file and renamed into place (atomic on POSIX and
Windows), so a concurrent reader sees a whole entry or none; an entry that cannot be read is made again. A
folder that cannot be created or written means no cache, never an error.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_folder() -> Path:
    """%LOCALAPPDATA%/xxgk/cache on Windows, else $XDG_CACHE_HOME/xxgk or ~/.cache/xxgk."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "xxgk" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xxgk"


def entry_path(kind: str, key: bytes, suffix: str) -> Path | None:
    """Where the entry of ``kind`` made from ``key`` lives (the folder created), or None without a cache."""
    digest = hashlib.sha256(key + f"\0{sys.version_info[:2]}".encode()).hexdigest()[:24]
    try:
        folder = cache_folder()
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home folder, a read-only profile
        return None
    return folder / f"{kind}-{digest}{suffix}"


def cached(kind: str, key: bytes, make: Callable[[], T]) -> T:
    """The pickled entry of ``kind`` for ``key``; made with ``make()`` (and stored) when missing or unreadable.
    Only for data this program wrote itself (pickle runs code on loading): the folder is the user's own."""
    value = load(kind, key, _MISSING)
    if value is _MISSING:
        value = make()
        store(kind, key, value)
    return value  # type: ignore[return-value]


_MISSING = object()


def load(kind: str, key: bytes, default: object = None) -> object:
    """The entry of ``kind`` for ``key``, or ``default`` when there is none or it cannot be read."""
    path = entry_path(kind, key, ".pickle")
    if path is None:
        return default
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        return default
    except Exception:  # half a file from an older crash, another Python's pickle: made again by the caller
        return default


def store(kind: str, key: bytes, value: object) -> None:
    """Keep ``value`` as the entry of ``kind`` for ``key`` (nothing happens without a cache folder)."""
    path = entry_path(kind, key, ".pickle")
    if path is None:
        return
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a value pickle cannot write: no entry, never an error
        return
    _store(path, data)


class Memo(dict):  # type: ignore[type-arg]
    """Results of a pure function kept between runs: a dict loaded from the entry of ``kind`` for ``key`` (the
    bytes of everything the results depend on besides their arguments), written back once at exit when this
    process added to it."""

    def __init__(self, kind: str, key: bytes) -> None:
        stored = load(kind, key)
        super().__init__(stored if isinstance(stored, dict) else {})
        self.kind, self.key, self.loaded = kind, key, len(self)
        atexit.register(self.save)

    def save(self) -> None:
        if len(self) != self.loaded:
            store(self.kind, self.key, dict(self))
            self.loaded = len(self)


def _store(path: Path, data: bytes) -> None:
    try:
        import tempfile  # only when writing: it imports shutil, random, bz2 and lzma (~10 ms of a start)

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # atomic; fails on Windows while another process holds the old entry open
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
