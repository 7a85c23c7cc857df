"""Text lines with boxes and confidences from RapidOCR (PP-OCRv4 detection and recognition, ONNX Runtime).

The engine is loaded once per process (about a second) and shared under a lock: the RapidOCR object keeps
per-call state. Detection and recognition are called one after the other (not through the engine's own
``__call__``) so that detection may run on a reduced copy (``image.DET_SCALE``) and recognition reads the
full-resolution lines, one line per run. Direction classification is off: the page has been turned straight
before (``image.deskew``).
Results below the engine's default score threshold are kept (``text_score``): a faint digit read with low
confidence is better reported as doubtful than dropped, which would turn a number into a blank.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

from .words import correct

_ENGINE = None
_LOCK = threading.Lock()
TEXT_SCORE = 0.3


@dataclass(slots=True)
class Item:
    """One recognised text line: its text, its box in image pixels (y down), its confidence (0..1)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float


def _engine():
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR

        threads = _threads()
        extra = {"intra_op_num_threads": threads, "inter_op_num_threads": 1} if threads else {}
        # rec_img_shape: every line is padded to at least this width before recognition; the default (320)
        # makes a lone digit cost as much as a line of prose: 96 pads the short lines less (48, square, read a
        # lone 三 as E); recognition on a table page 18 s -> 4-8 s on one core, the same lines read.
        # rec_batch_num=1: one line per run. Batched, every line is padded to the widest of its batch and ONNX
        # Runtime's CPU kernels run several times slower per line (on one core, 154 lines: 38 s in sixes,
        # 10 s one by one), and the padding changes what a short line is read as
        _ENGINE = RapidOCR(
            text_score=TEXT_SCORE,
            use_cls=False,
            max_side_len=4000,
            rec_img_shape=[3, 48, 96],
            rec_batch_num=1,
            **extra,
        )
    return _ENGINE


def _threads() -> int:
    """ONNX Runtime threads: ``XXGK_OCR_THREADS`` (a batch worker or the one-core benchmark sets 1), else
    the runtime's own choice (every core)."""
    try:
        return max(0, int(os.environ.get("XXGK_OCR_THREADS", "0")))
    except ValueError:
        return 0


def recognise(image, det_scale: float = 1.0) -> list[Item]:
    """The text lines of a page image (an H×W×3 uint8 array). Detection runs on the image reduced by
    ``det_scale`` (it finds where text is, which a coarser image shows as well, at a fraction of the cost);
    recognition reads every line from the full image."""
    with _LOCK:
        engine = _engine()
        boxes = _detect(engine, image, det_scale)
        if not boxes:
            return []
        lines, _ = engine.text_rec(engine.get_crop_img_list(image, boxes))
    items = []
    for box, line in zip(boxes, lines, strict=True):
        text, score = line[0], line[1]
        text = correct(normalise(str(text).strip()))
        if not text or float(score) < TEXT_SCORE:
            continue
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        items.append(Item(text, min(xs), max(xs), min(ys), max(ys), float(score)))
    return items


def _detect(engine, image, scale: float) -> list:
    """The text line boxes (4 corner points each, full-image pixels) in reading order. The detector sees the
    whole page: cut to the inked part with a 48-pixel margin it read a header differently (其他结吉果), with 200
    it gained nothing measurable."""
    import cv2
    import numpy as np

    small = image if scale >= 1 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes, _ = engine.text_det(small)
    if boxes is None or len(boxes) == 0:
        return []
    h, w = image.shape[:2]
    full = [
        np.clip(np.asarray(b, dtype=np.float32) / min(scale, 1.0), 0, [w - 1, h - 1]).astype(np.float32) for b in boxes
    ]
    return list(engine.sorted_boxes(np.asarray(full)))


# A box made only of digits and their look-alikes is a number: O/o/D → 0, l/I/| → 1, 。/． → . (the decimal
# point recognised as the Chinese full stop), ，→ , (a thousands separator). The box must hold a real digit,
# or be a single look-alike (a lone 0 read as O).
_NUMERIC = re.compile(r"[\dOoDlI|。．.,，%\-]+")
_LOOKALIKE = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "。": ".", "．": ".", "，": ","}
)


def normalise(text: str) -> str:
    text = text.strip("丨|")  # a cell border read with the text it stands beside
    compact = text.replace(" ", "")
    if _NUMERIC.fullmatch(compact) and (any(ch.isdigit() for ch in compact) or len(compact) == 1):
        if len(compact) == 1 and compact in ".,，。．%-|":
            return text
        return compact.translate(_LOOKALIKE)
    return text


def read_line(image) -> tuple[str, float] | None:
    """The text of one cropped text line (recognition only, no detection), normalised, and its confidence."""
    with _LOCK:
        result, _ = _engine()(image, use_det=False, use_cls=False, use_rec=True)
    if not result:
        return None
    text, score = result[0][0], result[0][1]
    text = normalise(str(text).strip())
    return (text, float(score)) if text else None
