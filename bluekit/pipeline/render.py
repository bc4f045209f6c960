"""Typst rendering: templates plus JSON data to PDF, PNG and JPEG, with bundled fonts only.

Data reaches a template only as JSON through `sys.inputs` (read there with
`json(bytes(sys.inputs.data))`), so no campaign text is ever parsed as Typst markup. System fonts
are ignored and any Typst warning (an unknown font among them) is an error, so every machine
renders the same file. Text that does not fit its box makes the template panic with a
structured message, which becomes an `OverflowError` naming the text, language and overflow.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typst

from bluekit.errors import OutputError
from bluekit.pipeline.fonts import FAMILY, drawable, font_coverage, font_directory
from bluekit.pipeline.print_pdf import PrintSetup, finish_print_pdf
from bluekit.pipeline.qr import qr_runs, qr_svg
from bluekit.pipeline.raster import png_to_jpeg, png_with_dpi

if TYPE_CHECKING:
    from typst import OutputFormat, PDFStandard

PdfStandard = Literal["ua-1", "a-2a", "a-2b", "a-3a", "a-3b"]

TEMPLATES = files("bluekit") / "templates"
COMMON_TEMPLATE = "common.typ"
OVERFLOW_MARK = "BLUEKIT-OVERFLOW"


class TextOverflowError(OutputError):
    """A text does not fit its box even at the smallest allowed size."""

    def __init__(self, output: str, field: str, lang: str, overflow_mm: float, box_mm: float):
        # The text takes box + overflow at the smallest size: cut that share of it, plus margin.
        percent = 100 * overflow_mm / (box_mm + overflow_mm) if box_mm + overflow_mm else 100
        super().__init__(
            f"{output}: the text {field} ({lang}) does not fit its box even at the smallest "
            f"allowed size: {overflow_mm:.1f} mm too long for a {box_mm:.1f} mm box",
            hint=f"shorten the {lang} text of {field} "
            # campaign texts are named by their path (poster.lead); the others are data
            + ("in the campaign file" if "." in field else "where it comes from (the contacts "
               "file or the order)")
            + f" by about {min(95, max(5, round(percent + 5)))}%",
        )
        self.output = output
        self.field = field
        self.lang = lang
        self.overflow_mm = overflow_mm


class MissingGlyphError(OutputError):
    """A text contains a character the bundled font cannot draw."""


class PdfStandardError(OutputError):
    """Typst refused to write a file as the PDF standard it was asked for (PDF/UA-1 without a
    title or an alternative text, say): a template or its data lacks what the standard needs."""


@dataclass(frozen=True)
class Job:
    """One file to render: a Typst template, its data and the output format."""

    template: str
    data: dict[str, Any]
    format: str  # pdf, png, jpg
    ppi: float | None = None
    print_setup: PrintSetup | None = None  # a print PDF: boxes, metadata, output intent
    label: str = ""
    check_glyphs: tuple[str, ...] = field(default=())  # data keys whose text must be drawable
    # A large raster (a print poster as an image) takes about 100 MB while Typst draws it: the
    # pipeline lets one process at a time do that. Not part of the fingerprint.
    heavy: bool = False
    # PDF standards Typst checks and declares, e.g. ("ua-1",) for a tagged, accessible PDF:
    # Typst refuses to write one that misses what the standard asks for (a title, alt texts).
    pdf_standards: tuple[PdfStandard, ...] = ()

    def fingerprint(self) -> str:
        """A hash of everything the file is made from: template sources, data, options, and the
        versions of the renderer and the font, so any change to them re-renders the file.
        Computed once per job (the ZIPs, the thumbnails and the manifest all ask for it)."""
        known = self.__dict__.get("_fingerprint")
        if known is not None:
            return str(known)
        digest = hashlib.sha256()
        digest.update(template_source(self.template))
        digest.update(json.dumps(self.data, sort_keys=True, ensure_ascii=False).encode())
        press = self.print_setup.fingerprint() if self.print_setup else None
        digest.update(f"{self.format}|{self.ppi}|{press}|{self.pdf_standards}".encode())
        digest.update(renderer_identity().encode())
        # a frozen dataclass: the cache goes into the instance's dict, not through __setattr__
        self.__dict__["_fingerprint"] = digest.hexdigest()
        return str(self.__dict__["_fingerprint"])


@cache
def template_source(name: str) -> bytes:
    """The template's source with the shared helpers prepended (Typst receives bytes)."""
    common = (TEMPLATES / COMMON_TEMPLATE).read_bytes()
    try:
        own = (TEMPLATES / name).read_bytes()
    except FileNotFoundError:
        raise OutputError(f"no template called {name!r} in bluekit/templates") from None
    return common + b"\n" + own


@cache
def renderer_identity() -> str:
    """Typst and qrcode versions plus a hash of the font files: part of every output's
    fingerprint."""
    digest = hashlib.sha256()
    for path in sorted(font_directory().glob("*.ttf")):
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
    version = getattr(typst, "__version__", "?")
    from importlib.metadata import version as package_version

    return f"typst-{version}-qrcode-{package_version('qrcode')}-fonts-{digest.hexdigest()[:16]}"


@cache
def _fonts() -> typst.Fonts:
    """The bundled fonts only (no system or embedded fonts)."""
    return typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=False,
        font_paths=[str(font_directory())],
    )


@cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(font_paths=_fonts(), ignore_system_fonts=True)


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def check_glyphs(job: Job) -> None:
    """Fail before rendering if a text holds a character the font cannot draw (Typst would
    silently print an empty box)."""
    for key in job.check_glyphs:
        for path, text in _strings(job.data.get(key), key):
            for char in text:
                if not drawable(char):
                    raise MissingGlyphError(
                        f"{job.label}: {path} contains {char!r} "
                        f"(U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}), which the "
                        f"font {FAMILY} cannot print",
                        hint="replace the character in the text it comes from (the campaign "
                        "file, or the order)",
                    )


_OVERFLOW = re.compile(
    OVERFLOW_MARK + r"\|(?P<field>[^|]*)\|(?P<lang>[^|]*)\|(?P<over>[-0-9.e]+)\|(?P<box>[-0-9.e]+)"
)


@lru_cache(maxsize=64)
def _qr_code(data: str) -> tuple[str, int, list[tuple[int, int, int]]]:
    return (*qr_svg(data), qr_runs(data))


def with_qr_code(data: dict[str, Any]) -> dict[str, Any]:
    """The job data with its QR code drawn: `{"qr": {"data": url}}` gains `svg`, `modules`
    (the width in modules, quiet zone included) and `runs` (its dark modules, which a print PDF
    draws in one ink). The code depends only on `data`, which is in the job's fingerprint."""
    qr = data.get("qr")
    if not isinstance(qr, dict) or "data" not in qr:
        return data
    svg, modules, runs = _qr_code(qr["data"])
    return data | {"qr": qr | {"svg": svg, "modules": modules, "runs": runs}}


def compile_typst(job: Job) -> bytes:
    """Compile a job's template with its data; PDF or PNG bytes."""
    check_glyphs(job)
    # Typst makes PDF and PNG; a JPEG is made from the PNG (render refuses any other format)
    fmt: OutputFormat = "pdf" if job.format == "pdf" else "png"
    inputs = {"data": json.dumps(with_qr_code(job.data), ensure_ascii=False)}
    standards: list[PDFStandard] = list(job.pdf_standards) if fmt == "pdf" else []
    try:
        result, warnings = _compiler().compile_with_warnings(
            input=template_source(job.template),
            format=fmt,
            ppi=job.ppi,
            sys_inputs=inputs,
            # reproducible: same input, same bytes (a print PDF gets its real date afterwards)
            timestamp=0,
            pdf_standards=standards,
        )
    except typst.TypstError as exc:
        match = _OVERFLOW.search(str(exc.message))
        if match:
            raise TextOverflowError(
                job.label,
                match["field"],
                match["lang"],
                float(match["over"]),
                float(match["box"]),
            ) from None
        if standards and "PDF/" in str(exc.message):
            raise PdfStandardError(
                f"{job.label}: Typst refused to write {job.template} as "
                f"{'/'.join(standards).upper()}: {exc.message}",
                hint="; ".join(exc.hints) or "the template or its data lacks what the "
                "standard asks for",
            ) from None
        raise OutputError(
            f"{job.label}: Typst could not render {job.template}: {exc.message}"
        ) from None
    if warnings:
        messages = "; ".join(w.message for w in warnings)
        raise OutputError(
            f"{job.label}: rendering {job.template} gave warnings: {messages}",
            hint="a warning (such as an unknown font) would change the output silently",
        )
    if isinstance(result, list):  # multi-page PNG: bluekit's visual templates are one page
        result = result[0]
    assert isinstance(result, bytes)
    return result


def layout_boxes(job: Job) -> list[dict[str, Any]]:
    """The boxes a template reports of its layout (common.typ's `region`): name, x, y, width and
    height in points from the page's top-left corner, for checks that no two overlap."""
    check_glyphs(job)
    inputs = {"data": json.dumps(with_qr_code(job.data), ensure_ascii=False)}
    try:
        found = typst.query(
            template_source(job.template),
            "<bluekit-box>",
            field="value",
            font_paths=_fonts(),
            ignore_system_fonts=True,
            sys_inputs=inputs,
        )
    except typst.TypstError as exc:
        raise OutputError(f"{job.label}: Typst could not lay out {job.template}: {exc}") from None
    boxes = json.loads(found)
    assert isinstance(boxes, list)
    return boxes


def warm_up() -> None:
    """Load Typst and the bundled fonts with a tiny document: run by a rendering process as
    soon as it starts, so that it is ready when its first real render arrives."""
    _compiler().compile(input=b'#set text(font: "Lato")\nBlue Heart *30 July*', format="pdf")
    font_coverage()


def render(job: Job) -> bytes:
    """Render a job to the bytes of its file."""
    raw = compile_typst(job)
    if job.format == "pdf":
        return finish_print_pdf(raw, job.print_setup) if job.print_setup else raw
    if job.format == "jpg":
        return png_to_jpeg(raw, job.ppi)
    if job.format == "png":
        return png_with_dpi(raw, job.ppi)
    raise OutputError(f"{job.label}: unknown format {job.format!r}")


def template_path(name: str) -> Path:
    """Where a template lives on disk (for documentation and error messages)."""
    return Path(str(TEMPLATES / name))
