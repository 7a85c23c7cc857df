"""The report grammar over token streams that stop anywhere: every token is either in the tree or set aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from lark import Token, Tree

from checker.grammar import parse
from checker.lexer import Tok, tokenize
from checker.readers import read

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"


def toks(*kinds: str) -> list[Tok]:
    return [Tok(kind, kind, None) for kind in kinds]  # type: ignore[arg-type]


def taken(tree: Tree) -> list[int]:
    """Indices of the tokens the tree holds (a token's value is its index in the stream)."""
    return sorted(int(t) for t in tree.scan_values(lambda v: isinstance(v, Token)))


@pytest.mark.parametrize(
    "kinds",
    [
        # A column header with no row after it: LALR allows $END in that state, yet the reductions it starts fail.
        ("INFO_HDR",),
        ("TEXT", "INFO_HDR", "ACTIVE_COL"),
        ("SECTION", "TEXT", "INFO_HDR", "ACTIVE_COL", "ACTIVE_COL"),
    ],
)
def test_a_stream_stopping_where_the_end_only_seems_allowed_ends_at_the_last_real_end(kinds):
    tokens = toks(*kinds)
    tree, skipped = parse(tokens)
    kept = taken(tree)
    assert [tokens[i].kind for i in kept] == [k for k in kinds if k in ("SECTION", "TEXT")]
    assert len(kept) + len(skipped) == len(tokens)
    assert [t.kind for t in skipped] == [k for k in kinds if k not in ("SECTION", "TEXT")]


def test_every_prefix_of_a_real_token_stream_parses_and_loses_no_token():
    tokens = tokenize(read(str(EXAMPLE)))
    assert len(tokens) > 100
    for end in range(1, len(tokens) + 1, 3):
        prefix = tokens[:end]
        tree, skipped = parse(prefix)
        assert len(taken(tree)) + len(skipped) == end


def test_the_grammar_tables_are_cached_per_user_and_a_broken_cache_file_is_rebuilt(tmp_path, monkeypatch):
    from checker.cache import cache_folder
    from checker.grammar import TokenListLexer, cached_lark
    from checker.resources import resource_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    grammar = resource_path("grammars", "report.lark").read_text(encoding="utf-8")
    stream = toks("SECTION", "TEXT")

    def parses(lark) -> list[int]:  # type: ignore[no-untyped-def]
        return taken(lark.parse(stream))

    built = cached_lark("report", grammar, lexer=TokenListLexer, maybe_placeholders=False)
    files = list(cache_folder().glob("report-*.lark"))
    assert len(files) == 1 and files[0].stat().st_size > 1000
    loaded = cached_lark("report", grammar, lexer=TokenListLexer, maybe_placeholders=False)
    assert parses(loaded) == parses(built) == [0, 1]
    files[0].write_bytes(files[0].read_bytes()[:200])  # half written by a process that was stopped
    rebuilt = cached_lark("report", grammar, lexer=TokenListLexer, maybe_placeholders=False)
    assert parses(rebuilt) == [0, 1]
    assert files[0].stat().st_size > 1000
    # another grammar text is another file, never a stale table
    cached_lark("report", grammar + "\n// changed\n", lexer=TokenListLexer, maybe_placeholders=False)
    assert len(list(cache_folder().glob("report-*.lark"))) == 2


def test_a_real_file_ending_on_a_header_without_rows_reaches_the_replay_and_loses_no_token(tmp_path):
    """The replay in ``grammar.parse`` (``_end_where_it_could``) is reached from a real file, not only from
    made-up token streams: a 第二十条 column header with no 第二十条 heading and no row after it is taken by the
    parser token by token, and only the end fails. The replay ends the document before the header and sets the
    header aside; the report is still read."""
    from checker.extract import extract_path

    path = tmp_path / "header-only.md"
    path.write_text(
        "# 某县2022年政府信息公开工作年度报告\n\n## 二、主动公开政府信息情况\n\n"
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n",
        encoding="utf-8",
    )
    tokens = tokenize(read(str(path)))
    assert [t.kind for t in tokens][-4:] == ["INFO_HDR", "ACTIVE_COL", "ACTIVE_COL", "ACTIVE_COL"]
    tree, skipped = parse(tokens)
    # every header token was accepted when fed (none is skipped on the way), so only the replay sets them aside
    assert [t.kind for t in skipped] == ["INFO_HDR", "ACTIVE_COL", "ACTIVE_COL", "ACTIVE_COL"]
    assert [tokens[i].kind for i in taken(tree)] == [t.kind for t in tokens[:-4]]
    report = extract_path(str(path))
    assert report.readable and "二" in report.sections
