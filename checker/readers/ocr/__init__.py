"""Scanned reports: PDF pages without a text layer, read by OCR (optional extra ``xxgk[ocr]``).

Many offices publish the stamped, scanned copy of their report. Such a page is rendered (pypdfium2), cleaned
(the red seal dropped, the page turned straight), its ruling lines found on the image (opencv morphology), its
text lines recognised with their boxes (RapidOCR: the PP-OCR models ship inside the wheel, nothing is
downloaded) and the result handed to the PDF reader as the same ``Page`` its text layer gives: positioned
characters plus rules. So a scan becomes the same table model as any PDF, through the same grid builder.

Module per job: ``image`` (render, clean, deskew, rules), ``engine`` (recognition, digit look-alikes),
``page`` (items into characters and lines, the confidence of every table cell).

Nothing here imports onnxruntime or opencv until a page needs OCR: ``available()`` only looks the packages up.
``MODE`` says whether OCR may run (``--ocr auto|never``); it is a context variable so that a batch worker or a
server thread sets it for the file it reads.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar

MODES = ("auto", "never")
MODE: ContextVar[str] = ContextVar("xxgk_ocr_mode", default="auto")
# told the number of pages when OCR of a file begins (a server's worker tells the server: a scan takes longer)
NOTIFY: ContextVar[Callable[[int], None] | None] = ContextVar("xxgk_ocr_notify", default=None)

OPTION_HELP = "扫描件（没有文字层的 PDF、页面图片）的文字识别：auto 已安装 xxgk[ocr] 时自动识别，never 不识别"

INSTALL_HINT = "安装文字识别组件后可自动识别：pip install 'xxgk[ocr]'"
NEVER_HINT = "已按 --ocr never 不做文字识别"
NOTHING_READ = "文字识别（OCR）未能从页面图像中识别出文字"
ENGINE_FAILED = "文字识别（OCR）出错（{}），未能读取页面图像"


def available() -> bool:
    """Whether the OCR extra is installed (looked up, not imported: importing onnxruntime takes a second)."""
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr_onnxruntime", "cv2", "numpy", "PIL"))


def set_mode(mode: str | None) -> None:
    """``auto`` (default): OCR a PDF without a text layer when the extra is installed; ``never``: do not."""
    MODE.set(mode if mode in MODES else "auto")


def enabled() -> bool:
    return MODE.get() != "never"


def notify(pages: int) -> None:
    """Tell whoever asked (``NOTIFY``) that OCR of ``pages`` pages begins; a failing listener is ignored."""
    listener = NOTIFY.get()
    if listener is not None:
        with suppress(Exception):  # a listener's failure must not stop the reading
            listener(pages)
