"""The batch store: an embedded SQLite database that makes a batch resumable and remembers past years.

Two things are kept:

* ``results``: the outcome of checking one file (its *record*, below), keyed by the file's content hash
  (sha256), the xxgk version and the digest of the rule set (rules and grammar files). A rerun of the same
  batch finds every finished file here and does not check it again; a file that changed, a new xxgk or a
  changed rule file is checked anew. Each result is committed as soon as it arrives, so a batch that is
  killed loses at most the files that were being checked at that moment.
* ``extracted``: each file's canonical numbers and narrative by agency and year, whatever the version, so that
  next year's batch (with the same ``--db``) can check its carry-overs against this year's reports (family X).

A *record* is the plain JSON form of one checked report: what the contract's report object needs, the cell
sources (for the per-report page and for locating cross-report findings), the section headings, and the
narrative of sections 一/五/六 (for duplicate-text checks). Records round-trip through JSON exactly, so a
result read back from the store is identical to a fresh one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Container, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import ids

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding

SCHEMA_VERSION = 1
# SQLite's page cache of a connection, in KiB (its default is 2,000): a batch reads the store in passes, a row at
# a time, and gains nothing from a bigger one; its parent's memory is what SQLite keeps plus a constant.
CACHE_KB = 512
# Sections whose narrative is kept for X103 (duplicate text): 总体情况, 存在的主要问题, 其他需要报告的事项.
TEXT_SECTIONS = ("一", "五", "六")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT NOT NULL, version TEXT NOT NULL, ruleset TEXT NOT NULL,
    path TEXT, record TEXT NOT NULL, checked_at REAL, light TEXT,
    PRIMARY KEY (sha256, version, ruleset)
);
CREATE TABLE IF NOT EXISTS extracted (
    sha256 TEXT PRIMARY KEY, path TEXT, agency TEXT, year INTEGER, edition TEXT,
    numbers TEXT NOT NULL, texts TEXT NOT NULL, updated REAL
);
CREATE INDEX IF NOT EXISTS extracted_year ON extracted (year);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL, finished REAL, out TEXT,
    files INTEGER, cached INTEGER, checked INTEGER, status TEXT
);
CREATE TABLE IF NOT EXISTS run_reports (
    run INTEGER NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, path TEXT, sha256 TEXT,
    findings TEXT NOT NULL, PRIMARY KEY (run, agency, year)
);
CREATE INDEX IF NOT EXISTS run_reports_key ON run_reports (agency, year);
CREATE TABLE IF NOT EXISTS cross_cache (seq INTEGER PRIMARY KEY, path TEXT NOT NULL, finding TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cross_cache_path ON cross_cache (path, seq);
"""  # and the ledger's tables (``ledger.SCHEMA``, made by the ledger)


class StoreCorrupt(Exception):
    """SQLite cannot use the store file (not a database, truncated, damaged pages)."""


# -- digests ---------------------------------------------------------------------------------------------------


