"""`bluekit preflight`: a print PDF checked as a print shop's preflight checks it, with a report
per file and the reasons it fails.

Checked: the trim box is an A size and the bleed box gives at least 3 mm around it; every font
is embedded; only DeviceCMYK is used; the total ink stays within the limit; no text below the
small-text size is set in more than one ink; no raster image is below 300 dpi at print size;
a QR code is in pure K, its module large enough and its quiet zone free; and the file declares
PDF/X with an output intent. The limits are the brand's (`kit/brand.py`, PRINT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bluekit.errors import EXIT_PROBLEMS, BluekitError
from bluekit.kit.brand import PRINT
from bluekit.preflight.content import Box, PageReader, Paint
from bluekit.preflight.fonts import fonts_of
from bluekit.preflight.qr_code import QrCode, find_qr_codes

MM = 72 / 25.4
A_SIZES = {f"A{n}": (round(841 / 2 ** (n / 2)), round(1189 / 2 ** (n / 2))) for n in range(7)}
A_SIZES |= {"A1": (594, 841), "A3": (297, 420), "A5": (148, 210), "A6": (105, 148)}
SIZE_TOLERANCE_MM = 0.5
MIN_BLEED_MM = 3.0


class PreflightError(BluekitError):
    """A file cannot be preflighted (not a PDF, unreadable), or print PDFs failed it."""


@dataclass(frozen=True)
class Limits:
    """What a file must meet; the defaults are the brand's print rules."""

    total_ink: float = float(PRINT["total_ink_limit"])
    small_text_pt: float = float(PRINT["small_text_pt"])
    min_dpi: float = float(PRINT["min_image_dpi"])
    qr_min_module_mm: float = float(PRINT["qr_min_module_mm"])
    qr_quiet_zone: int = int(PRINT["qr_quiet_zone_modules"])


@dataclass
class FileReport:
    """What preflight found in one PDF and why it fails (`problems`; none: it passes)."""

    path: Path
    pages: int = 0
    version: str = ""
    pdfx: str = ""
    output_intent: str = ""
    trim_mm: tuple[float, float] | None = None
    a_size: str = ""
    bleed_mm: float | None = None
    fonts: dict[str, bool] = field(default_factory=dict)
    colour_spaces: set[str] = field(default_factory=set)
    max_ink: float = 0.0
    smallest_multi_ink_text: float | None = None
    lowest_image_dpi: float | None = None
    qr_codes: list[QrCode] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path), "ok": self.ok, "pages": self.pages,
            "pdf_version": self.version, "pdfx": self.pdfx or None,
            "output_intent": self.output_intent or None,
            "trim_mm": list(self.trim_mm) if self.trim_mm else None,
            "a_size": self.a_size or None, "bleed_mm": self.bleed_mm,
            "fonts": [{"name": n, "embedded": e} for n, e in sorted(self.fonts.items())],
            "colour_spaces": sorted(self.colour_spaces), "max_total_ink": round(self.max_ink, 1),
            "smallest_multi_ink_text_pt": _rounded(self.smallest_multi_ink_text),
            "lowest_image_dpi": _rounded(self.lowest_image_dpi),
            "qr_codes": [{"module_mm": round(q.module / MM, 2),
                          "quiet_zone_modules": round(q.quiet_modules, 1),
                          "colour": {"space": q.colour.space, "values": list(q.colour.values)}}
                         for q in self.qr_codes],
            "problems": self.problems,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def a_size_of(width_mm: float, height_mm: float) -> str:
    """The A size a trim of width x height mm is (either way up), or ""."""
    for name, (w, h) in A_SIZES.items():
        for a, b in ((w, h), (h, w)):
            if abs(a - width_mm) <= SIZE_TOLERANCE_MM and abs(b - height_mm) <= SIZE_TOLERANCE_MM:
                return name
    return ""


