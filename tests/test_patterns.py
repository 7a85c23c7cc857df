"""Regex programs kept between runs (checker/patterns.py): the same patterns as re.compile's, read back from the
cache, and re.compile itself whenever anything about the cache or the interpreter is unexpected."""

from __future__ import annotations

import re

import pytest

from checker import patterns
from checker.cache import cache_folder
from checker.patterns import regex

PATTERNS = [
    (r"(?P<num>[一二三四五六七八九十]+[、.])?(?:(?P<t1>政府信息公开行政复议、行政诉讼情况)|(?P<t2>其他))", 0),
    (r"(?<![\d.])(\d+)(?:件|条)(?!人)", 0),
    (r"[\u4e00-\u9fff]{4,}[,;，；]", 0),
    (r"^\s*第\s*\d{1,4}\s*页\s*$", re.MULTILINE),
    (r"total|TOTAL", re.IGNORECASE),
    (r"(a)(b)?(?P<c>c)", 0),
]
SAMPLES = [
    "一、政府信息公开行政复议、行政诉讼情况",
    "收到申请12件，其中3条",
    "本机关坚持以公开为常态，不公开为例外；",
    "第 3 页",
    "Total",
    "abc ac",
]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    monkeypatch.setattr(patterns, "_STORE", patterns._Store())


def _new_process(monkeypatch) -> None:
    """What the next run sees: the store as written, nothing in memory."""
    patterns.save()
    monkeypatch.setattr(patterns, "_STORE", patterns._Store())


def _compile_all() -> list[re.Pattern[str]]:
    return [regex(pattern, flags) for pattern, flags in PATTERNS]


def _same(ours: re.Pattern[str], theirs: re.Pattern[str]) -> None:
    assert (ours.pattern, ours.flags, ours.groups, dict(ours.groupindex)) == (
        theirs.pattern,
        theirs.flags,
        theirs.groups,
        dict(theirs.groupindex),
    )
    assert ours == theirs  # CPython compares the compiled code too
    for text in SAMPLES:
        assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)]
        assert [m.groupdict() for m in ours.finditer(text)] == [m.groupdict() for m in theirs.finditer(text)]
        assert [m.lastgroup for m in ours.finditer(text)] == [m.lastgroup for m in theirs.finditer(text)]


def _no_compiling(pattern: str, flags: int) -> None:
    raise AssertionError(f"{pattern!r} compiled again instead of read from the cache")


def test_programs_are_stored_once_and_read_back_as_the_same_patterns(monkeypatch):
    first = _compile_all()
    _new_process(monkeypatch)
    assert len(list(cache_folder().glob("regex-*.pickle"))) == 1
    monkeypatch.setattr(patterns, "_program", _no_compiling)
    second = _compile_all()
    for ours, (pattern, flags), before in zip(second, PATTERNS, first, strict=True):
        _same(ours, re.compile(pattern, flags))
        _same(before, re.compile(pattern, flags))


def test_a_run_without_new_patterns_writes_nothing_and_old_patterns_do_not_pile_up(monkeypatch):
    _compile_all()
    _new_process(monkeypatch)
    (entry,) = cache_folder().glob("regex-*.pickle")
    written = entry.stat().st_mtime_ns
    _compile_all()
    patterns.save()
    assert entry.stat().st_mtime_ns == written
    monkeypatch.setattr(patterns, "MAX_PROGRAMS", 3)
    _new_process(monkeypatch)
    regex("x+")  # a new pattern; this process used only it, and the entry is over the limit
    _new_process(monkeypatch)
    assert set(patterns._STORE.load()) == {("x+", 0)}


def test_a_broken_entry_or_program_falls_back_to_compiling(monkeypatch):
    _compile_all()
    _new_process(monkeypatch)
    (entry,) = cache_folder().glob("regex-*.pickle")
    entry.write_bytes(b"\x80\x05garbage")
    for ours, (pattern, flags) in zip(_compile_all(), PATTERNS, strict=True):
        _same(ours, re.compile(pattern, flags))
    # A program the regex engine refuses (here: nonsense code) is compiled again, not trusted.
    patterns._STORE.load()[("a+", 0)] = (32, [1, 2, 3], 0, {}, (None,))
    _same(regex("a+"), re.compile("a+"))


def test_an_interpreter_with_other_internals_gets_re_compile(monkeypatch):
    class OtherEngine:
        @staticmethod
        def compile(*args: object) -> None:
            raise TypeError("compile() takes exactly 7 arguments")

    monkeypatch.setattr(patterns, "_sre", OtherEngine)
    for ours, (pattern, flags) in zip(_compile_all(), PATTERNS, strict=True):
        _same(ours, re.compile(pattern, flags))


def test_a_bad_pattern_is_the_same_error_as_re_compile():
    with pytest.raises(re.error):
        regex("(unclosed")


def test_the_vocabulary_reads_the_same_with_programs_from_the_cache(monkeypatch):
    import yaml

    from checker.labels import Vocabulary
    from checker.resources import resource_path

    data = yaml.safe_load(resource_path("grammars", "labels.yaml").read_text("utf-8"))
    plain = Vocabulary(data)
    fresh = Vocabulary(data, regex)  # compiles and keeps the programs
    _new_process(monkeypatch)
    monkeypatch.setattr(patterns, "_program", _no_compiling)
    cached = Vocabulary(data, regex)  # reads them back
    text = "二、主动公开政府信息情况 （一）本年新收政府信息公开申请数量 3.其他 行政复议 结果维持 总计"
    for vocabulary in (fresh, cached):
        assert [(s, e, m.term.key) for s, e, m in vocabulary.scan_sections(text)] == [
            (s, e, m.term.key) for s, e, m in plain.scan_sections(text)
        ]
        for label in ("（四）无法提供", "商业企业", "本年新收政府信息公开申请数量", "3.其他", "尚未审结"):
            assert vocabulary.match(label) == plain.match(label)
