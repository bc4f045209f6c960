"""What a PDF page paints, read from its content streams: each fill, stroke, text, image and
shading with its place on the page, its colour space and colour, a text's size and an image's
resolution at print size, as a print shop's preflight sees them.

pikepdf (qpdf) parses the streams; this module keeps the graphics state (transformation matrix,
colours, text state) across them, into form XObjects too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from bluekit.preflight.fonts import advance, font_widths

if TYPE_CHECKING:
    import pikepdf

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, page space
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
WHITE = 0.999


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector convention: `cm` makes CTM = m x CTM)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def bounds(points: list[tuple[float, float]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Colour:
    """A colour as set in the content: its space (DeviceCMYK, ICCBased/1...) and values."""

    space: str
    values: tuple[float, ...]

    @property
    def cmyk(self) -> tuple[float, ...] | None:
        return self.values if self.space == "DeviceCMYK" and len(self.values) == 4 else None

    @property
    def inks(self) -> int | None:
        """How many process inks it takes; None when its space leaves that to the RIP."""
        cmyk = self.cmyk
        return None if cmyk is None else sum(1 for v in cmyk if v > 0.0005)

    @property
    def white(self) -> bool:
        """No ink at all: CMYK 0, or white in a grey or RGB space."""
        if self.cmyk is not None:
            return self.inks == 0
        if self.space.endswith(("Gray", "/1", "RGB", "/3")):
            return bool(self.values) and all(v >= WHITE for v in self.values)
        return False


@dataclass
class Paint:
    """One thing painted: kind (fill, stroke, text, image, shading), where, in what colour."""

    kind: str
    box: Box
    colour: Colour
    size: float = 0.0  # text: its size on the page, in points
    dpi: float = 0.0  # image: its lower resolution at print size (pixels per inch)
    rects: list[Box] = field(default_factory=list)  # fill: its subpaths that are rectangles
    subpaths: int = 0


DEFAULTS = {"DeviceGray": (0.0,), "DeviceRGB": (0.0, 0.0, 0.0), "DeviceCMYK": (0.0, 0.0, 0.0, 1.0)}


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: Colour = field(default_factory=lambda: Colour("DeviceGray", (0.0,)))
    stroke: Colour = field(default_factory=lambda: Colour("DeviceGray", (0.0,)))
    font: Any = None
    font_size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0
    leading: float = 0.0
    render_mode: int = 0


def space_name(resources: Any, name: str) -> str:
    """A colour space's name as preflight reports it: DeviceCMYK, ICCBased/1 (grey), Separation."""
    import pikepdf

    if name in ("DeviceGray", "DeviceRGB", "DeviceCMYK", "Pattern"):
        return name
    spaces = resources.get("/ColorSpace") if resources is not None else None
    found = spaces.get("/" + name) if spaces is not None else None
    if isinstance(found, pikepdf.Name):
        return str(found)[1:]
    if isinstance(found, pikepdf.Array) and len(found):
        kind = str(found[0])[1:]
        if kind == "ICCBased":
            return f"ICCBased/{int(found[1].get('/N', 0))}"
        return kind
    return name