def preflight_file(path: Path, limits: Limits | None = None) -> FileReport:
    """Preflight one PDF."""
    import pikepdf

    limits = limits or Limits()
    report = FileReport(path)
    try:
        doc = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        raise PreflightError(f"{path}: cannot be read as a PDF ({exc})",
                             hint="is it a PDF, and complete? Build it again") from None
    with doc:
        report.pages = len(doc.pages)
        report.version = doc.pdf_version
        report.pdfx = str(doc.docinfo.get("/GTS_PDFXVersion", ""))
        intents: list[Any] = list(doc.Root.get("/OutputIntents") or [])
        report.output_intent = ", ".join(
            str(i.get("/OutputConditionIdentifier", "")) for i in intents)
        if not report.pdfx or not intents:
            report.problems.append("no PDF/X identification with an output intent "
                                   "(GTS_PDFXVersion, OutputIntents)")
        for number, page in enumerate(doc.pages, start=1):
            _check_page(report, page, number, limits)
    _summarise(report, limits)
    return report


def _box(page: Any, name: str) -> Box | None:
    value = page.obj.get(name)
    if value is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _check_page(report: FileReport, page: Any, number: int, limits: Limits) -> None:
    where = f"page {number}: " if report.pages > 1 else ""
    media, trim, bleed = _box(page, "/MediaBox"), _box(page, "/TrimBox"), _box(page, "/BleedBox")
    if trim is None:
        report.problems.append(f"{where}no TrimBox: the print shop cannot tell the trim size")
    else:
        width, height = (trim[2] - trim[0]) / MM, (trim[3] - trim[1]) / MM
        report.trim_mm = (round(width, 1), round(height, 1))
        report.a_size = a_size_of(width, height)
        if not report.a_size:
            report.problems.append(f"{where}trim {width:.1f} × {height:.1f} mm is no A size")
    if trim is not None and bleed is not None:
        margin = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2],
                     bleed[3] - trim[3]) / MM
        report.bleed_mm = round(margin, 2)
        if margin < MIN_BLEED_MM - 0.05:
            report.problems.append(f"{where}bleed {margin:.1f} mm, at least 3 mm needed")
        if media is not None and not _inside(bleed, media):
            report.problems.append(f"{where}the BleedBox reaches outside the page (MediaBox)")
    elif trim is not None:
        report.problems.append(f"{where}no BleedBox: 3 mm of bleed around the trim needed")
    for name, embedded in fonts_of(page):
        report.fonts[name] = report.fonts.get(name, True) and embedded
    paints = PageReader().read(page)
    printed = bleed or trim or media
    _check_paints(report, paints, printed, where, limits)


def _inside(inner: Box, outer: Box) -> bool:
    return all((inner[0] >= outer[0] - 0.01, inner[1] >= outer[1] - 0.01,
                inner[2] <= outer[2] + 0.01, inner[3] <= outer[3] + 0.01))


