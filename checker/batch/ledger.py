"""The list of a review's reports, kept in the store (table ``review``), not in memory.

A batch of thousands of reports must not hold a Python object per report for the whole run (its memory must
stay flat as the count grows). Each file of the run is one row, from the moment it is hashed: where it is, its
content hash and format, then its slim record once it is answered (checked, or found in the store), its agency
key, page name, whether it is a copy of another file (X105), its counts, its progress since the last run and the
key of its rendered page. Every step afterwards is a pass over the rows, a few hundred at a time, in the order
that step needs (by path, by agency and year for the dashboard, by agency for the letters and the X rules):
each pass makes short-lived ``Item`` objects and writes back what it learnt.

The rows are kept per output folder until the next run over it (``BatchResult.items`` reads them back).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .outputs import Item

CHUNK = 256  # rows read at a time

SCHEMA = """
CREATE TABLE IF NOT EXISTS review (
    out TEXT NOT NULL, path TEXT NOT NULL, resolved TEXT, read_path TEXT, sha256 TEXT, format TEXT,
    record TEXT, cached INTEGER NOT NULL DEFAULT 0,
    key TEXT, year INTEGER, readable INTEGER NOT NULL DEFAULT 0,
    by_agency TEXT NOT NULL DEFAULT '', by_year INTEGER NOT NULL DEFAULT 0, by_group TEXT NOT NULL DEFAULT '',
    by_cross TEXT NOT NULL DEFAULT '', page TEXT, duplicate_of TEXT, how TEXT,
    tally TEXT, changes TEXT, render_key TEXT, old_key TEXT,
    PRIMARY KEY (out, path)
);
CREATE INDEX IF NOT EXISTS review_agency ON review (out, by_agency, by_year, path);
CREATE INDEX IF NOT EXISTS review_group ON review (out, by_group, by_year, path);
CREATE INDEX IF NOT EXISTS review_cross ON review (out, by_cross, path);
CREATE INDEX IF NOT EXISTS review_page ON review (out, page);
CREATE INDEX IF NOT EXISTS review_sha ON review (out, sha256);
CREATE INDEX IF NOT EXISTS review_year ON review (out, key, year);
CREATE INDEX IF NOT EXISTS review_resolved ON review (out, resolved);
CREATE TABLE IF NOT EXISTS review_groups (
    out TEXT NOT NULL, grp TEXT NOT NULL, path TEXT NOT NULL, agency TEXT NOT NULL, PRIMARY KEY (out, grp, path)
);
CREATE TABLE IF NOT EXISTS review_failing (
    out TEXT NOT NULL, grp TEXT NOT NULL, rule TEXT NOT NULL, col TEXT NOT NULL, path TEXT NOT NULL,
    PRIMARY KEY (out, grp, rule, col, path)
);
"""

# the orders of the passes (every column NOT NULL: rows are paged by comparing these values)
ORDERS = {
    "path": ("path",),
    "agency": ("by_agency", "by_year", "path"),  # the dashboard: agency, year, path (no agency last)
    "group": ("by_group", "by_year", "path"),  # the letters: agency key (else the path), year, path
    "cross": ("by_cross", "path"),  # the X rules: agency key with a year, those without last
}

ANSWERED = "record IS NOT NULL"  # the rows of the files answered (checked, or found in the store)
_ITEM = "path, record, cached, key, page, duplicate_of, tally, changes"


class Ledger:
    """The rows of one review folder's run. ``loader`` and ``finder`` are given to every Item made from a row
    (the whole record and the findings are read back from the store when an output needs them)."""

    def __init__(self, db: Any, out: Path, mapping: Mapping[str, str]) -> None:
        self.db = db
        self.out = str(Path(out).resolve())
        self.mapping = mapping
        self.loader: Callable[[Any], Any] | None = None
        self.finder: Callable[[str], Any] | None = None
        db.executescript(SCHEMA)

    # filling

    def clear(self) -> None:
        """Forget the rows of the last run over this folder."""
        for table in ("review", "review_groups", "review_failing"):
            self.db.execute(f"DELETE FROM {table} WHERE out = ?", (self.out,))
        self.db.commit()

    def members(self) -> Members:
        """Who each aggregate group holds (``outputs.Aggregate``), kept in the store."""
        self.db.execute("DELETE FROM review_groups WHERE out = ?", (self.out,))
        self.db.execute("DELETE FROM review_failing WHERE out = ?", (self.out,))
        return Members(self)

    def first(self, resolved: str) -> bool:
        """Whether no file of this run has this resolved path yet (the same file named twice is read once)."""
        row = self.db.execute("SELECT 1 FROM review WHERE out = ? AND resolved = ? LIMIT 1", (self.out, resolved))
        return row.fetchone() is None

    def add_file(self, path: str, resolved: str, sha256: str | None, fmt: str) -> None:
        """A file to answer (the workers read it at its absolute path)."""
        self.db.execute(
            "INSERT OR IGNORE INTO review (out, path, resolved, read_path, sha256, format) VALUES (?, ?, ?, ?, ?, ?)",
            (self.out, path, resolved, os.path.abspath(path), sha256, fmt),
        )

    def answer(self, record: Mapping[str, Any], cached: bool) -> None:
        """A file's record (checked now, or found in the store): slim, with what the passes sort and group by."""
        from .cross import agency_key
        from .dashboard import page_name
        from .store import slim

        path = str(record["path"])
        kept = slim(record)
        year = kept.get("year")
        key = agency_key(kept.get("agency"), self.mapping)
        text = json.dumps(kept, ensure_ascii=False, default=str)
        values = (
            text, int(cached), key, year if isinstance(year, int) else None, 1 if kept.get("readable") else 0,
            kept.get("agency") or "\uffff", year or 0, key or path,
            "0" + key if key and year is not None else "1", page_name(path),
        )  # fmt: skip
        cur = self.db.execute(
            "UPDATE review SET record = ?, cached = ?, key = ?, year = ?, readable = ?, by_agency = ?, by_year = ?,"
            " by_group = ?, by_cross = ?, page = ? WHERE out = ? AND path = ?",
            (*values, self.out, path),
        )
        if cur.rowcount == 0:  # not listed: a result given without a file (a test's own records)
            self.db.execute(
                "INSERT INTO review (out, path, sha256, format, record, cached, key, year, readable, by_agency,"
                " by_year, by_group, by_cross, page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.out, path, kept.get("sha256"), kept.get("format"), *values),
            )

    def commit(self) -> None:
        self.db.commit()

    # reading

    def count_stored(self, version: str, ruleset: str) -> int:
        """How many files not answered yet have a result in the store (the store's ``results`` table)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM review WHERE out = ? AND record IS NULL AND EXISTS (SELECT 1 FROM results s"
            " WHERE s.sha256 = review.sha256 AND s.version = ? AND s.ruleset = ?)",
            (self.out, version, ruleset),
        ).fetchone()
        return int(row[0])

    def count(self, where: str = "", params: tuple[Any, ...] = ()) -> int:
        sql = f"SELECT COUNT(*) FROM review WHERE out = ?{' AND ' + where if where else ''}"
        return int(self.db.execute(sql, (self.out, *params)).fetchone()[0])

    def rows(self, columns: str, order: str = "path", where: str = "", params: tuple[Any, ...] = ()) -> Iterator[Any]:
        """The rows (``columns``) in ``order``, read ``CHUNK`` at a time: the caller may write to the table between
        rows (each chunk is read whole before it is handed out)."""
        cond = f"out = ?{' AND ' + where if where else ''}"
        return _paged(self.db, "review", columns, cond, (self.out, *params), ORDERS[order])

    def items(self, order: str = "path", where: str = ANSWERED, params: tuple[Any, ...] = ()) -> Iterator[Item]:
        """An Item per answered row, made as it is reached (counts and progress restored, findings read back)."""
        for row in self.rows(_ITEM, order, where, params):
            yield self.item(row)

    def item(self, row: Any) -> Item:
        _path, text, cached, key, page, duplicate_of, tally, changes = row
        record = json.loads(text)  # a plain dict: the item lives for one step of a pass
        item = Item(record, None, key=key, page=page, cached=bool(cached), duplicate_of=duplicate_of)
        item.loader, item.finder = self.loader, self.finder
        if tally is not None:
            counts, rules = json.loads(tally)
            item.restore(counts, rules)
        if changes is not None:
            item.changes = json.loads(changes)
        return item

    def __iter__(self) -> Iterator[Item]:
        return self.items()

    def __len__(self) -> int:
        return self.count("record IS NOT NULL")

    def view(self, order: str = "path", where: str = ANSWERED, params: tuple[Any, ...] = ()) -> View:
        return View(self, order, where, params)

    def has_page(self, page: str) -> bool:
        row = self.db.execute("SELECT 1 FROM review WHERE out = ? AND page = ? LIMIT 1", (self.out, page))
        return row.fetchone() is not None

    def pending(self) -> Pending:
        """The files not answered yet, as tasks for the workers (read as they are handed out)."""
        return Pending(self)

    def duplicate_candidates(self) -> tuple[list[Any], dict[str, str | None]]:
        """The readable reports sharing their content hash or their agency-year with another (the only ones
        ``dupes.duplicates`` can group), and their agency keys."""
        other = "SELECT 1 FROM review o WHERE o.out = review.out AND o.path <> review.path AND o.readable = 1"
        where = (  # each looked up in the ledger's indexes: nothing is grouped or listed whole
            f"readable = 1 AND record IS NOT NULL AND (EXISTS ({other} AND o.sha256 = review.sha256"
            " AND o.record IS NOT NULL) OR (key IS NOT NULL AND year IS NOT NULL AND EXISTS"
            f" ({other} AND o.key = review.key AND o.year = review.year AND o.record IS NOT NULL)))"
        )
        records, keys = [], {}
        for path, key, text in self.rows("path, key, record", "path", where):
            records.append(json.loads(text))
            keys[path] = key
        return records, keys

    def how_of(self, path: str) -> str:
        row = self.db.execute("SELECT how FROM review WHERE out = ? AND path = ?", (self.out, path)).fetchone()
        return str(row[0] or "") if row else ""

    def cross_groups(self, group: int) -> Iterator[tuple[str | None, list[Any]]]:
        """The counted readable reports for the X rules: (agency key, its reports) by key, then those without a
        key or a year (None) ``group`` at a time."""
        where = "record IS NOT NULL AND readable = 1 AND duplicate_of IS NULL"
        current: str | None = None
        members: list[Any] = []
        for by_cross, text in self.rows("by_cross, record", "cross", where):
            if (by_cross != current or (by_cross == "1" and len(members) >= group)) and members:
                yield (current[1:] if current != "1" else None), members  # type: ignore[index]
                members = []
            current = by_cross
            members.append(json.loads(text))
        if members:
            yield (current[1:] if current != "1" else None), members  # type: ignore[index]

    # writing back what a pass learnt

    def save(self, item: Item) -> None:
        """An item's duplicate mark, counts and progress (after the pass that set them)."""
        tally = json.dumps(item.tallies(), ensure_ascii=False) if item.tallied else None
        changes = json.dumps(item.changes, ensure_ascii=False) if item.changes is not None else None
        self.db.execute(
            "UPDATE review SET duplicate_of = ?, tally = ?, changes = ? WHERE out = ? AND path = ?",
            (item.duplicate_of, tally, changes, self.out, item.path),
        )

    def mark_duplicate(self, path: str, kept: str, how: str) -> None:
        self.db.execute(
            "UPDATE review SET duplicate_of = ?, how = ? WHERE out = ? AND path = ?",
            (kept, how, self.out, path),
        )

    def set_render_key(self, path: str, key: str) -> None:
        self.db.execute("UPDATE review SET render_key = ? WHERE out = ? AND path = ?", (key, self.out, path))

    def set_old_key(self, page: str, key: str) -> None:
        self.db.execute("UPDATE review SET old_key = ? WHERE out = ? AND page = ?", (key, self.out, page))


