"""Regex programs kept between runs (checker/patterns.py): the same patterns as re.compile's, read back from the
cache, and re.compile itself whenever anything about the cache or the interpreter is unexpected."""

from __future__ import annotations

import re

import pytest

from checker import patterns
from checker.cache import cache_folder
from checker.patterns import compiled_once

SOURCE = b"grammars/example.yaml as it is today"
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


def _compile_all() -> list[re.Pattern[str]]:
    with compiled_once("example-re", SOURCE) as compile:
        return [compile(pattern, flags) for pattern, flags in PATTERNS]


def _same(ours: re.Pattern[str], theirs: re.Pattern[str]) -> None:
    assert (ours.pattern, ours.flags, ours.groups, dict(ours.groupindex)) == (
        theirs.pattern,
        theirs.flags,
        theirs.groups,
        dict(theirs.groupindex),
    )
    for text in SAMPLES:
        assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)]
        assert [m.groupdict() for m in ours.finditer(text)] == [m.groupdict() for m in theirs.finditer(text)]
        assert [m.lastgroup for m in ours.finditer(text)] == [m.lastgroup for m in theirs.finditer(text)]


def test_programs_are_stored_once_and_read_back_as_the_same_patterns(monkeypatch):
    first = _compile_all()
    assert len(list(cache_folder().glob("example-re-*.pickle"))) == 1

    def no_compiling(pattern: str, flags: int) -> None:
        raise AssertionError(f"{pattern!r} compiled again instead of read from the cache")

    monkeypatch.setattr(patterns, "_program", no_compiling)
    second = _compile_all()
    for ours, (pattern, flags), before in zip(second, PATTERNS, first, strict=True):
        _same(ours, re.compile(pattern, flags))
        _same(before, re.compile(pattern, flags))


def test_another_source_is_another_entry_never_a_stale_one():
    _compile_all()
    with compiled_once("example-re", SOURCE + b" changed") as compile:
        compile("x+")
    assert len(list(cache_folder().glob("example-re-*.pickle"))) == 2


def test_a_broken_entry_or_program_falls_back_to_compiling():
    _compile_all()
    (entry,) = cache_folder().glob("example-re-*.pickle")
    entry.write_bytes(b"\x80\x05garbage")
    for ours, (pattern, flags) in zip(_compile_all(), PATTERNS, strict=True):
        _same(ours, re.compile(pattern, flags))
    # A program the regex engine refuses (here: nonsense code) is compiled again, not trusted.
    with compiled_once("example-re", b"bad") as compile:
        compile.programs[("a+", 0)] = (32, [1, 2, 3], 0, {}, (None,))  # type: ignore[attr-defined]
        _same(compile("a+"), re.compile("a+"))


def test_an_interpreter_with_other_internals_gets_re_compile(monkeypatch):
    class OtherEngine:
        @staticmethod
        def compile(*args: object) -> None:
            raise TypeError("compile() takes exactly 7 arguments")

    monkeypatch.setattr(patterns, "_sre", OtherEngine)
    for ours, (pattern, flags) in zip(_compile_all(), PATTERNS, strict=True):
        _same(ours, re.compile(pattern, flags))


def test_a_bad_pattern_is_the_same_error_as_re_compile():
    with compiled_once("example-re", SOURCE) as compile, pytest.raises(re.error):
        compile("(unclosed")


def test_the_vocabulary_reads_the_same_with_programs_from_the_cache():
    import yaml

    from checker.labels import Vocabulary, vocabulary
    from checker.resources import resource_path

    data = yaml.safe_load(resource_path("grammars", "labels.yaml").read_text("utf-8"))
    plain = Vocabulary(data)
    vocabulary.cache_clear()
    vocabulary()  # stores the programs
    vocabulary.cache_clear()
    cached = vocabulary()  # reads them back
    text = "二、主动公开政府信息情况 （一）本年新收政府信息公开申请数量 3.其他 行政复议 结果维持 总计"
    assert [(s, e, m.term.key) for s, e, m in cached.scan_sections(text)] == [
        (s, e, m.term.key) for s, e, m in plain.scan_sections(text)
    ]
    for label in ("（四）无法提供", "商业企业", "本年新收政府信息公开申请数量", "3.其他", "尚未审结"):
        assert (cached.match(label) or None) == (plain.match(label) or None)
    vocabulary.cache_clear()
