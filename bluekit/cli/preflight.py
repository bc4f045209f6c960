"""`bluekit preflight`: the print PDFs checked as a print shop's preflight checks them."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import options, print_json, say
from bluekit.cli.params import AsJson
from bluekit.errors import EXIT_PROBLEMS

if TYPE_CHECKING:  # imported inside the command: bluekit starts faster
    from bluekit.preflight.checks import FileReport, Limits

commands = command_group()


@commands.command()
def preflight(
    ctx: typer.Context,
    target: Annotated[
        Path, typer.Argument(help="The built kit's folder (e.g. dist/2024), or one PDF.")
    ],
    ink_limit: Annotated[
        float, typer.Option(min=100, max=400, help="Total ink allowed, in percent.")
    ] = 300,
    as_json: AsJson = False,
) -> None:
    """Check the print PDFs as a print shop's preflight does, and report per file.

    Trim and bleed boxes against the A size, fonts embedded, colour spaces, total ink, the
    smallest text in more than one ink, raster images below 300 dpi, the QR code's module and
    quiet zone, PDF/X and its output intent. In a folder, the print posters and any other
    PDF with a TrimBox or an output intent are checked (letters and web PDFs are not print PDFs).

    Exit code 0: every file passes; 1: a file fails (each reason is listed); 2: nothing to check.

    Example: bluekit preflight dist/2024
    """
    from bluekit.preflight.checks import Limits
    from bluekit.preflight.checks import preflight as run_preflight

    limits = Limits(total_ink=ink_limit)
    reports = run_preflight(target, limits)
    failed = [r for r in reports if not r.ok]
    if as_json:
        print_json({"target": str(target), "checked": len(reports), "failed": len(failed),
                    "files": [r.as_json() for r in reports]})
    else:
        quiet = options(ctx).quiet
        for report in reports:
            if not quiet or not report.ok:
                typer.echo("\n".join(_lines(report, target, limits)))
        say(ctx, f"{target}: {len(reports)} print PDF(s) checked, {len(failed)} fail")
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


def _lines(report: "FileReport", target: Path, limits: "Limits") -> list[str]:
    name = report.path.relative_to(target) if target.is_dir() else report.path
    trim = (f"trim {report.trim_mm[0]:g} × {report.trim_mm[1]:g} mm ({report.a_size or 'no A size'})"
            if report.trim_mm else "no trim box")
    bleed = f"bleed {report.bleed_mm:g} mm" if report.bleed_mm is not None else "no bleed box"
    intent = f"{report.pdfx or 'no PDF/X'}, output intent {report.output_intent or 'none'}"
    fonts = ", ".join(sorted(n.split("+")[-1] for n in report.fonts)) or "none"
    embedded = "all embedded" if all(report.fonts.values()) else "NOT all embedded"
    small = report.smallest_multi_ink_text
    dpi = report.lowest_image_dpi
    lines = [
        f"{name}: {'ok' if report.ok else 'FAILS'}",
        f"  {trim}, {bleed}; PDF {report.version}, {intent}",
        f"  fonts: {fonts} ({embedded})",
        f"  colour spaces: {', '.join(sorted(report.colour_spaces)) or 'none'}",
        f"  total ink: at most {report.max_ink:.0f}% (limit {limits.total_ink:g}%)",
        "  text in more than one ink: " + (f"smallest {small:.1f} pt (limit "
                                           f"{limits.small_text_pt:g} pt)" if small else "none"),
        "  raster images: " + (f"lowest {dpi:.0f} dpi at print size" if dpi else "none"),
    ]
    for qr in report.qr_codes:
        lines.append(f"  QR code: module {qr.module / 72 * 25.4:.2f} mm, quiet zone "
                     f"{qr.quiet_modules:.1f} modules")
    if not report.qr_codes:
        lines.append("  QR code: none found")
    lines += [f"  problem: {problem}" for problem in report.problems]
    return lines
