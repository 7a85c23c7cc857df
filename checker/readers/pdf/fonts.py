"""Fonts the PDF does not embed: one fixed stand-in, whatever fonts the machine has.

PDFium draws a non-embedded font (reportlab's STSong-Light, 宋体/SimSun referenced by name) with a system font
it picks by name and charset. Where no CJK font is installed it falls back to a Latin font without those
glyphs: every CJK glyph box is then empty, and PDFium's text page drops a text object whose box has no width
(a one-character object: a header wrapped as 总/计, text written one character per line). So the same file gave
different text on two machines. Here PDFium is given a system font mapper that answers every request with
one tiny font built in memory, whose only glyph (.notdef, a square em box) stands for every character: glyph
boxes are never empty, and they are the same everywhere. Positions do not come from glyphs anyway (see
``text.py``: advances from the PDF's width table, ascent and descent fixed); rendering is not this reader's
business.
"""

from __future__ import annotations

import ctypes
import struct

_NAME = b"XxgkStandIn"
# The standard 14 fonts: PDFium has them built in (the same on every machine, real Latin metrics), so they are
# left to PDFium.
_BASE14 = (b"Helvetica", b"Times", b"Courier", b"Symbol", b"ZapfDingbats")
_installed: list[object] = []  # the font info struct and its callbacks, kept alive for PDFium


def _table_checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def stand_in_font() -> bytes:
    """A TrueType font of two glyphs, both a box from the descent to the ascent, 1000 units wide: .notdef and
    the glyph the cmap gives every BMP character (so no character is missing)."""
    upem, asc, desc = 1000, 880, -120
    box = (0, desc, upem, asc)
    glyph = struct.pack(">hhhhh", 1, *box) + struct.pack(">H", 3) + struct.pack(">H", 0)
    glyph += bytes([0x01] * 4)  # four on-curve points, coordinates as 16-bit deltas
    glyph += struct.pack(">hhhh", 0, 0, upem, 0)  # x deltas: 0, 0, +1000, 0 (box corners anticlockwise)
    glyph += struct.pack(">hhhh", desc, asc - desc, 0, desc - asc)
    glyph += b"\0" * (-len(glyph) % 4)
    tables = {
        # Unicode (3,10) and (3,1) both point at one format 13 subtable: every character to glyph 1
        b"cmap": struct.pack(">HH", 0, 2)
        + struct.pack(">HHI", 3, 1, 20)
        + struct.pack(">HHI", 3, 10, 20)
        + struct.pack(">HHIII", 13, 0, 28, 0, 1)
        + struct.pack(">III", 0, 0x10FFFF, 1),
        b"glyf": glyph + glyph,
        b"head": struct.pack(
            ">IIIIHHQQhhhhHHhhh", 0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x000B, upem, 0, 0, *box, 0, 8, 2, 0, 0
        ),
        b"hhea": struct.pack(
            ">IhhhHhhhhhhhhhhhH", 0x00010000, asc, desc, 0, upem, 0, 0, upem, 1, 0, 0, 0, 0, 0, 0, 0, 1
        ),
        b"hmtx": struct.pack(">Hh", upem, 0) + struct.pack(">h", 0),
        b"loca": struct.pack(">HHH", 0, len(glyph) // 2, len(glyph)),
        b"maxp": struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, 2, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0),
        b"post": struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 1, 0, 0, 0, 0),
    }
    tags = sorted(tables)
    offset = 12 + 16 * len(tags)
    directory = struct.pack(">IHHHH", 0x00010000, len(tags), 128, 3, 16 * len(tags) - 128)
    body = b""
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, _table_checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return directory + body


def install(raw) -> None:
    """Give PDFium the stand-in mapper (once per process; call under the PDFium lock)."""
    if _installed:
        return
    font = stand_in_font()
    info_type = raw.FPDF_SYSFONTINFO
    fields = dict(info_type._fields_)

    def release(this) -> None:
        return None

    def enum_fonts(this, mapper) -> None:
        return None

    def map_font(this, weight, italic, charset, pitch, face, exact):
        name = ctypes.cast(face, ctypes.c_char_p).value or b""
        return None if name.startswith(_BASE14) else 1

    def get_font(this, face):
        return 1

    def get_font_data(this, handle, table, buffer, size):
        if table != 0:
            return 0  # only the whole file is asked for
        if buffer and size >= len(font):
            ctypes.memmove(buffer, font, len(font))
        return len(font)

    def get_face_name(this, handle, buffer, size):
        name = _NAME + b"\0"
        if buffer and size >= len(name):
            ctypes.memmove(buffer, name, len(name))
        return len(name)

    def get_charset(this, handle) -> int:
        return 1  # DEFAULT_CHARSET

    def delete_font(this, handle) -> None:
        return None

    callbacks = {
        "Release": release,
        "EnumFonts": enum_fonts,
        "MapFont": map_font,
        "GetFont": get_font,
        "GetFontData": get_font_data,
        "GetFaceName": get_face_name,
        "GetFontCharset": get_charset,
        "DeleteFont": delete_font,
    }
    wrapped = {name: fields[name](fn) for name, fn in callbacks.items()}
    info = info_type(version=1, **wrapped)
    raw.FPDF_SetSystemFontInfo(ctypes.byref(info))
    _installed.extend([info, wrapped, font])