class PageReader:
    """Walks a page's content (and the forms it draws) and collects what it paints."""

    def __init__(self) -> None:
        self.paints: list[Paint] = []
        self._widths: dict[tuple[int, int], tuple[Any, bool]] = {}  # per font, read once
        self._path: list[list[tuple[float, float]]] = []
        self._rects: list[Box] = []

    def read(self, page: pikepdf.Page) -> list[Paint]:
        self._run(page, page.obj.get("/Resources"), _State())
        return self.paints

    def _run(self, owner: Any, resources: Any, state: _State) -> None:
        import pikepdf

        stack: list[_State] = []
        text_matrix = line_matrix = IDENTITY
        # unpacked as (operands, operator) pairs, which pikepdf supports and its stubs do not say;
        # about twice as fast as reading the two attributes of each instruction
        instructions: Iterable[tuple[Any, Any]] = cast(Any, pikepdf.parse_content_stream(owner))
        for args, operator in instructions:
            op = str(operator)
            if op in _PATH_OPS:  # the most frequent by far (a QR code is hundreds of them)
                self._build_path(op, args, state.ctm)
            elif op == "q":
                stack.append(_copy(state))
            elif op == "Q" and stack:
                state = stack.pop()
            elif op == "cm":
                state.ctm = multiply(_matrix(args), state.ctm)
            elif op in _COLOUR_OPS:
                _set_colour(state, op, args, resources)
            elif op in _PAINT_OPS:
                self._paint_path(op, state)
            elif op == "n":
                self._path, self._rects = [], []
            elif op == "BT":
                text_matrix = line_matrix = IDENTITY
            elif op in _TEXT_STATE_OPS:
                _set_text_state(state, op, args, resources)
            elif op in ("Td", "TD", "Tm", "T*", "'", '"'):
                if op == "TD":
                    state.leading = -float(args[1])
                if op == "Tm":
                    line_matrix = _matrix(args)
                elif op in ("Td", "TD"):
                    line_matrix = multiply((1, 0, 0, 1, float(args[0]), float(args[1])),
                                           line_matrix)
                else:
                    line_matrix = multiply((1, 0, 0, 1, 0, -state.leading), line_matrix)
                    if op == '"':
                        state.word_spacing, state.char_spacing = float(args[0]), float(args[1])
                text_matrix = line_matrix
                if op in ("'", '"'):
                    text_matrix = self._show(state, text_matrix, [args[-1]])
            elif op in ("Tj", "TJ"):
                shown = list(args[0]) if op == "TJ" else [args[0]]
                text_matrix = self._show(state, text_matrix, shown)
            elif op == "Do":
                self._draw_xobject(resources, str(args[0])[1:], state)
            elif op == "sh":
                self._shading(resources, str(args[0])[1:], state)
            elif op == "INLINE IMAGE":
                self._image(args[0].obj, state, inline=True, resources=resources)

    def _build_path(self, op: str, args: Any, ctm: Matrix) -> None:
        if op == "l" and self._path:
            x, y = float(args[0]), float(args[1])
            self._path[-1].append((ctm[0] * x + ctm[2] * y + ctm[4],
                                   ctm[1] * x + ctm[3] * y + ctm[5]))
            return
        values = [float(a) for a in args]
        if op == "re":
            x, y, w, h = values
            corners = [apply(ctm, x, y), apply(ctm, x + w, y), apply(ctm, x + w, y + h),
                       apply(ctm, x, y + h)]
            self._path.append(corners)
            self._closed_rect(corners)
        elif op == "m":
            self._path.append([apply(ctm, values[0], values[1])])
        elif op == "h":
            if self._path:
                self._closed_rect(self._path[-1])
        elif self._path:
            points = [apply(ctm, values[i], values[i + 1]) for i in range(0, len(values), 2)]
            self._path[-1].extend(points)

    def _closed_rect(self, points: list[tuple[float, float]]) -> None:
        """Keep a closed subpath that is an upright rectangle (a QR code is made of them)."""
        if len(points) == 5 and points[4] == points[0]:
            points = points[:4]
        if len(points) != 4:
            return
        xs = sorted({round(x, 3) for x, _ in points})
        ys = sorted({round(y, 3) for _, y in points})
        if len(xs) == 2 and len(ys) == 2:
            self._rects.append((xs[0], ys[0], xs[1], ys[1]))

    def _paint_path(self, op: str, state: _State) -> None:
        points = [p for sub in self._path for p in sub]
        if points:
            box = bounds(points)
            if op not in ("S", "s"):
                self.paints.append(Paint("fill", box, state.fill, rects=self._rects,
                                         subpaths=len(self._path)))
            if op in ("S", "s", "B", "B*", "b", "b*"):
                self.paints.append(Paint("stroke", box, state.stroke))
        self._path, self._rects = [], []

    def _show(self, state: _State, tm: Matrix, shown: list[Any]) -> Matrix:
        """Paint a text run; returns the text matrix after it."""
        import pikepdf

        start, width = tm, 0.0
        for part in shown:
            if isinstance(part, pikepdf.String):
                key = state.font.objgen if state.font is not None else (0, 0)
                if key not in self._widths:
                    self._widths[key] = font_widths(state.font)
                step = advance(self._widths[key], bytes(part), state.font_size, state.char_spacing,
                               state.word_spacing, state.scale)
            else:
                step = -float(part) / 1000 * state.font_size * state.scale
            width += step
            tm = multiply((1, 0, 0, 1, step, 0), tm)
        if state.render_mode in (3, 7) or state.font_size == 0:
            return tm  # invisible text
        full = multiply(start, state.ctm)
        size = state.font_size
        # the run's box: its advance across, and a line's usual ascent and descent up and down
        # (enough to measure a QR code's quiet zone against a caption)
        corners = [apply(full, 0, -0.25 * size), apply(full, width, -0.25 * size),
                   apply(full, width, 0.9 * size), apply(full, 0, 0.9 * size)]
        scale = math.sqrt(abs(full[0] * full[3] - full[1] * full[2]))
        colour = state.stroke if state.render_mode in (1, 5) else state.fill
        self.paints.append(Paint("text", bounds(corners), colour, size=size * scale))
        return tm

    def _draw_xobject(self, resources: Any, name: str, state: _State) -> None:
        xobjects = resources.get("/XObject") if resources is not None else None
        xobject = xobjects.get("/" + name) if xobjects is not None else None
        if xobject is None:
            return
        if xobject.get("/Subtype") == "/Image":
            self._image(xobject, state, inline=False, resources=resources)
        elif xobject.get("/Subtype") == "/Form":
            inner = _copy(state)
            if "/Matrix" in xobject:
                inner.ctm = multiply(_matrix(list(xobject.Matrix)), state.ctm)
            self._run(xobject, xobject.get("/Resources", resources), inner)

    def _image(self, image: Any, state: _State, *, inline: bool, resources: Any) -> None:
        width = int(image.get("/W" if inline else "/Width", image.get("/Width", 0)))
        height = int(image.get("/H" if inline else "/Height", image.get("/Height", 0)))
        corners = [apply(state.ctm, x, y) for x, y in ((0, 0), (1, 0), (1, 1), (0, 1))]
        across = math.hypot(state.ctm[0], state.ctm[1]) / 72  # inches on the page
        down = math.hypot(state.ctm[2], state.ctm[3]) / 72
        dpi = min(width / across if across else 0.0, height / down if down else 0.0)
        if image.get("/ImageMask", False) or image.get("/IM", False):
            colour = state.fill
        else:
            space = image.get("/ColorSpace", image.get("/CS"))
            colour = Colour(_object_space(space, resources), ())
        self.paints.append(Paint("image", bounds(corners), colour, dpi=dpi))

    def _shading(self, resources: Any, name: str, state: _State) -> None:
        shadings = resources.get("/Shading") if resources is not None else None
        shading = shadings.get("/" + name) if shadings is not None else None
        if shading is not None:
            space = _object_space(shading.get("/ColorSpace"), resources)
            self.paints.append(Paint("shading", (-1e9, -1e9, 1e9, 1e9), Colour(space, ())))