def _overlaps(a: Box, b: Box | None) -> bool:
    return b is None or (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _check_paints(
    report: FileReport, paints: list[Paint], printed: Box | None, where: str, limits: Limits
) -> None:
    for paint in paints:
        report.colour_spaces.add(paint.colour.space)
        cmyk = paint.colour.cmyk
        if cmyk is not None and _overlaps(paint.box, printed):
            report.max_ink = max(report.max_ink, 100 * sum(cmyk))
        if paint.kind == "text" and not paint.colour.white and paint.colour.inks != 1:
            smallest = report.smallest_multi_ink_text
            report.smallest_multi_ink_text = min(smallest or paint.size, paint.size)
        if paint.kind == "image":
            lowest = report.lowest_image_dpi
            report.lowest_image_dpi = min(lowest or paint.dpi, paint.dpi)
    for qr in find_qr_codes(paints, limits.qr_quiet_zone):
        report.qr_codes.append(qr)
        module_mm = qr.module / MM
        if qr.colour.cmyk is None or tuple(qr.colour.cmyk) != (0.0, 0.0, 0.0, 1.0):
            report.problems.append(
                f"{where}QR code in {_colour_words(qr)}, not pure K (0/0/0/100 DeviceCMYK): "
                "a RIP may print it in four colours with soft edges")
        if module_mm < limits.qr_min_module_mm:
            report.problems.append(f"{where}QR code module {module_mm:.2f} mm, at least "
                                   f"{limits.qr_min_module_mm:g} mm needed")
        if qr.quiet_modules < limits.qr_quiet_zone - 0.05:
            report.problems.append(f"{where}QR code quiet zone {qr.quiet_modules:.1f} modules, "
                                   f"{limits.qr_quiet_zone} free modules needed around it")


def _colour_words(qr: QrCode) -> str:
    values = "/".join(f"{100 * v:g}" for v in qr.colour.values)
    space = {"ICCBased/1": "ICCBased grey", "DeviceGray": "DeviceGray",
             "ICCBased/3": "ICCBased RGB"}.get(qr.colour.space, qr.colour.space)
    return f"{space} {values}".strip()


def _summarise(report: FileReport, limits: Limits) -> None:
    missing = sorted(name for name, embedded in report.fonts.items() if not embedded)
    if missing:
        report.problems.append(f"fonts not embedded: {', '.join(missing)}")
    others = sorted(report.colour_spaces - {"DeviceCMYK"})
    if others:
        report.problems.append(f"colour spaces other than DeviceCMYK: {', '.join(others)} "
                               "(mixed colour spaces: convert everything to DeviceCMYK)")
    if report.max_ink > limits.total_ink + 0.05:
        report.problems.append(f"total ink {report.max_ink:.0f}%, at most "
                               f"{limits.total_ink:.0f}% allowed")
    small = report.smallest_multi_ink_text
    if small is not None and small < limits.small_text_pt - 0.005:
        report.problems.append(f"text of {small:.1f} pt in more than one ink: text below "
                               f"{limits.small_text_pt:g} pt must be one ink (pure K for black)")
    dpi = report.lowest_image_dpi
    if dpi is not None and dpi < limits.min_dpi - 0.5:
        report.problems.append(f"raster image at {dpi:.0f} dpi at print size, at least "
                               f"{limits.min_dpi:.0f} dpi needed")


def is_print_poster(name: str) -> bool:
    """Whether a file name is one of bluekit's print posters (poster-A3-nl.pdf), not a web
    version or another PDF."""
    return re.fullmatch(r"poster-A\d-[a-z-]+\.pdf", name) is not None


def print_pdfs(folder: Path) -> list[Path]:
    """The print PDFs of a built kit: bluekit's print posters, and any other PDF that says it
    is one (a TrimBox or an output intent); letters, packing slips and web PDFs are not."""
    import pikepdf

    found: list[Path] = []
    for path in sorted(folder.rglob("*.pdf")):
        if is_print_poster(path.name):
            found.append(path)
            continue
        try:
            with pikepdf.open(path) as doc:
                if "/OutputIntents" in doc.Root or any("/TrimBox" in p.obj for p in doc.pages):
                    found.append(path)
        except pikepdf.PdfError:
            found.append(path)  # preflight will say it cannot be read
    return found


def preflight(target: Path, limits: Limits | None = None) -> list[FileReport]:
    """Preflight a PDF, or the print PDFs of a folder; refuses a path with nothing to check."""
    if target.is_file():
        return [preflight_file(target, limits)]
    if not target.is_dir():
        raise PreflightError(f"{target}: no such file or folder",
                             hint="give the folder the kit was built into, e.g. dist/2024")
    paths = print_pdfs(target)
    if not paths:
        raise PreflightError(f"{target}: no print PDF in this folder",
                             hint="build the kit first (bluekit build), then preflight dist/<year>")
    return [preflight_file(path, limits) for path in paths]


class PreflightFailed(BluekitError):
    """Print PDFs a print shop would refuse, each with its reasons."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, reports: list[FileReport]):
        lines = [f"{r.path}: " + "; ".join(r.problems) for r in reports]
        super().__init__(
            f"{len(reports)} print PDF(s) fail preflight:\n" + "\n".join(lines),
            hint="the files were written; see `bluekit preflight` for the whole report",
        )
        self.reports = reports
