"""The report grammar (grammars/report.lark), compiled once per process, run over the lexer's tokens."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .resources import resource_path

if TYPE_CHECKING:
    from lark import Lark, Tree

    from .lexer import Tok


@lru_cache(maxsize=1)
def parser() -> Lark:
    from lark import Lark, Token
    from lark.lexer import Lexer as LarkLexer

    class TokenListLexer(LarkLexer):
        """Feeds the lexer's tokens to Lark; a token's value is its index in the list."""

        def __init__(self, lexer_conf: object) -> None:
            pass

        def lex(self, data: list[Tok]):  # type: ignore[override]
            for i, tok in enumerate(data):
                yield Token(tok.kind, str(i))

    grammar = resource_path("grammars", "report.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer=TokenListLexer, maybe_placeholders=False)


def parse(tokens: list[Tok]) -> tuple[Tree, list[Tok]]:
    """Parse, skipping tokens that fit nowhere; returns the tree and the skipped tokens.

    The tokens are fed one by one to Lark's interactive LALR parser: a token the grammar cannot take where
    it stands is set aside (and reported by the interpreter) instead of failing the whole document.
    """
    from lark import Token
    from lark.exceptions import UnexpectedToken

    skipped: list[Tok] = []
    fed: list[int] = []  # indices of the tokens the parser took
    can_end = 0  # how many of them were taken when the document could last have ended
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
            can_end = len(fed)
    try:
        return interactive.feed_eof(), skipped
    except UnexpectedToken:
        # The document stops inside a construct (a truncated file): end it where it last could end, and set
        # the tokens after that point aside. Rare, so the prefix is simply parsed again.
        replay = parser().parse_interactive([])  # type: ignore[arg-type]
        for i in fed[:can_end]:
            replay.feed_token(Token(tokens[i].kind, str(i)))
        return replay.feed_eof(), skipped + [tokens[i] for i in fed[can_end:]]
