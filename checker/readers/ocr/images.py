"""Page images (``.png``, ``.jpg``/``.jpeg``, ``.tif``/``.tiff``; a multi-page TIFF is several pages) read by OCR,
through the same path as a scanned PDF's pages.

An image has no page size, only pixels and, mostly, a resolution written in it (a scanner writes 150-600 dpi).
Without one, the page is taken to be A4 (its shorter side 210 mm): what an office scans. Each page is brought to
the resolution the rest of the OCR path expects (``image.DPI``), then read as a rendered PDF page is. Pillow (in
the OCR extra) decodes; it is imported only here, when an image is read.
"""

from __future__ import annotations

import io
import warnings

from ...model import Document, ReadError
from ..pdf.settings import DEFAULT, PdfSettings

IMAGE_MESSAGE = "页面图片需要文字识别（OCR）才能读取"
CORRUPT_MESSAGE = "图片文件已损坏或格式无法识别，无法读取"
A4_SHORT_INCHES = 210 / 25.4
MAX_PIXELS = 120_000_000  # a page at 600 dpi is ~35 million pixels; far more is a decompression bomb
MAX_PAGES = 200


def read(data: bytes, path: str, settings: PdfSettings = DEFAULT) -> Document:
    """Read a page image (or a multi-page TIFF). Raises ReadError (Chinese, one line)."""
    from . import ENGINE_FAILED, INSTALL_HINT, NEVER_HINT, NOTHING_READ, available, enabled, notify

    if not enabled():
        raise ReadError(f"{IMAGE_MESSAGE}（{NEVER_HINT}）")
    if not available():
        raise ReadError(f"{IMAGE_MESSAGE}；{INSTALL_HINT}")
    from ..pdf import ocr_document
    from .scan import read_image

    frames = _frames(data)
    notify(len(frames))
    pages, placed = [], {}
    try:
        for number, (rgb, width, height) in enumerate(frames, 1):
            page, items = read_image(number, width, height, rgb, settings)
            pages.append(page)
            placed[number] = items
    except Exception as exc:  # the engine failed (not the image): said as such, in one line
        raise ReadError(ENGINE_FAILED.format(type(exc).__name__)) from exc
    if not any(p.chars for p in pages):
        raise ReadError(f"{IMAGE_MESSAGE}；{NOTHING_READ}")
    doc = ocr_document(path, None, pages, placed, settings)
    doc.format = "image"
    return doc


def _frames(data: bytes) -> list[tuple[object, float, float]]:
    """Every page of the image: (RGB array at ``image.SCALE``, width and height in PDF points)."""
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, at our limit (its default is a little over 89 M)
    out = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # over the limit is refused, not read
            with Image.open(io.BytesIO(data)) as img:
                for frame in ImageSequence.Iterator(img):
                    if len(out) >= MAX_PAGES:
                        raise ReadError(f"图片页数过多（超过 {MAX_PAGES} 页），不是一份年度报告")
                    out.append(_page(frame))
    except ReadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ReadError(f"图片过大（超过 {MAX_PIXELS // 1_000_000} 百万像素），不是一份年度报告") from None
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, MemoryError):
        raise ReadError(CORRUPT_MESSAGE) from None
    if not out:
        raise ReadError(CORRUPT_MESSAGE)
    return out


def _page(frame) -> tuple[object, float, float]:
    import cv2
    import numpy as np

    from . import image

    rgb = np.asarray(frame.convert("RGB"))
    h, w = rgb.shape[:2]
    if min(h, w) < 32:
        raise ReadError(CORRUPT_MESSAGE)
    dpi = _dpi(frame.info.get("dpi"), w, h)
    factor = image.DPI / dpi
    if abs(factor - 1) > 0.02:
        size = (max(1, round(w * factor)), max(1, round(h * factor)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)
    return np.ascontiguousarray(rgb), w / dpi * 72.0, h / dpi * 72.0


def _dpi(written: object, w: int, h: int) -> float:
    """The resolution written in the image when it is a scanner's (50-1200 dpi), else A4's for its size."""
    try:
        x = float(written[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        x = 0.0
    if 50 <= x <= 1200:
        return x
    return max(30.0, min(w, h) / A4_SHORT_INCHES)