def file_sha256(path: str | Path) -> str | None:
    """The content hash of a file, or None when it cannot be read (the worker then reports why)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def ruleset_digest(extra_rules: Iterable[str | Path] = ()) -> str:
    """A digest of everything besides the code that decides a file's findings: every rule file (shipped and
    extra) and the grammar and label vocabulary. Changing any of them invalidates the stored results."""
    from ..engine import rule_files
    from ..resources import data_dir

    digest = hashlib.sha256()
    grammars = sorted(p for p in data_dir("grammars").rglob("*") if p.is_file())
    for path in [*rule_files(extra_rules), *grammars]:
        digest.update(Path(path).name.encode() + b"\0")
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


# -- records ---------------------------------------------------------------------------------------------------


def _num(value: Any) -> Any:
    """A cell number as JSON: ints stay ints, decimals become {"d": "12.5"} so they come back as Decimal."""
    if isinstance(value, Decimal):
        return {"d": format(value, "f")}
    return value


def _unnum(value: Any) -> Any:
    if isinstance(value, dict):
        return Decimal(value["d"])
    return value


def _source(source: Any) -> list[Any]:
    return [source.line, source.page, source.table, source.row, source.col]


def make_record(report: Report, findings: list[Finding], sha256: str | None) -> dict[str, Any]:
    """The plain JSON form of a checked report (see the module docstring)."""
    parsed = report.parsed
    cells = []
    for path, cell in report.cells.items():
        v = cell.value
        cells.append([list(path), v.raw, _num(v.number), v.blank, v.signed, v.unit, *_source(cell.source)])
    texts: dict[str, str] = {}
    headings: list[list[Any]] = []
    tables: dict[str, list[Any]] = {}
    conflicts: list[list[str]] = []
    if parsed is not None:
        for section, tok in parsed.texts:
            if section in TEXT_SECTIONS:
                texts[section] = (texts.get(section, "") + "\n" + tok.text).strip()
        headings = [[key, tok.text, tok.source.line, tok.source.page] for key, tok in parsed.sections]
        tables = {key: _source(source) for key, source in parsed.tables.items()}
        conflicts = sorted(list(p) for p in parsed.conflicts)
    record = {
        "sha256": sha256,
        "path": report.path,
        "format": report.format,
        "edition": report.edition,
        "year": report.year,
        "agency": report.agency,
        "title": report.title,
        "sections": list(report.sections),
        "readable": report.readable,
        "headings": headings,
        "tables_found": tables,
        "conflicts": conflicts,
        "cells": cells,
        "texts": texts,
        "findings": [f.json() for f in findings],
    }
    if report.document is not None and report.document.ocr is not None:
        record["ocr"] = True  # read from page images by OCR (as the JSON of ``check`` says)
    return normalise(record)


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    """The record exactly as it will read back from JSON (tuples → lists, Decimal expected → float)."""
    return json.loads(json.dumps(record, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def failure_record(path: str, fmt: str, message: str, sha256: str | None, rule: str = ids.UNREADABLE) -> dict[str, Any]:
    """The record of a file that could not be checked at all: timeout, crash of its worker, internal error."""
    finding = {
        "rule": rule,
        "severity": "error",
        "message": message,
        "location": {
            "section": None,
            "table": None,
            "row": None,
            "column": None,
            "line": None,
            "page": None,
            "cell": None,
        },
    }
    return normalise(
        {
            "sha256": sha256,
            "path": path,
            "format": fmt,
            "edition": "unknown",
            "year": None,
            "agency": None,
            "title": None,
            "sections": [],
            "readable": False,
            "headings": [],
            "tables_found": {},
            "conflicts": [],
            "cells": [],
            "texts": {},
            "findings": [finding],
            "transient": True,  # not stored: a timeout or a crash is tried again on the next run
        }
    )


# Cells a light record keeps: those the cross-year rules read (X101, X102, X104), with their sources.
_CROSS_CELLS = ("applications.carried_over.", "applications.carried_forward.", "active.art20_1.")
_CROSS_COLUMNS = ("prev_items", "change")  # 2019 表二 chains (X102), in every block
_HEAVY = ("cells", "headings", "tables_found", "conflicts")


def is_cross_cell(key: str) -> bool:
    """Whether the cross-year rules read this cell (``applications.carried_over.total``…)."""
    return key.startswith(_CROSS_CELLS) or key.rsplit(".", 1)[-1] in _CROSS_COLUMNS


def light(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a record a batch keeps in memory for every report (its memory stays flat as reports grow):
    everything but the cells, the headings and the table positions — except the cells the cross-year rules read.
    ``cells_read`` counts what the reader placed (the duplicate preference). The whole record is read back from
    the store when a page or a table needs it (``Store.full``)."""
    if record.get("light") or not record.get("sha256") or record.get("transient"):
        return record  # already light, or not in the store (kept whole: failures are small)
    out = {k: v for k, v in record.items() if k not in _HEAVY}
    cells = record.get("cells") or []
    out["cells"] = [c for c in cells if is_cross_cell(".".join(c[0]))]
    out["cells_read"] = sum(1 for c in cells if c[2] is not None or c[3])
    out["light"] = True
    return out


_SLIM_DROP = ("findings", "cells", "texts")


