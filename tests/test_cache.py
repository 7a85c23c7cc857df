"""The per-user cache (checker/cache.py): entries named by what they are made from, rebuilt when unreadable."""

from __future__ import annotations

import pytest

from checker.cache import cache_folder, cached


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))


def test_an_entry_is_made_once_and_read_back_for_the_same_key():
    made = []

    def make():
        made.append(1)
        return {"rules": [1, 2]}

    assert cached("t", b"key", make) == {"rules": [1, 2]}
    assert cached("t", b"key", make) == {"rules": [1, 2]}
    assert len(made) == 1
    assert cached("t", b"other key", make) == {"rules": [1, 2]}
    assert len(made) == 2  # another input, another entry: never a stale one
    assert len(list(cache_folder().glob("t-*.pickle"))) == 2


def test_a_broken_entry_is_made_again_and_a_folder_that_cannot_be_made_means_no_cache(tmp_path, monkeypatch):
    cached("t", b"key", lambda: "first")
    (entry,) = cache_folder().glob("t-*.pickle")
    entry.write_bytes(b"\x80\x05garbage")  # half written, or another Python's
    assert cached("t", b"key", lambda: "again") == "again"
    assert cached("t", b"key", lambda: "unused") == "again"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setenv("LOCALAPPDATA", str(blocker))
    assert cached("t", b"key", lambda: "no cache") == "no cache"


def test_rule_files_read_through_the_cache_give_the_same_rules():
    from checker.engine import load_rules

    first = load_rules()
    assert list(cache_folder().glob("rules-*.pickle"))
    again = load_rules()
    assert {k: (r.check, r.compiled, r.file) for k, r in first.items()} == {
        k: (r.check, r.compiled, r.file) for k, r in again.items()
    }


def test_a_memo_keeps_results_between_runs_and_writes_only_what_is_new():
    from checker.cache import Memo

    memo = Memo("m", b"grammar v1")
    assert memo == {}
    memo[("x", 1)] = "result"
    memo.save()  # at exit, in a real run
    (entry,) = cache_folder().glob("m-*.pickle")
    written = entry.stat().st_mtime_ns
    again = Memo("m", b"grammar v1")
    assert again == {("x", 1): "result"}
    again.save()  # nothing new: nothing written
    assert entry.stat().st_mtime_ns == written
    assert Memo("m", b"grammar v2") == {}  # another grammar, another entry


def test_compiled_identities_come_back_the_same_and_errors_are_never_kept():
    from checker.expr import ExprError, compile_expr
    from checker.ruleset import _compiled_expr, _expr_memo

    _expr_memo.cache_clear()
    keys, sets = {"a", "b", "total"}, {"parts": ("a", "b")}
    first = _compiled_expr("total == sum(parts)", keys, sets)
    _expr_memo().save()
    _expr_memo.cache_clear()
    assert _expr_memo()  # read back from the entry
    assert _compiled_expr("total == sum(parts)", keys, sets) == first == compile_expr("total == sum(parts)", keys, sets)
    for _ in range(2):
        with pytest.raises(ExprError):
            _compiled_expr("total == missing", keys, sets)
    _expr_memo.cache_clear()