def _object_space(space: Any, resources: Any) -> str:
    import pikepdf

    if isinstance(space, pikepdf.Name):
        short = {"G": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK"}
        name = str(space)[1:]
        return space_name(resources, short.get(name, name))
    if isinstance(space, pikepdf.Array) and len(space):
        kind = str(space[0])[1:]
        return f"ICCBased/{int(space[1].get('/N', 0))}" if kind == "ICCBased" else kind
    return "none"


_COLOUR_OPS = {"cs", "CS", "sc", "scn", "SC", "SCN", "g", "G", "rg", "RG", "k", "K"}
_PATH_OPS = {"m", "l", "c", "v", "y", "h", "re"}
_PAINT_OPS = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}
_TEXT_STATE_OPS = {"Tf", "Tc", "Tw", "Tz", "TL", "Tr"}
_DEVICE = {"g": "DeviceGray", "rg": "DeviceRGB", "k": "DeviceCMYK"}


def _set_colour(state: _State, op: str, args: list[Any], resources: Any) -> None:
    stroking = op[0].isupper() or op in ("SC", "SCN")
    current = state.stroke if stroking else state.fill
    lower = op.lower()
    if lower in _DEVICE:
        colour = Colour(_DEVICE[lower], tuple(float(a) for a in args))
    elif lower == "cs":
        space = space_name(resources, str(args[0])[1:])
        colour = Colour(space, DEFAULTS.get(space, (0.0,)))
    else:  # sc, scn: values in the current space (a pattern's name is kept as no value)
        numbers = tuple(float(a) for a in args if isinstance(a, (int, float, Decimal)))
        colour = Colour(current.space, numbers)
    if stroking:
        state.stroke = colour
    else:
        state.fill = colour


def _set_text_state(state: _State, op: str, args: list[Any], resources: Any) -> None:
    if op == "Tf":
        fonts = resources.get("/Font") if resources is not None else None
        state.font = fonts.get(str(args[0])) if fonts is not None else None
        state.font_size = float(args[1])
    elif op == "Tc":
        state.char_spacing = float(args[0])
    elif op == "Tw":
        state.word_spacing = float(args[0])
    elif op == "Tz":
        state.scale = float(args[0]) / 100
    elif op == "TL":
        state.leading = float(args[0])
    elif op == "Tr":
        state.render_mode = int(args[0])


def _matrix(args: list[Any]) -> Matrix:
    a, b, c, d, e, f = (float(v) for v in args)
    return (a, b, c, d, e, f)


def _copy(state: _State) -> _State:
    return _State(**state.__dict__)