def _paged(
    db: Any, table: str, columns: str, where: str, params: tuple[Any, ...], keys: tuple[str, ...] = ("path",)
) -> Iterator[Any]:
    """``SELECT columns FROM table WHERE where ORDER BY keys``, ``CHUNK`` rows per query, each query starting
    after the last row of the one before (in the index that serves the order: no offset, no sort)."""
    select = f"SELECT {columns}, {', '.join(keys)} FROM {table} WHERE {where}"
    sort = f" ORDER BY {', '.join(keys)} LIMIT {CHUNK}"
    chunk = db.execute(select + sort, params).fetchall()
    while chunk:
        for row in chunk:
            yield row[: -len(keys)]
        last = tuple(chunk[-1][-len(keys) :])
        later, values = _after(keys, last)
        # the first key's bound alone lets SQLite start the index range where the last chunk ended
        chunk = db.execute(f"{select} AND {keys[0]} >= ? AND {later}{sort}", (*params, last[0], *values)).fetchall()


def _after(keys: tuple[str, ...], values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """The condition "(keys) > (values)" in the keys' order, without row values (SQLite before 3.15 has none)."""
    if len(keys) == 1:
        return f"{keys[0]} > ?", [values[0]]
    rest, params = _after(keys[1:], values[1:])
    return f"({keys[0]} > ? OR ({keys[0]} = ? AND {rest}))", [values[0], values[0], *params]


class Members:
    """``outputs.Members`` in the ledger's tables: a group's paths are listed as they are written."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.db = ledger.db

    @staticmethod
    def _name(group: Any) -> str:
        return json.dumps(group, ensure_ascii=False)

    def join(self, group: Any, path: str, agency: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO review_groups (out, grp, path, agency) VALUES (?, ?, ?, ?)",
            (self.ledger.out, self._name(group), path, agency),
        )

    def fail(self, group: Any, rule: str, column: str | None, path: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO review_failing (out, grp, rule, col, path) VALUES (?, ?, ?, ?, ?)",
            (self.ledger.out, self._name(group), rule, "" if column is None else column, path),
        )

    def paths(self, group: Any) -> list[str]:
        return Listing(self.ledger, self._name(group))

    def agencies(self, group: Any) -> int:
        sql = "SELECT COUNT(DISTINCT agency) FROM review_groups WHERE out = ? AND grp = ?"
        return int(self.db.execute(sql, (self.ledger.out, self._name(group))).fetchone()[0])

    def culprits(self, group: Any, rule: str, column: str | None) -> list[str]:
        sql = "SELECT path FROM review_failing WHERE out = ? AND grp = ? AND rule = ? AND col = ? ORDER BY path"
        params = (self.ledger.out, self._name(group), rule, "" if column is None else column)
        return [path for (path,) in self.db.execute(sql, params)]


class Listing(list):  # type: ignore[type-arg]
    """A group's paths, sorted, read from the store each time it is looped over: a list to ``json`` (which then
    encodes it as it reads it, when indenting) and to templates, with nothing in it."""

    def __init__(self, ledger: Ledger, group: str) -> None:
        super().__init__()
        self.ledger, self.group = ledger, group

    def __iter__(self) -> Iterator[str]:
        rows = _paged(self.ledger.db, "review_groups", "path", "out = ? AND grp = ?", (self.ledger.out, self.group))
        return (path for (path,) in rows)

    def __len__(self) -> int:
        sql = "SELECT COUNT(*) FROM review_groups WHERE out = ? AND grp = ?"
        return int(self.ledger.db.execute(sql, (self.ledger.out, self.group)).fetchone()[0])

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: Any) -> Any:
        return list(iter(self))[index]

    def __eq__(self, other: object) -> bool:
        return list(iter(self)) == other

    __hash__ = None  # type: ignore[assignment]


class View:
    """Some of a ledger's items in an order, read again each time it is iterated (templates loop over it and
    ask its length)."""

    def __init__(self, ledger: Ledger, order: str, where: str, params: tuple[Any, ...]) -> None:
        self.ledger, self.order, self.where, self.params = ledger, order, where, params

    def __iter__(self) -> Iterator[Item]:
        return self.ledger.items(self.order, self.where, self.params)

    def __len__(self) -> int:
        return self.ledger.count(self.where, self.params)

    def __bool__(self) -> bool:
        return len(self) > 0


class Pending:
    """The files of a ledger not answered yet, as ``runner.Task``s: its length is counted when asked, its tasks
    read a chunk at a time while the pool hands them out (a file answered meanwhile is not handed out again)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __len__(self) -> int:
        return self.ledger.count("record IS NULL")

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Any]:
        from .runner import Task

        for path, read_path, sha256, fmt in self.ledger.rows("path, read_path, sha256, format", where="record IS NULL"):
            yield Task(path, read_path, sha256, fmt)


class StoredItems:
    """``BatchResult.items``: the review's items read back from its store after the run (counts, progress,
    duplicates; not the findings, which live only while the batch runs)."""

    def __init__(self, db: Path, out: Path) -> None:
        self.db_path = db
        self.out = out

    def __iter__(self) -> Iterator[Item]:
        import sqlite3

        db = sqlite3.connect(str(self.db_path))
        try:
            yield from Ledger(db, self.out, {}).items()
        finally:
            db.close()

    def __len__(self) -> int:
        import sqlite3

        db = sqlite3.connect(str(self.db_path))
        try:
            return len(Ledger(db, self.out, {}))
        finally:
            db.close()
