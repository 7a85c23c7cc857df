"""Turn the bytes of a text-like file (HTML, TXT, Markdown) into a string.

Chinese government sites serve UTF-8, GBK/GB2312 and the occasional Big5 page, often with a wrong or missing
charset declaration. Statistical detectors alone misread GBK (short Chinese texts look like many things), so
strict decodes of the likely encodings come first and the detector is only consulted when all of them fail:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. the declared charset (argument, then ``<meta charset>`` / ``http-equiv`` / ``<?xml encoding?>`` in the
   first 4 KB), verified by a strict decode;
3. strict UTF-8, then strict GB18030 (a superset of GB2312 and GBK);
4. UTF-8, the declared charset or GB18030 with a handful of corrupt bytes replaced;
5. charset-normalizer's best guess;
6. UTF-8 with replacement characters.

When bytes had to be replaced (4 and 6) the returned encoding ends in ``LOSSY_SUFFIX``, so that the caller can
record a problem.
"""

from __future__ import annotations

import codecs
import re

from ..patterns import regex

LOSSY_SUFFIX = "+replace"

_SNIFF_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = regex(rb"<meta\b[^>]{0,512}?charset\s*=\s*[\"']?\s*([a-z0-9_.:\-]+)", re.IGNORECASE)
_XML_ENCODING = regex(rb"<\?xml\b[^>]{0,200}?encoding\s*=\s*[\"']\s*([a-z0-9_.:\-]+)", re.IGNORECASE)

# Declarations that must be read as a superset (GBK pages routinely contain characters outside GB2312, and
# Big5 pages characters from HKSCS), or that browsers reinterpret (a UTF-16 <meta> in a byte-oriented file
# cannot be true: the meta itself was readable as ASCII).
_ALIASES: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "x-gbk": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "unicode": "utf-8",
    "utf8": "utf-8",
}


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding_used)``. Never raises.

    ``declared`` is a charset known from outside the content (an HTTP header, a caller's option). A byte-order
    mark overrides it, as it does in browsers.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], encoding)
            if text is not None:
                return text, encoding
            return data[len(bom) :].decode(encoding, errors="replace"), encoding + LOSSY_SUFFIX

    if data.isascii():
        return data.decode("ascii"), "ascii"

    for candidate in _declared_candidates(data, declared):
        if _is_single_byte(candidate):
            # Single-byte declarations (iso-8859-1, windows-1252, ascii) on Chinese pages are nearly always a
            # legacy server default, and they decode any byte string, so they cannot be verified: try them
            # only after UTF-8 and GB18030 have failed.
            continue
        text = _strict(data, candidate)
        if text is None:
            continue
        if candidate != "utf-8" and _strict(data, "utf-8") is not None:
            # Multi-byte text that is valid UTF-8 is UTF-8: legacy encodings almost never happen to form
            # valid UTF-8 sequences, while GB18030 decodes UTF-8 bytes into mojibake without an error.
            return data.decode("utf-8"), "utf-8"
        return text, candidate

    for candidate in ("utf-8", "gb18030"):
        text = _strict(data, candidate)
        if text is not None:
            return text, candidate

    for candidate in _declared_candidates(data, declared):
        if _is_single_byte(candidate):
            text = _strict(data, candidate)
            if text is not None:
                return text, candidate

    nearly = _nearly_clean(data, declared)
    if nearly is not None:
        return nearly

    guessed = _detect(data)
    if guessed is not None:
        return guessed

    return data.decode("utf-8", errors="replace"), "utf-8" + LOSSY_SUFFIX


def sniff_declared(data: bytes) -> str | None:
    """The charset named in the first bytes (meta tag or XML declaration), normalised, or None."""
    head = data[:_SNIFF_BYTES]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        match = pattern.search(head)
        if match:
            name = normalize_encoding(match.group(1).decode("ascii", errors="ignore"))
            if name:
                return name
    return None


def normalize_encoding(label: str | None) -> str | None:
    """Canonical Python codec name for a charset label, with supersets substituted; None if unknown."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def _declared_candidates(data: bytes, declared: str | None) -> list[str]:
    candidates: list[str] = []
    for name in (normalize_encoding(declared), sniff_declared(data)):
        if name and name not in candidates:
            candidates.append(name)
    return candidates


def _nearly_clean(data: bytes, declared: str | None) -> tuple[str, str] | None:
    """A page in a known encoding with a few corrupt bytes (a truncated download, a bad copy-paste).

    Without this step one stray byte would hand a GBK page to the detector, which then returns mojibake for
    all of it. UTF-8 goes first: a lenient GB18030 decode turns UTF-8 into mojibake with few errors, while a
    lenient UTF-8 decode of GBK text produces replacement characters everywhere.
    """
    tolerance = max(4, len(data) // 2000)
    candidates = ["utf-8"] + [c for c in _declared_candidates(data, declared) if not _is_single_byte(c)]
    candidates.append("gb18030")
    for candidate in dict.fromkeys(candidates):
        try:
            text = data.decode(candidate, errors="replace")
        except LookupError:
            continue
        if text.count("\ufffd") <= tolerance:
            return text, candidate + LOSSY_SUFFIX
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_single_byte(encoding: str) -> bool:
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return False
    # A codec is single-byte when every byte value maps on its own; probing one high byte is enough to tell
    # the charmap codecs (latin-1, cp125x, koi8...) from the CJK and UTF ones.
    if info.name in ("ascii", "latin-1", "iso8859-1"):
        return True
    try:
        return len(b"\xe4".decode(info.name)) == 1 and len(b"\xe4\xb8\xad".decode(info.name)) == 3
    except UnicodeDecodeError:
        return False


def _detect(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes  # imported late: slow to import, rarely needed
    except ImportError:  # pragma: no cover - dependency always installed
        return None
    try:
        best = from_bytes(data).best()
    except Exception:  # a detector failure only means "no guess"
        return None
    if best is None or not best.encoding:
        return None
    name = normalize_encoding(best.encoding) or best.encoding
    text = _strict(data, name)
    if text is None:
        return None
    return text, name
