"""The office's recent checks: a SQLite file under the user's data folder (``--no-history``: memory only).

A check keeps what the pages show, never the uploaded file: per file its name, the report's agency and year,
the counts, the findings (fingerprint, rule, severity, message), the rendered section of the findings page and
the annotated Word copy; per check the self-contained findings page to download. Pages are rendered by us with
autoescaping, so a stored section is shown as it is.

A re-upload is recognised by the report it holds (agency and year as read, else the file name) and compared,
as batch compares versions, with the latest earlier check of that report whose file was *different*: a finding
only then was fixed, one only now is new.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

ENV = "XXGK_SERVE_HISTORY"  # the history file (tests point it into their own folder)
FILE_NAME = "serve-history.sqlite3"
MEMORY_CHECKS = 20  # checks kept for their download links when history is off


@dataclass
class StoredFile:
    number: int
    name: str
    key: str
    sha256: str
    format: str
    agency: str | None
    year: int | None
    counts: dict[str, int]
    verdict: str  # as the findings page says it: 可以发布 / 需要修改 / 未能完整检查
    findings: list[dict[str, str]]
    section: str  # the findings page's section for this report (HTML we rendered)
    annotated: bytes | None = None
    note: str | None = None  # why a Word file has no annotated copy
    changes: dict[str, Any] | None = None  # the comparison with the previous version (see ``compare``)


@dataclass
class StoredCheck:
    id: str
    created: float
    page: str  # the self-contained findings page (``check --format html``)
    files: list[StoredFile] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.counts)
        return {s: total.get(s, 0) for s in ("error", "warning", "info")}


def report_key(agency: str | None, year: int | None, name: str) -> str:
    return f"report|{agency}|{year}" if agency and year else f"name|{name}"


class Store(Protocol):
    persistent: bool

    def add(self, check: StoredCheck) -> None: ...

    def get(self, check_id: str) -> StoredCheck | None: ...

    def recent(self, limit: int) -> list[StoredCheck]: ...

    def versions(self, key: str, before: float) -> list[tuple[str, float, str, list[dict[str, str]]]]: ...


def compare(store: Store, file: StoredFile, created: float) -> dict[str, Any] | None:
    """What changed since the previous version of this report: ``fixed`` (the findings then, not now),
    ``new`` and ``unchanged`` counts; ``same_file`` when only identical uploads came before."""
    versions = store.versions(file.key, created)  # (check id, created, sha256, findings), newest first
    if not versions:
        return None
    before = next((v for v in versions if v[2] != file.sha256), None)
    if before is None:
        check_id, when, _, _ = versions[0]
        return {"same_file": True, "check": check_id, "since": when}
    check_id, when, _, findings = before
    now = Counter(f["fingerprint"] for f in file.findings)
    then = Counter(f["fingerprint"] for f in findings)
    gone = then - now
    fixed = []
    for f in findings:
        if gone[f["fingerprint"]] > 0:
            gone[f["fingerprint"]] -= 1
            fixed.append(f)
    return {
        "check": check_id,
        "since": when,
        "fixed": fixed,
        "new": sum((now - then).values()),
        "unchanged": sum((now & then).values()),
    }


# -- memory ----------------------------------------------------------------------------------------------------


class MemoryStore:
    """``--no-history``: the last few checks, so that their download links work; gone when the server stops."""

    persistent = False

    def __init__(self, limit: int = MEMORY_CHECKS) -> None:
        self._checks: OrderedDict[str, StoredCheck] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def add(self, check: StoredCheck) -> None:
        with self._lock:
            self._checks[check.id] = check
            while len(self._checks) > self._limit:
                self._checks.popitem(last=False)

    def get(self, check_id: str) -> StoredCheck | None:
        with self._lock:
            return self._checks.get(check_id)

    def recent(self, limit: int) -> list[StoredCheck]:
        with self._lock:
            return list(reversed(self._checks.values()))[:limit]

    def versions(self, key: str, before: float) -> list[tuple[str, float, str, list[dict[str, str]]]]:
        with self._lock:
            checks = list(reversed(self._checks.values()))
        return [(c.id, c.created, f.sha256, f.findings) for c in checks if c.created < before for f in c.files
                if f.key == key]  # fmt: skip


# -- SQLite ------------------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    page BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    check_id TEXT NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    agency TEXT,
    year INTEGER,
    counts TEXT NOT NULL,
    verdict TEXT NOT NULL,
    findings TEXT NOT NULL,
    section BLOB NOT NULL,
    annotated BLOB,
    note TEXT,
    changes TEXT,
    PRIMARY KEY (check_id, number)
);
CREATE INDEX IF NOT EXISTS files_key ON files(key);
CREATE INDEX IF NOT EXISTS checks_created ON checks(created);
"""


