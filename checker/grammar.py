"""The report grammar (grammars/report.lark), compiled once per process, run over the lexer's tokens."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lark import Token
from lark.lexer import Lexer as LarkLexer

from .resources import resource_path

if TYPE_CHECKING:
    from lark import Lark, Tree

    from .lexer import Tok


class TokenListLexer(LarkLexer):
    """Feeds the lexer's tokens to Lark; a token's value is its index in the list. At module level: the
    cached parser names it (pickled by reference)."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: list[Tok]):  # type: ignore[override]
        for i, tok in enumerate(data):
            yield Token(tok.kind, str(i))


def cached_lark(name: str, grammar: str, **options: Any) -> Lark:
    """A Lark LALR parser whose grammar analysis (~40 ms for the report grammar, most of a cold start's
    parsing) is kept in a per-user cache file, named by a digest of the grammar, the options and the Lark and
    Python versions, so a changed grammar or an upgrade never meets a stale table. Lark verifies the file's
    digest line and rebuilds (and rewrites) when the file is missing, unreadable or half-written by a
    concurrent process; a folder that cannot be created means no cache, never an error."""
    from lark import Lark, __version__

    from .cache import entry_path

    path = entry_path(name, f"{grammar}\0{sorted(options.items(), key=str)}\0{__version__}".encode(), ".lark")
    return Lark(grammar, parser="lalr", cache=str(path) if path is not None else False, **options)


@lru_cache(maxsize=1)
def parser() -> Lark:
    grammar = resource_path("grammars", "report.lark").read_text(encoding="utf-8")
    return cached_lark("report", grammar, lexer=TokenListLexer, maybe_placeholders=False)


def parse(tokens: list[Tok]) -> tuple[Tree, list[Tok]]:
    """Parse, skipping tokens that fit nowhere; returns the tree and the skipped tokens.

    The tokens are fed one by one to Lark's interactive LALR parser: a token the grammar cannot take where
    it stands is set aside (and reported by the interpreter) instead of failing the whole document.
    """
    from lark import Token
    from lark.exceptions import UnexpectedToken

    skipped: list[Tok] = []
    fed: list[int] = []  # indices of the tokens the parser took
    # How many of them had been taken at each point where the state allows $END. LALR merges look-aheads, so
    # $END may be allowed in a state and still fail after the reductions it triggers: these are only candidates.
    may_end: list[int] = []
    interactive = parser().parse_interactive([])  # type: ignore[arg-type]
    states = interactive.parser_state.parse_conf.states
    for i, tok in enumerate(tokens):
        try:
            interactive.feed_token(Token(tok.kind, str(i)))
        except UnexpectedToken:
            skipped.append(tok)
            continue
        fed.append(i)
        if "$END" in states[interactive.parser_state.position]:
            may_end.append(len(fed))
    try:
        return interactive.feed_eof(), skipped
    except UnexpectedToken:
        tree, taken = _end_where_it_could(tokens, fed, may_end)
        return tree, skipped + [tokens[i] for i in fed[taken:]]


def _end_where_it_could(tokens: list[Tok], fed: list[int], may_end: list[int]) -> tuple[Tree, int]:
    """The document stops inside a construct (a truncated file): end it at the last point where it really
    could end, trying each candidate on a copy of the parser; returns the tree and how many tokens it took.

    Rare, so the prefix is simply parsed again. An empty document always ends, so there is always an answer.
    """
    from lark import Token
    from lark.exceptions import UnexpectedToken

    replay = parser().parse_interactive([])  # type: ignore[arg-type]
    tree, taken = replay.copy().feed_eof(), 0
    candidates = set(may_end)
    for count, i in enumerate(fed, start=1):
        replay.feed_token(Token(tokens[i].kind, str(i)))
        if count in candidates:
            try:
                tree, taken = replay.copy().feed_eof(), count
            except UnexpectedToken:
                continue
    return tree, taken