def slim(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a batch's ledger keeps of each report the store holds: who, which year, what format, whether readable
    and how many cells were read — not its findings, cells or texts (read back in passes: ``Store.light_of``).
    A record not in the store (a timeout, a crash, an unhashed file) is kept whole."""
    if record.get("slim"):
        return dict(record)
    if not record.get("sha256") or record.get("transient"):
        return dict(record)
    out = {k: v for k, v in light(dict(record)).items() if k not in _SLIM_DROP}
    out["slim"] = True
    return out


slim_record = slim  # the name inside Store, whose methods take a ``slim`` flag


def finding_dict(finding: Finding) -> dict[str, Any]:
    """Every field of a Finding, for ``Finding(**…)`` after a JSON round trip."""
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "location": finding.location,
        "expected": finding.expected,
        "actual": finding.actual,
        "related": finding.related,
    }


def numbers(record: dict[str, Any]) -> dict[str, Any]:
    """``"applications.carried_over.research" -> number`` for every numeric or blank cell (blank → None);
    cells holding text are left out. Decimals are {"d": …} as in the record."""
    out: dict[str, Any] = {}
    for path, _raw, number, blank, *_rest in record["cells"]:
        if number is not None or blank:
            out[".".join(path)] = None if blank else number
    return out


def cell_source(record: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """``{"line", "page", "cell"}`` of a cell of the record (all None when unknown)."""
    from ..model import Source

    for cell_path, *_values, line, page, table, row, col in record["cells"]:
        if tuple(cell_path) == path:
            source = Source(line, page, table, row, col)
            return {"line": source.line, "page": source.page, "cell": source.cell}
    return {"line": None, "page": None, "cell": None}


def report_from_record(record: dict[str, Any]) -> Report:
    """A Report (no document) rebuilt from a record: enough for the contract's report object, the CSV of
    tables and the per-report findings page."""
    from ..extract import Report
    from ..interpret import CellRead, Parsed
    from ..lexer import Tok
    from ..model import Source
    from ..values import Value

    cells = {}
    for path, raw, number, blank, signed, unit, *source in record["cells"]:
        key = tuple(path)
        value = Value(raw, _unnum(number), unit=unit, signed=signed, blank=blank)
        cells[key] = CellRead(key, value, Source(*source))
    parsed = Parsed()
    parsed.sections = [(key, Tok("SECTION", text, Source(line, page))) for key, text, line, page in record["headings"]]
    parsed.tables = {key: Source(*source) for key, source in record["tables_found"].items()}
    parsed.conflicts = {tuple(p) for p in record["conflicts"]}
    parsed.cells = cells
    report = Report(
        path=record["path"],
        format=record["format"],
        edition=record["edition"],
        year=record["year"],
        agency=record["agency"],
        title=record["title"],
        sections=list(record["sections"]),
        cells=cells,
        parsed=parsed,
        readable=record["readable"],
    )
    if record.get("ocr"):  # read by OCR: what every output asks of the report (``output.read_by_ocr``)
        from ..model import Document

        report.document = Document(path=record["path"], format=record["format"], ocr={})
    return report


def findings_from_record(record: dict[str, Any]) -> list[Finding]:
    from ..findings import Finding

    return [
        Finding(
            rule=f["rule"],
            severity=f["severity"],
            message=f["message"],
            location=dict(f.get("location") or {}),
            expected=f.get("expected"),
            actual=f.get("actual"),
            related=list(f.get("related") or []),
        )
        for f in record["findings"]
    ]


# -- the store -------------------------------------------------------------------------------------------------


class Store:
    """The SQLite file. Only the batch's main process opens it; workers never touch it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=30.0)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(f"PRAGMA cache_size=-{CACHE_KB}")
            self.db.execute(f"PRAGMA temp.cache_size=-{CACHE_KB}")  # the run's findings (a temporary table)
            # a damaged page is found here, before the batch relies on the file (quick_check reads every page)
            problems = [row[0] for row in self.db.execute("PRAGMA quick_check(3)")]
            if problems != ["ok"]:
                raise StoreCorrupt("; ".join(str(p) for p in problems)[:120])
            self.db.executescript(_SCHEMA)
            # this run's findings of each report (single-report and X merged), read back by every output's pass
            self.db.execute("CREATE TEMP TABLE run_findings (path TEXT PRIMARY KEY, findings TEXT NOT NULL)")
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(results)")}
            if "light" not in columns:  # a store of an earlier xxgk: light records are made on reading
                self.db.execute("ALTER TABLE results ADD COLUMN light TEXT")
            self.db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            raise StoreCorrupt(str(exc)[:120]) from None
        except StoreCorrupt:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # results

    def get_results(
        self, hashes: Iterable[str], version: str, ruleset: str, *, whole: bool = False, slim: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Stored records by content hash, for the given version and rule set: light ones (``light``) unless
        ``whole``, or only what a batch holds in memory (``slim``)."""
        out: dict[str, dict[str, Any]] = {}
        wanted = sorted({h for h in hashes if h})
        column = "record" if whole else "COALESCE(light, record)"
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT sha256, {column} FROM results WHERE version = ? AND ruleset = ? AND sha256 IN ({marks})",
                (version, ruleset, *chunk),
            )
            for sha, text in rows:
                record = json.loads(text)
                out[sha] = record if whole else slim_record(record) if slim else light(record)
        return out

    def full(self, record: dict[str, Any], version: str, ruleset: str) -> dict[str, Any]:
        """The whole record of a light one (with the light one's path: the same content may sit at two paths)."""
        if not record.get("light"):
            return record
        return dict(json.loads(self._stored(record, version, ruleset, "record")), path=record["path"])

    def light_of(self, record: dict[str, Any], version: str, ruleset: str) -> dict[str, Any]:
        """The light record (findings, the cells the X rules read, texts) of a slim one, at the slim one's path."""
        if not record.get("slim"):
            return record
        text = self._stored(record, version, ruleset, "COALESCE(light, record)")
        return dict(light(json.loads(text)), path=record["path"])

    def _stored(self, record: dict[str, Any], version: str, ruleset: str, column: str) -> str:
        """The stored JSON (``column``: one of the two SQL expressions above) of a record's result."""
        row = self.db.execute(
            f"SELECT {column} FROM results WHERE sha256 = ? AND version = ? AND ruleset = ?",
            (record["sha256"], version, ruleset),
        ).fetchone()
        if row is None:  # cannot happen while the batch holds its folder's lock; be safe
            raise KeyError(record["sha256"])
        return str(row[0])

    # this run's findings of each report, and the X findings of the last run (kept: a rerun does not redo them)

    def put_findings(self, path: str, findings: list[Finding]) -> None:
        text = json.dumps([finding_dict(f) for f in findings], ensure_ascii=False, default=_default)
        self.db.execute("INSERT OR REPLACE INTO run_findings (path, findings) VALUES (?, ?)", (path, text))

    def findings_of(self, path: str) -> list[Finding]:
        from ..findings import Finding

        row = self.db.execute("SELECT findings FROM run_findings WHERE path = ?", (path,)).fetchone()
        return [Finding(**f) for f in json.loads(row[0])] if row else []

    def cross_ready(self, key: str) -> bool:
        """Whether the X findings of ``key`` (a digest of what they are made of) are kept from an earlier run."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'cross'").fetchone()
        return row is not None and row[0] == key

    def start_cross(self) -> None:
        """Forget the kept X findings (new ones follow with ``add_cross``, then ``end_cross``)."""
        self.db.execute("DELETE FROM meta WHERE key = 'cross'")
        self.db.execute("DELETE FROM cross_cache")

    def add_cross(self, seq: int, path: str, finding: Finding) -> None:
        text = json.dumps(finding_dict(finding), ensure_ascii=False, default=_default)
        self.db.execute("INSERT INTO cross_cache (seq, path, finding) VALUES (?, ?, ?)", (seq, path, text))

    def end_cross(self, key: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('cross', ?)", (key,))
        self.db.commit()

    def cross_of(self, path: str) -> list[Finding]:
        """The kept X findings of one report, in the order they were found."""
        from ..findings import Finding

        rows = self.db.execute("SELECT finding FROM cross_cache WHERE path = ? ORDER BY seq", (path,))
        return [Finding(**json.loads(text)) for (text,) in rows]

    def put_result(self, record: dict[str, Any], version: str, ruleset: str) -> None:
        """Keep a finished result (committed at once). Timeouts and crashes are not kept: they are retried."""
        sha = record.get("sha256")
        if not sha or record.get("transient"):
            return
        now = time.time()
        self.db.execute(
            "INSERT OR REPLACE INTO results (sha256, version, ruleset, path, record, checked_at, light)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                sha,
                version,
                ruleset,
                record["path"],
                json.dumps(record, ensure_ascii=False),
                now,
                json.dumps(light(record), ensure_ascii=False),
            ),
        )
        if record.get("readable") and record.get("year") is not None and record.get("cells"):
            self.db.execute(
                "INSERT OR REPLACE INTO extracted (sha256, path, agency, year, edition, numbers, texts, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sha,
                    record["path"],
                    record.get("agency"),
                    record["year"],
                    record["edition"],
                    json.dumps(numbers(record), ensure_ascii=False),
                    json.dumps(record.get("texts") or {}, ensure_ascii=False),
                    now,
                ),
            )
        self.db.commit()

    def count_results(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    # past years

    def extracted(
        self, years: Iterable[int], skip: Container[str] = (), review: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stored extractions of the given years, most recently updated first, without those whose content hash
        is in ``skip`` (the batch's own reports: their numbers are not parsed, so memory stays flat), nor the
        counted reports of the review folder ``review`` (its ledger rows: left out by the query itself, so that
        SQLite sorts only the earlier batches' reports)."""
        wanted = sorted(set(years))
        if not wanted:
            return
        marks = ",".join("?" * len(wanted))
        params: list[Any] = list(wanted)
        mine = ""
        if review is not None:
            mine = (  # its counted rows (``ledger``: answered, not a copy), looked up in the ledger's index
                " AND NOT EXISTS (SELECT 1 FROM review r WHERE r.out = ? AND r.sha256 = extracted.sha256"
                " AND r.record IS NOT NULL AND r.duplicate_of IS NULL)"
            )
            params.append(review)
        rows = self.db.execute(
            "SELECT sha256, path, agency, year, edition, numbers, texts FROM extracted"
            f" WHERE year IN ({marks}){mine} ORDER BY updated DESC, sha256",
            params,
        )
        for sha, path, agency, year, edition, nums, texts in rows:
            if sha in skip:
                continue
            yield {
                "sha256": sha,
                "path": path,
                "agency": agency,
                "year": year,
                "edition": edition,
                "numbers": json.loads(nums),
                "texts": json.loads(texts),
            }

    # runs

    def start_run(self, out: str, files: int, cached: int) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started, out, files, cached, checked, status) VALUES (?, ?, ?, ?, 0, 'running')",
            (time.time(), out, files, cached),
        )
        self.db.commit()
        return int(cur.lastrowid or 0)

    def progress_run(self, run: int, checked: int) -> None:
        self.db.execute("UPDATE runs SET checked = ? WHERE id = ?", (checked, run))

    def finish_run(self, run: int, checked: int, status: str) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, checked = ?, status = ? WHERE id = ?", (time.time(), checked, status, run)
        )
        self.db.commit()

    # findings of each agency-year per run (progress since an earlier run)

    def put_run_reports(self, run: int, rows: Iterable[tuple[str, int, str, str | None, list[str]]]) -> None:
        """(agency key, year, path, sha256, finding fingerprints) of each report counted in this run."""
        self.db.executemany(
            "INSERT OR REPLACE INTO run_reports (run, agency, year, path, sha256, findings) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (run, key, year, path, sha, json.dumps(prints, ensure_ascii=False))
                for key, year, path, sha, prints in rows
            ],
        )
        self.db.commit()

    def previous_of(self, run: int, key: str, year: int) -> list[dict[str, Any]]:
        """``previous_reports(run)[(key, year)]`` for one agency-year (read when needed: memory stays flat)."""
        rows = self.db.execute(
            "SELECT r.run, r.path, r.sha256, r.findings, runs.started FROM run_reports r"
            " JOIN runs ON runs.id = r.run WHERE r.agency = ? AND r.year = ? AND r.run < ? AND runs.status = 'done'"
            " ORDER BY r.run",
            (key, year, run),
        )
        return [
            {"run": run_id, "path": path, "sha256": sha, "findings": prints, "started": started}
            for run_id, path, sha, prints, started in rows
        ]

    def previous_reports(self, run: int) -> dict[tuple[str, int], list[dict[str, Any]]]:
        """For each agency-year, its findings in every finished run before ``run`` that held it, oldest first."""
        rows = self.db.execute(
            "SELECT r.run, r.agency, r.year, r.path, r.sha256, r.findings, runs.started FROM run_reports r"
            " JOIN runs ON runs.id = r.run WHERE r.run < ? AND runs.status = 'done' ORDER BY r.run",
            (run,),
        )
        out: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for run_id, key, year, path, sha, prints, started in rows:
            out.setdefault((key, year), []).append(
                {"run": run_id, "path": path, "sha256": sha, "findings": prints, "started": started}
            )
        return out

    def runs(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT id, files, cached, checked, status FROM runs ORDER BY id")
        return [dict(zip(("id", "files", "cached", "checked", "status"), row, strict=True)) for row in cur]
