"""The drawing layer: the ruling lines of a page, from its path objects.

Table borders reach a PDF in several shapes: stroked lines (``m``/``l``/``S``), stroked rectangles, one path
holding every border of a table, and (Word, WPS) each border a thin filled rectangle. All become axis-parallel
rules here; slanted strokes, curves and large filled areas (shading) are not rules. Rules drawn in white (or
nearly) are invisible and dropped. Only the geometry the PDF states is used: no rendering.
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

from .settings import PdfSettings


class Rule(NamedTuple):
    """A horizontal (``pos`` is y; ``a``..``b`` the x-range) or vertical rule, display coordinates (y down)."""

    horizontal: bool
    pos: float
    a: float
    b: float


_MAX_OBJECTS = 50000  # a hostile page with millions of objects is not read for rules
_MAX_SEGMENTS = 20000


def page_rules(raw, page, width: float, height: float, rotation: int, settings: PdfSettings) -> list[Rule]:
    """The page's rules, those inside form XObjects too (some producers wrap the whole page in one)."""
    out: list[tuple[float, float, float, float]] = []  # x0, y0, x1, y1 in PDF user space
    objects = [raw.FPDFPage_GetObject(page, i) for i in range(min(raw.FPDFPage_CountObjects(page), _MAX_OBJECTS))]
    _collect(raw, objects, None, out, settings, depth=0)
    rules = [_display(seg, width, height, rotation, settings) for seg in out]
    return [rule for rule in rules if rule is not None]


_Matrix = tuple[float, float, float, float, float, float]
_MAX_DEPTH = 8  # forms inside forms: deeper nesting is not followed


def _collect(raw, objects, form: _Matrix | None, out: list, settings: PdfSettings, depth: int) -> None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM and depth < _MAX_DEPTH:
            matrix = raw.FS_MATRIX()
            if raw.FPDFPageObj_GetMatrix(obj, matrix):
                m = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
                inner = [
                    raw.FPDFFormObj_GetObject(obj, i)
                    for i in range(min(raw.FPDFFormObj_CountObjects(obj), _MAX_OBJECTS))
                ]
                _collect(raw, inner, m if form is None else _times(m, form), out, settings, depth + 1)
            continue
        if kind != raw.FPDF_PAGEOBJ_PATH or len(out) > _MAX_OBJECTS:
            continue
        if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
            continue
        stroked, filled = bool(stroke.value), fill.value != 0
        if not stroked and not filled:
            continue  # a clipping path or an invisible one
        getcolor = raw.FPDFPageObj_GetStrokeColor if stroked else raw.FPDFPageObj_GetFillColor
        if getcolor(obj, r, g, b, a) and (a.value == 0 or min(r.value, g.value, b.value) >= settings.light):
            continue
        if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        box = (left.value, bottom.value, right.value, top.value)
        if form is not None:
            box = _transform_box(box, form)
        x0, y0, x1, y1 = box
        if x1 - x0 <= settings.thin or y1 - y0 <= settings.thin:
            out.append(box)  # a line, or a border drawn as a thin filled rectangle
        elif stroked:
            segments = _segments(raw, obj)
            out.extend(segments if form is None else [_transform_box(seg, form) for seg in segments])


def _times(m: _Matrix, n: _Matrix) -> _Matrix:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _transform_box(box: tuple[float, float, float, float], m: _Matrix) -> tuple[float, float, float, float]:
    a, b, c, d, e, f = m
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[3]), (box[0], box[3]), (box[2], box[1])):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


def _segments(raw, obj) -> list[tuple[float, float, float, float]]:
    """The straight axis-parallel pieces of a stroked path (a rectangle's four sides, a grid drawn at once)."""
    matrix = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, matrix):
        return []
    ma, mb, mc, md, me, mf = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    x, y = ctypes.c_float(), ctypes.c_float()
    n = min(raw.FPDFPath_CountSegments(obj), _MAX_SEGMENTS)
    out = []
    prev: tuple[float, float] | None = None
    start: tuple[float, float] | None = None
    for k in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        if not raw.FPDFPathSegment_GetPoint(seg, x, y):
            prev = None
            continue
        point = (ma * x.value + mc * y.value + me, mb * x.value + md * y.value + mf)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            prev = start = point
        elif kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
            out.append((*prev, *point))
            prev = point
        else:
            prev = point  # a curve: not a rule
        if raw.FPDFPathSegment_GetClose(seg) and start is not None and prev is not None and prev != start:
            out.append((*prev, *start))
            prev = start
    return [(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)) for x0, y0, x1, y1 in out]


def _display(seg: tuple[float, float, float, float], w: float, h: float, rotation: int, settings: PdfSettings):
    """A user-space segment (or thin box) as a display-space Rule, or None when it is neither horizontal nor
    vertical (or a dot)."""
    x0, y0, x1, y1 = seg
    if rotation == 90:
        x0, y0, x1, y1 = y0, x0, y1, x1
    elif rotation == 180:
        x0, x1 = w - x1, w - x0  # y stays: the page is turned upside down and y runs downwards
    elif rotation == 270:
        x0, y0, x1, y1 = h - y1, w - x1, h - y0, w - x0
    else:
        y0, y1 = h - y1, h - y0
    dx, dy = x1 - x0, y1 - y0
    if dy <= settings.thin and dx > settings.thin:
        return Rule(True, (y0 + y1) / 2, x0, x1)
    if dx <= settings.thin and dy > settings.thin:
        return Rule(False, (x0 + x1) / 2, y0, y1)
    return None