def default_path() -> str:
    """``$XXGK_SERVE_HISTORY``, else the per-user data folder of the platform (platformdirs)."""
    if os.environ.get(ENV):
        return os.environ[ENV]
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("xxgk", appauthor=False), FILE_NAME)


class HistoryError(Exception):
    pass


class SQLiteStore:
    persistent = True

    def __init__(self, path: str) -> None:
        self.path = path
        self.moved_aside: str | None = None  # where a corrupt history file was moved
        try:
            folder = os.path.dirname(os.path.abspath(path))
            os.makedirs(folder, exist_ok=True)
            try:
                self._create()
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):  # cannot open or write: not a corrupt file
                    raise
                # Not a database (a broken copy, another program's file): kept aside, as batch keeps a corrupt
                # store, and the history starts afresh.
                self.moved_aside = f"{path}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
                os.replace(path, self.moved_aside)
                self._create()
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"无法打开历史记录文件 {path}：{exc}（可用 --no-history 关闭历史记录）") from None

    def _create(self) -> None:
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA foreign_keys = ON")
        return db

    def add(self, check: StoredCheck) -> None:
        with self._connect() as db:
            db.execute("INSERT INTO checks VALUES (?, ?, ?)", (check.id, check.created, _pack(check.page)))
            db.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        check.id, f.number, f.name, f.key, f.sha256, f.format, f.agency, f.year,
                        json.dumps(f.counts), f.verdict, json.dumps(f.findings, ensure_ascii=False), _pack(f.section),
                        f.annotated, f.note, json.dumps(f.changes, ensure_ascii=False) if f.changes else None,
                    )
                    for f in check.files
                ],
            )  # fmt: skip

    def get(self, check_id: str) -> StoredCheck | None:
        with self._connect() as db:
            row = db.execute("SELECT id, created, page FROM checks WHERE id = ?", (check_id,)).fetchone()
            if row is None:
                return None
            check = StoredCheck(row[0], row[1], _unpack(row[2]))
            check.files = self._files(db, [check_id], with_content=True).get(check_id, [])
        return check

    def recent(self, limit: int) -> list[StoredCheck]:
        with self._connect() as db:
            rows = db.execute("SELECT id, created FROM checks ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
            checks = [StoredCheck(r[0], r[1], "") for r in rows]
            files = self._files(db, [c.id for c in checks], with_content=False)
        for c in checks:
            c.files = files.get(c.id, [])
        return checks

    def versions(self, key: str, before: float) -> list[tuple[str, float, str, list[dict[str, str]]]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.id, c.created, f.sha256, f.findings FROM files f JOIN checks c ON c.id = f.check_id "
                "WHERE f.key = ? AND c.created < ? ORDER BY c.created DESC LIMIT 50",
                (key, before),
            ).fetchall()
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    @staticmethod
    def _files(db: sqlite3.Connection, ids: list[str], with_content: bool) -> dict[str, list[StoredFile]]:
        if not ids:
            return {}
        content = "section, annotated" if with_content else "NULL, NULL"
        marks = ",".join("?" * len(ids))
        rows = db.execute(
            "SELECT check_id, number, name, key, sha256, format, agency, year, counts, verdict, findings, "
            f"{content}, note, changes FROM files WHERE check_id IN ({marks}) ORDER BY number",
            ids,
        ).fetchall()
        out: dict[str, list[StoredFile]] = {}
        for r in rows:
            out.setdefault(r[0], []).append(
                StoredFile(
                    number=r[1], name=r[2], key=r[3], sha256=r[4], format=r[5], agency=r[6], year=r[7],
                    counts=json.loads(r[8]), verdict=r[9], findings=json.loads(r[10]),
                    section=_unpack(r[11]) if r[11] is not None else "", annotated=r[12], note=r[13],
                    changes=json.loads(r[14]) if r[14] else None,
                )
            )  # fmt: skip
        return out


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


def open_store(path: str | None) -> Store:
    """The SQLite history at ``path``; ``None``: memory only (``--no-history``)."""
    return MemoryStore() if path is None else SQLiteStore(path)


def when(created: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(created))
