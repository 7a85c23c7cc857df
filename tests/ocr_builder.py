"""Scanned-report fixtures: our generated PDF reports printed, stamped and scanned back, as image-only PDFs.

A report is drawn by ``pdf_builder`` with a real CJK font embedded (the reader's own stand-in font draws
boxes, useless to a recogniser), rendered to page images with pypdfium2, then spoiled the way an office scan
is: turned by up to ±1.5°, blurred, a red seal over part of a table, JPEG noise; the images are wrapped back
into a PDF that has no text layer. Everything is made here; nothing from the corpus.
"""

from __future__ import annotations

import glob
import io
import math
import random

import pdf_builder as pb

_FONT_NAME = "XxgkScanCJK"
_FONT_GLOBS = (
    "/usr/share/fonts/**/wqy-zenhei.tt[cf]",
    "/usr/share/fonts/**/wqy-microhei.tt[cf]",
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
    "/usr/share/fonts/**/NotoSerifCJK*.tt[cf]",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def cjk_font_path() -> str | None:
    """A CJK TrueType font file on this machine, or None."""
    for pattern in _FONT_GLOBS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            return path
    return None


def cjk_font() -> str | None:
    """Register a CJK TrueType font found on this machine with reportlab; its name, or None."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return _FONT_NAME
    for pattern in _FONT_GLOBS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            try:
                pdfmetrics.registerFont(TTFont(_FONT_NAME, path, subfontIndex=0))
                return _FONT_NAME
            except Exception:
                continue
    return None


def printed_report(edition: str, values: dict, layout: pb.Layout | None = None) -> bytes:
    """The report as a text PDF with the CJK font embedded (what the office printed)."""
    font = cjk_font()
    if font is None:
        raise RuntimeError("no CJK font on this machine")
    return pb.render_report(edition, values, layout or pb.Layout(), pb.Style(font=font))


def scan(
    pdf: bytes, seed: int, dpi: float = 200.0, angle: float | None = None, stamp_page: int = 1, quality: int = 55
) -> bytes:
    """The PDF printed and scanned: every page an image, turned, blurred, stamped, JPEG-compressed."""
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    rng = random.Random(seed)
    doc = pdfium.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            img = page.render(scale=dpi / 72.0).to_pil().convert("RGB")
            page.close()
            turn = angle if angle is not None else rng.uniform(-1.5, 1.5)
            img = img.rotate(turn, resample=3, expand=False, fillcolor=(255, 255, 255))  # 3: bicubic
            img = img.filter(ImageFilter.GaussianBlur(radius=0.7))
            if index == stamp_page:
                _stamp(img, rng)
            img = _noise(img, rng)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality)  # the scanner's compression
            buf.seek(0)
            from PIL import Image

            images.append(Image.open(buf).convert("RGB"))
    finally:
        doc.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def _stamp(img, rng: random.Random) -> None:
    """A red seal: a ring, a star and an arc of glyph strokes, half transparent, over the right of a table."""
    from PIL import Image, ImageDraw

    w, h = img.size
    r = int(w * 0.11)
    cx, cy = int(w * rng.uniform(0.62, 0.78)), int(h * rng.uniform(0.25, 0.6))
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (215, 30, 35, 150)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(3, r // 14))
    star = [
        (
            cx + 0.35 * r * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
            cy - 0.35 * r * math.sin(math.pi / 2 + k * 4 * math.pi / 5),
        )
        for k in range(5)
    ]
    draw.polygon(star, fill=red)
    for k in range(12):  # the seal's lettering, as short thick strokes around the ring
        a = math.pi * (0.15 + 0.7 * k / 11)
        x, y = cx - 0.72 * r * math.cos(a), cy - 0.72 * r * math.sin(a)
        draw.rectangle([x - r * 0.07, y - r * 0.07, x + r * 0.07, y + r * 0.07], outline=red, width=3)
    img.paste(Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB"))


def _noise(img, rng: random.Random):
    """Sensor noise: a little Gaussian grain (numpy when present, else left clean)."""
    try:
        import numpy as np
    except ImportError:
        return img
    from PIL import Image

    arr = np.asarray(img).astype(np.int16)
    grain = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 6, arr.shape).astype(np.int16)
    return Image.fromarray(np.clip(arr + grain, 0, 255).astype(np.uint8))


def first_page(pdf: bytes) -> bytes:
    """The first page of a PDF alone (a small OCR fixture: one table page is seconds, not a minute)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(pdf)
    out = pdfium.PdfDocument.new()
    try:
        out.import_pages(src, [0])
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
        src.close()


def one_page_scan(edition: str = "2021", seed: int = 7, dpi: float = 150.0) -> tuple[bytes, dict]:
    """A scanned one-page report (its first table page), and the values printed on it."""
    from checker.writers import consistent_values

    values = consistent_values(edition, random.Random(seed), blank_rate=0.2)
    return scan(first_page(printed_report(edition, values)), seed=seed, dpi=dpi, stamp_page=-1), values


def text_pages(pages: list[list[str]], dpi: float = 100.0) -> list:
    """A4 page images (PIL, RGB) with these lines printed large on them: cheap to recognise."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font_path(), size=round(16 * dpi / 72))
    w, h = round(8.27 * dpi), round(11.69 * dpi)
    out = []
    for lines in pages:
        img = Image.new("RGB", (w, h), "white")
        draw = ImageDraw.Draw(img)
        for k, line in enumerate(lines):
            draw.text((round(0.8 * dpi), round((1 + 0.5 * k) * dpi)), line, fill="black", font=font)
        out.append(img)
    return out
