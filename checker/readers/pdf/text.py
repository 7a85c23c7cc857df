"""The text layer: characters with font-independent boxes, grouped into lines and fragments.

Positions come from the PDF's own metrics only: the character's origin and text matrix (where the PDF puts
it), its advance width from the PDF's width table (PDFium's loose box) and the font size. Glyph outlines are
never used: for a font the PDF does not embed (reportlab's STSong-Light, 宋体 referenced by name), PDFium
draws a substitute from the fonts this machine has, and the substitute's ink boxes and ascent differ from
machine to machine. The vertical extent is a fixed share of the em above and below the baseline
(``PdfSettings.ascent``/``descent``), so two machines see the same boxes.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import statistics
from dataclasses import dataclass, field

from ... import ids
from ...model import ReadError, Source
from ...values import is_value_text
from . import fonts
from .paths import Rule, page_rules
from .settings import DEFAULT, PdfSettings

DIGIT = re.compile(r"\d")
SPACES = re.compile(r"\s+")
ASCII_WORD = re.compile(r"[A-Za-z0-9]")

# -- geometry ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Frag:
    """A run of characters on one line with no wide gap inside. y grows downwards (display coordinates)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line: Line | None = None

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def h(self) -> float:
        return self.bottom - self.top

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def is_number(self) -> bool:
        return bool(DIGIT.search(self.text)) and is_value_text(self.text)


@dataclass(slots=True)
class Line:
    frags: list[Frag]
    page: int
    no: int = 0  # 1-based line on its page (furniture excluded)
    offset: float = 0.0  # added to y inside a table that spans pages

    @property
    def top(self) -> float:
        return min(f.top for f in self.frags)

    @property
    def bottom(self) -> float:
        return max(f.bottom for f in self.frags)

    @property
    def x0(self) -> float:
        return self.frags[0].x0

    @property
    def x1(self) -> float:
        return self.frags[-1].x1

    @property
    def text(self) -> str:
        """Fragments joined; a space where the gap is a column gap or between two ASCII words."""
        out = self.frags[0].text
        for prev, f in itertools.pairwise(self.frags):
            out = out + " " + f.text if f.x0 - prev.x1 > max(prev.h, f.h) else join([out, f.text])
        return out

    def max_gap(self) -> float:
        gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(self.frags)]
        return max(gaps) / self.height if gaps else 0.0

    @property
    def compact(self) -> str:
        return SPACES.sub("", "".join(f.text for f in self.frags))

    @property
    def height(self) -> float:
        return statistics.median(f.h for f in self.frags)

    def source(self) -> Source:
        return Source(page=self.page, line=self.no)


def join(parts: list[str], sep: str = "") -> str:
    """Join text pieces; a space only between two ASCII letters/digits (CJK text has none)."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and (sep == " " or (ASCII_WORD.match(out[-1]) and ASCII_WORD.match(part[0]))):
            out += " "
        out += part
    return out


@dataclass(slots=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    has_images: bool = False
    chars: int = 0
    unmapped: int = 0
    glyphs: list[Char] = field(default_factory=list)  # every visible character, display coordinates
    rules: list[Rule] = field(default_factory=list)  # ruling lines, display coordinates


# -- reading the text layer --------------------------------------------------------------------------------


ENCRYPTED_MESSAGE = "PDF 文件已加密（设有打开密码），请去除密码后再检查"
CORRUPT_MESSAGE = "PDF 文件已损坏或不完整，无法读取，请重新下载或重新导出"


def text_layer(data: bytes, settings: PdfSettings = DEFAULT) -> tuple[str | None, list[Page], list[int]]:
    """The document's title (metadata), its pages, and the numbers of pages PDFium could not read."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("未安装 PDF 读取组件（pypdfium2），无法读取 PDF 文件", rule=ids.UNSUPPORTED) from None
    fonts.install(pdfium.raw)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4:  # FPDF_ERR_PASSWORD
            raise ReadError(ENCRYPTED_MESSAGE) from None
        raise ReadError(CORRUPT_MESSAGE) from None
    except Exception:
        raise ReadError(CORRUPT_MESSAGE) from None
    try:
        pages: list[Page] = []
        broken: list[int] = []
        for index in range(len(pdf)):
            try:
                pages.append(_read_page(pdf, index, settings))
            except Exception:
                broken.append(index + 1)
        return _metadata_title(pdf), pages, broken
    finally:
        pdf.close()


def _metadata_title(pdf) -> str | None:
    try:
        title = pdf.get_metadata_value("Title")
    except Exception:
        return None
    title = (title or "").strip()
    return title if "报告" in title or "年报" in title else None


def _read_page(pdf, index: int, settings: PdfSettings) -> Page:
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        width, height = page.get_size()
        rotation = page.get_rotation() % 360
        out = Page(index + 1, width, height)
        textpage = page.get_textpage()
        try:
            chars = _chars(raw, textpage.raw, out, width, height, rotation, settings)
        finally:
            textpage.close()
        if not chars:
            out.has_images = _has_images(raw, page)
        else:
            out.rules = page_rules(raw, page.raw, width, height, rotation, settings)
        if rotation in (90, 270):
            out.width, out.height = height, width
        out.glyphs = chars
        out.lines = _lines(chars, out.number, settings)
        return out
    finally:
        page.close()


