"""The history of ``xxgk serve``: what a re-upload fixed (compared with the latest *different* earlier version,
as batch compares), the same in memory and in SQLite, and a corrupt history file kept aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.serve.history import MemoryStore, SQLiteStore, StoredCheck, StoredFile, compare, report_key


def _finding(rule: str, where: str = "") -> dict[str, str]:
    return {"fingerprint": f"{rule}|{where}", "rule": rule, "severity": "error", "message": f"{rule} 的说明"}


def _check(check_id: str, created: float, sha: str, findings: list[dict[str, str]], name: str = "稿.docx"):  # type: ignore[no-untyped-def]
    file = StoredFile(
        number=1, name=name, key=report_key("青河县教育局", 2022, name), sha256=sha, format="docx",
        agency="青河县教育局", year=2022, counts={"error": len(findings)}, verdict="需要修改", findings=findings,
        section="<section>…</section>", annotated=b"PK",
    )  # fmt: skip
    return StoredCheck(check_id, created, "<html></html>", [file])


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    return MemoryStore() if request.param == "memory" else SQLiteStore(str(tmp_path / "h.sqlite3"))


def test_a_reupload_is_compared_with_the_last_different_version(store) -> None:  # type: ignore[no-untyped-def]
    first = _check("a", 1.0, "sha1", [_finding("A101", "c1"), _finding("A102", "c2"), _finding("V103", "c3")])
    store.add(first)
    same = _check("b", 2.0, "sha1", first.files[0].findings)  # uploaded again unchanged
    assert compare(store, same.files[0], same.created) == {"same_file": True, "check": "a", "since": 1.0}
    store.add(same)
    # the agency fixed two cells and broke another; the file name changed (the key is agency and year)
    fixed = _check("c", 3.0, "sha2", [_finding("A101", "c1"), _finding("A101", "c9")], name="修改稿.docx")
    changes = compare(store, fixed.files[0], fixed.created)
    assert changes is not None
    assert changes["check"] == "b" and changes["new"] == 1 and changes["unchanged"] == 1
    assert [f["rule"] for f in changes["fixed"]] == ["A102", "V103"]


def test_first_upload_has_nothing_to_compare(store) -> None:  # type: ignore[no-untyped-def]
    check = _check("a", 1.0, "sha1", [_finding("A101")])
    assert compare(store, check.files[0], check.created) is None


def test_stored_checks_come_back_whole(store) -> None:  # type: ignore[no-untyped-def]
    check = _check("a", 1.0, "sha1", [_finding("A101")])
    check.files[0].changes = {"same_file": True, "check": "z", "since": 0.5}
    store.add(check)
    store.add(_check("b", 2.0, "sha2", []))
    got = store.get("a")
    assert got is not None and got.page == "<html></html>"
    assert got.files[0].section == "<section>…</section>" and got.files[0].annotated == b"PK"
    assert got.files[0].changes == {"same_file": True, "check": "z", "since": 0.5}
    assert [c.id for c in store.recent(10)] == ["b", "a"]
    assert store.get("nope") is None


def test_a_report_without_agency_and_year_is_known_by_its_name() -> None:
    assert report_key(None, 2022, "稿.docx") == report_key(None, None, "稿.docx") != report_key("甲", 2022, "稿.docx")


def test_a_corrupt_history_file_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    store = SQLiteStore(str(path))
    assert store.moved_aside and Path(store.moved_aside).read_bytes().startswith(b"not a database")
    store.add(_check("a", 1.0, "sha1", []))
    assert [c.id for c in SQLiteStore(str(path)).recent(5)] == ["a"]
