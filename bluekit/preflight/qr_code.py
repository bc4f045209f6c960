"""QR codes found among what a page paints: a fill made of upright rectangles on one square grid
whose side is 17 + 4n modules. Gives the module size, the colour and the quiet zone, measured
to the nearest thing with ink or to the edge of the white it stands on."""

from __future__ import annotations

from dataclasses import dataclass

from bluekit.preflight.content import Box, Colour, Paint

MIN_RECTS = 30  # the smallest QR code (version 1) has far more dark modules than this
GRID_TOLERANCE = 0.06  # of a module


@dataclass(frozen=True)
class QrCode:
    """A QR code on the page: its dark modules' bounds, module size (points), colour, and the
    free space around it in modules."""

    box: Box
    module: float
    colour: Colour
    quiet_modules: float
    stands_on: Colour | None  # the colour of the area it is drawn on (None: the paper)


def _on_grid(value: float, module: float) -> bool:
    steps = value / module
    return abs(steps - round(steps)) <= GRID_TOLERANCE


def _grid(paint: Paint) -> tuple[Box, float] | None:
    """The bounds and module of a fill whose rectangles form a QR code's grid, or None."""
    if len(paint.rects) < MIN_RECTS or len(paint.rects) < 0.9 * paint.subpaths:
        return None
    module = min(min(r[2] - r[0], r[3] - r[1]) for r in paint.rects)
    if module <= 0:
        return None
    x0 = min(r[0] for r in paint.rects)
    y0 = min(r[1] for r in paint.rects)
    x1 = max(r[2] for r in paint.rects)
    y1 = max(r[3] for r in paint.rects)
    size = (x1 - x0) / module
    if abs((y1 - y0) / module - size) > 0.5 or round(size) < 21 or (round(size) - 17) % 4:
        return None
    on_grid = sum(
        1 for r in paint.rects
        if all(_on_grid(v, module) for v in (r[0] - x0, r[1] - y0, r[2] - r[0], r[3] - r[1]))
    )
    if on_grid < 0.95 * len(paint.rects):
        return None
    return (x0, y0, x1, y1), module


def _contains(outer: Box, inner: Box, slack: float = 0.05) -> bool:
    return (outer[0] <= inner[0] + slack and outer[1] <= inner[1] + slack
            and outer[2] >= inner[2] - slack and outer[3] >= inner[3] - slack)


def _distance(a: Box, b: Box) -> float:
    """Distance between two boxes (0 when they overlap)."""
    dx = max(b[0] - a[2], a[0] - b[2], 0.0)
    dy = max(b[1] - a[3], a[1] - b[3], 0.0)
    return float((dx * dx + dy * dy) ** 0.5)


def find_qr_codes(paints: list[Paint], quiet_zone: int = 4) -> list[QrCode]:
    """Every QR code among `paints` (in painting order)."""
    found: list[QrCode] = []
    for index, paint in enumerate(paints):
        grid = None if paint.kind != "fill" else _grid(paint)
        if grid is None:
            continue
        box, module = grid
        margin = quiet_zone * module
        wanted = (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
        # what the code stands on: the last fill before it that covers its whole quiet zone
        cover_index, cover = -1, None
        for j in range(index - 1, -1, -1):
            other = paints[j]
            if other.kind == "fill" and _contains(other.box, wanted):
                cover_index, cover = j, other
                break
        free = [] if cover is None else [
            box[0] - cover.box[0], box[1] - cover.box[1], cover.box[2] - box[2],
            cover.box[3] - box[3],
        ]
        if cover is not None and not cover.colour.white:
            free = [0.0]
        for j, other in enumerate(paints):
            if j == index or j <= cover_index or other.colour.white:
                continue
            free.append(_distance(box, other.box))
        quiet = min(free, default=float(quiet_zone * 10)) / module
        found.append(QrCode(box, module, paint.colour, quiet,
                            cover.colour if cover is not None else None))
    return found