def _has_images(raw, page) -> bool:
    count = raw.FPDFPage_CountObjects(page.raw)
    for i in range(min(count, 10000)):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        if raw.FPDFPageObj_GetType(obj) in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM):
            return True
    return False


# text, x0, x1, top, bottom (display space, y down), a space before it, upright (read left to right)
Char = tuple[str, float, float, float, float, bool, bool]

_SKIP = frozenset({0x3000, 0xA0, 0xFEFF, 0x200B, 0xFFFE, 0xFFFF, 0x7F})


def _chars(raw, tp, page: Page, width: float, height: float, rotation: int, settings: PdfSettings) -> list[Char]:
    """Visible characters with display-space boxes. Generated spaces and line breaks are dropped."""
    n = max(raw.FPDFText_CountChars(tp), 0)
    rect = raw.FS_RECTF()
    matrix = raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[Char] = []
    map_error = getattr(raw, "FPDFText_HasUnicodeMapError", None)  # PDFium builds from 2023 on
    # hot loop: ctypes functions bound once
    is_generated, loose_box = raw.FPDFText_IsGenerated, raw.FPDFText_GetLooseCharBox
    origin, char_matrix, font_size = raw.FPDFText_GetCharOrigin, raw.FPDFText_GetMatrix, raw.FPDFText_GetFontSize
    upright_of, min_glyph = _UPRIGHT[rotation], settings.min_glyph
    codes = _codes(raw, tp, n)
    pending_high = 0
    space = False
    for i in range(n):
        code = codes[i]
        if 0xD800 <= code < 0xDC00:
            pending_high = code
            continue
        if 0xDC00 <= code < 0xE000:
            if not pending_high:
                continue
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
            pending_high = 0
        if code <= 32 or code in _SKIP:
            space = space or (code in (32, 0x3000, 0xA0) and is_generated(tp, i) != 1)
            continue
        if code == 0x2D and is_generated(tp, i) == 1:
            continue  # PDFium generates only spaces, line breaks and hyphens
        page.chars += 1
        if map_error is not None and map_error(tp, i) == 1:
            page.unmapped += 1
            continue
        if not loose_box(tp, i, rect):
            continue
        box = (rect.left, rect.right, rect.bottom, rect.top)
        direction = (1.0, 0.0)
        if origin(tp, i, ox, oy) and char_matrix(tp, i, matrix):
            box, direction = _em_box(box, ox.value, oy.value, matrix, font_size(tp, i), settings)
        x0, x1, b, t = _rotate(*box, width, height, rotation)
        if x1 - x0 < min_glyph:
            mid = (x0 + x1) / 2
            x0, x1 = mid - min_glyph / 2, mid + min_glyph / 2
        if t - b < min_glyph:
            mid = (t + b) / 2
            b, t = mid - min_glyph / 2, mid + min_glyph / 2
        out.append((chr(code), x0, x1, b, t, space, upright_of(*direction)))
        space = False
    return _advances(out, settings)


def _advances(chars: list[Char], settings: PdfSettings) -> list[Char]:
    """Boxes wider than the character's advance made as wide as it. For a font it does not embed PDFium may
    give an em-wide box to a half-width digit (a CID font's width table not consulted): the box then reaches
    into the next cell's text. The advance is the step to the next character's origin on the same baseline;
    the last digit of a run, and a digit alone, take the digits' advance measured on the page (figures share
    one width)."""
    out = list(chars)
    ratios: list[float] = []
    clipped = [False] * len(out)
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        h = a[4] - a[3]
        if not (a[6] and b[6]) or abs(a[3] - b[3]) > settings.same_baseline * h or abs(a[4] - b[4]) > h:
            continue
        step = b[1] - a[1]
        if settings.min_advance * h < step < a[2] - a[1] - settings.min_glyph:
            out[k] = (a[0], a[1], a[1] + step, a[3], a[4], a[5], a[6])
            clipped[k] = True
            if a[0].isdigit() and a[0].isascii():
                ratios.append(step / h)
    if not ratios:
        return out
    digit = statistics.median(ratios)
    for k, ch in enumerate(out):
        h = ch[4] - ch[3]
        if not clipped[k] and ch[0].isdigit() and ch[0].isascii() and ch[6] and ch[2] - ch[1] > 1.2 * digit * h:
            out[k] = (ch[0], ch[1], ch[1] + digit * h, ch[3], ch[4], ch[5], ch[6])
    return out


def _codes(raw, tp, n: int) -> list[int]:
    """The UTF-16 code unit of every character index: the page's text in one call where it has one unit per
    character (no character beyond the BMP), else character by character."""
    if n:
        buffer = (ctypes.c_ushort * (n + 1))()
        written = raw.FPDFText_GetText(tp, 0, n, buffer)
        units = list(buffer)[:n]
        if written == n + 1 and not any(0xD800 <= u < 0xE000 for u in units):
            return units
    return [raw.FPDFText_GetUnicode(tp, i) for i in range(n)]


