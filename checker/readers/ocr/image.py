"""The page image: rendered, cleaned, turned straight, and its ruling lines.

* Resolution: 9-point table text at 180 dpi is about 22 pixels high, what PP-OCR's detector reads best; more
  only costs detection time (recognition rescales every line to 48 pixels anyway).
* The red seal: stamped over a table it hides digits from a grey-scale reader. In the red channel red ink is
  as light as the paper while black ink stays dark, so the red channel is the page without its seal.
* Skew: a scan is rarely straight, and rules found by horizontal/vertical morphology need a straight page. The
  angle is the one whose row profile of ink is sharpest (text lines and rules line up), searched on a
  reduced copy.
* Rules: an opening with a long thin kernel keeps only runs of ink longer than any character stroke; each run
  left becomes a ``Rule`` in PDF points, the same kind the text layer's drawing gives.
"""

from __future__ import annotations

from ..pdf.paths import Rule

DPI = 180.0
SCALE = DPI / 72.0  # pixels per PDF point
# Text detection on a reduced copy would be cheaper (0.6: 2 s -> 0.6 s a page) but finds lines less well: on
# the fixtures' scans at 0.6 a row label was lost (7 cells) and at 0.75 headings were misplaced (S202) where the
# full image reads everything; detection stays on the full image
DET_SCALE = 1.0
MAX_SKEW = 3.0  # degrees searched either way
SKEW_STEP = 0.1
PAPER = 190  # red-channel level from which a pixel is paper (a seal's stroke over paper is lighter)


def render(page, scale: float = SCALE):
    """A pypdfium2 page as an H×W×3 uint8 RGB array."""
    import numpy as np

    bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB(A) byte order
    array = np.asarray(bitmap.to_numpy())[:, :, :3]
    return np.ascontiguousarray(array)


def clean(rgb):
    """The page without red ink, as grey levels: the red channel, its light tones stretched to paper. A seal's
    stroke over paper is light in the red channel (~230 of 255) but not white, and read faintly it becomes a
    character (a square as 口, an arc as C); black text stays dark under the seal (~130), so a tone curve
    whitening everything above ``PAPER`` removes the seal and keeps the text."""
    import numpy as np

    red = rgb[:, :, 0].astype(np.float32)
    return np.clip(red * (255.0 / PAPER), 0, 255).astype(np.uint8)


def deskew(gray):
    """The page turned straight, and the angle it was turned by (degrees)."""
    import cv2
    import numpy as np

    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    h, w = ink.shape
    best, best_score = 0.0, -1.0
    for angle in np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, SKEW_STEP):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        turned = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = turned.sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    if abs(best) < SKEW_STEP / 2:
        return gray, 0.0
    H, W = gray.shape
    m = cv2.getRotationMatrix2D((W / 2, H / 2), best, 1.0)
    straight = cv2.warpAffine(gray, m, (W, H), flags=cv2.INTER_LINEAR, borderValue=255)
    return straight, best


def rules(gray, scale: float = SCALE):
    """The ruling lines of a straight page, in PDF points (display coordinates, y down)."""
    import cv2

    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    out: list[Rule] = []
    # longer than any character stroke: a 9-point glyph is ~9 points; a one-row cell border ~15 points
    h_len = max(10, round(16 * scale))
    v_len = max(10, round(11 * scale))
    thick = 4 * scale  # a rule is at most this thick (points → pixels); a blurred 1-point line is ~3 pixels
    for horizontal, kernel in ((True, (h_len, 1)), (False, (1, v_len))):
        k = cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, k)
        # close small breaks along the line (JPEG noise, a seal's white-out)
        bridge = cv2.getStructuringElement(
            cv2.MORPH_RECT, (max(3, round(2 * scale)), 1) if horizontal else (1, max(3, round(2 * scale)))
        )
        lines = cv2.morphologyEx(lines, cv2.MORPH_CLOSE, bridge)
        n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for i in range(1, n):
            x, y, w, h, _ = (int(v) for v in stats[i])
            if horizontal and h <= thick and w >= h_len:
                out.append(Rule(True, (y + h / 2) / scale, x / scale, (x + w) / scale))
            elif not horizontal and w <= thick and h >= v_len:
                out.append(Rule(False, (x + w / 2) / scale, y / scale, (y + h) / scale))
    return out