def _em_box(box: tuple[float, float, float, float], x: float, y: float, m, size: float, settings: PdfSettings):
    """The character's em box from its origin, direction and size: the loose box's extent along the baseline
    (the advance width, from the PDF's width table), and ascent/descent fixed shares of the em across it. The
    loose box's extent across the baseline is the em height (scaled), but where it stands depends on the
    substituted font's ascent: it is placed again here. Returns the box (x0, x1, bottom, top, PDF user space)
    and the baseline's direction (user space, signs only)."""
    left, right, bottom, top = box
    a, b, c, d = m.a, m.b, m.c, m.d
    scale = math.hypot(c, d) or 1.0
    em_guess = abs(size) * scale if size > 0 else 0.0
    if abs(b) <= 1e-3 * abs(a) and abs(c) <= 1e-3 * abs(d) and a and d:  # horizontal text
        em = top - bottom
        limit = settings.em_box_limit * max(em_guess, 1.0)
        if not (0 < em <= limit and 0 < right - left <= limit) and em_guess:
            # a vertical-writing font (Word's vertical cell text): PDFium's loose box is the unscaled em
            # square; the origin is the glyph's own (horizontal) origin, its advance one em
            em = em_guess
            left, right = (x, x + em) if a > 0 else (x - em, x)
        up = 1.0 if d > 0 else -1.0
        lo, hi = sorted((y - up * settings.descent * em, y + up * settings.ascent * em))
        return (left, right, lo, hi), (1.0 if a > 0 else -1.0, 0.0)
    if abs(a) <= 1e-3 * abs(b) and abs(d) <= 1e-3 * abs(c) and b and c:  # rotated a quarter turn
        em = right - left
        if not 0 < em <= settings.em_box_limit * max(em_guess, 1.0):
            em = em_guess or em
        up = 1.0 if c > 0 else -1.0  # the glyph's top points along +x when c > 0
        lo, hi = sorted((x - up * settings.descent * em, x + up * settings.ascent * em))
        return (lo, hi, bottom, top), (0.0, 1.0 if b > 0 else -1.0)
    return box, (0.0, 0.0)


# Whether a baseline direction (user space) reads left to right on the page as shown, per page /Rotate.
_UPRIGHT = {
    0: lambda dx, dy: dx > 0,
    90: lambda dx, dy: dy > 0,
    180: lambda dx, dy: dx < 0,
    270: lambda dx, dy: dy < 0,
}


def _rotate(x0: float, x1: float, b: float, t: float, w: float, h: float, rotation: int) -> tuple[float, ...]:
    """A PDF user-space box (y up) as a display box (y down) on the page as shown (its /Rotate applied)."""
    if rotation == 90:
        return b, t, x0, x1
    if rotation == 180:
        return w - x1, w - x0, b, t
    if rotation == 270:
        return h - t, h - b, w - x1, w - x0
    return x0, x1, h - t, h - b


def _lines(chars: list[Char], page: int, settings: PdfSettings = DEFAULT) -> list[Line]:
    """Group characters into lines (by vertical centre), and each line into fragments (at wide gaps)."""
    chars = sorted(chars, key=lambda c: (c[3] + c[4]) / 2)
    groups: list[list[Char]] = []
    centre = size = 0.0
    for ch in chars:
        cy, h = (ch[3] + ch[4]) / 2, ch[4] - ch[3]
        if groups and abs(cy - centre) <= settings.line_centre * max(h, size):
            group = groups[-1]
            group.append(ch)
            centre += (cy - centre) / len(group)
            size = max(size, h)
        else:
            groups.append([ch])
            centre, size = cy, h
    lines = []
    for group in groups:
        group.sort(key=lambda c: c[1])
        frags: list[Frag] = []
        run: list[Char] = []
        for ch in group:
            if run:
                prev = run[-1]
                if ch[0] == prev[0] and abs(ch[1] - prev[1]) < settings.duplicate_shift * max(prev[2] - prev[1], 1.0):
                    continue  # the same glyph drawn twice (fake bold, shadow)
                h = max(ch[4] - ch[3], prev[4] - prev[3])
                if ch[1] - prev[2] > settings.split_gap * h:
                    frags.append(_frag(run, settings))
                    run = []
            run.append(ch)
        if run:
            frags.append(_frag(run, settings))
        line = Line(frags, page)
        for f in frags:
            f.line = line
        lines.append(line)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _frag(run: list[Char], settings: PdfSettings) -> Frag:
    text = run[0][0]
    for prev, ch in itertools.pairwise(run):
        gap = ch[1] - prev[2]
        if (
            (ch[5] or gap > settings.word_gap * (ch[4] - ch[3]))
            and ASCII_WORD.match(prev[0])
            and ASCII_WORD.match(ch[0])
        ):
            text += " "
        text += ch[0]
    return Frag(text, min(c[1] for c in run), max(c[2] for c in run), min(c[3] for c in run), max(c[4] for c in run))


# -- page furniture ----------------------------------------------------------------------------------------

# The public name of the line builder: the OCR reader builds its pages' lines from recognised characters so.
page_lines = _lines
