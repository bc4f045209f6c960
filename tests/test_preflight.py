"""Preflight, on real files: every poster bluekit makes passes it, and a PDF made the way the 2024
posters were (a grey QR code, small four-colour text) plus a 150 dpi photo is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pikepdf
import pytest
import qrcode
import qrcode.image.svg
import typst
from PIL import Image

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.kit.brand import PRINT
from bluekit.kit.posters import SIZES, PosterOptions, plan_posters
from bluekit.pipeline.output_intent import bundled_intent
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.print_pdf import MM, PrintBoxes, PrintSetup, finish_print_pdf
from bluekit.pipeline.report import BuildReport
from bluekit.preflight.checks import (
    Limits,
    PreflightError,
    PreflightFailed,
    a_size_of,
    preflight,
    preflight_file,
)
from bluekit.workflows.build import preflight_made

from .conftest import CAMPAIGN_2024


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every print poster of 2024: each language, the bilingual one, each size, and a
    co-branded one (Kortrijk), as `bluekit build` makes them."""
    out = tmp_path_factory.mktemp("kit")
    campaign = load_campaign(CAMPAIGN_2024)
    planned = plan_posters(campaign, PosterOptions(formats=("pdf",), screen=False))
    from bluekit.municipalities import registry

    planned += plan_posters(campaign, PosterOptions(
        formats=("pdf",), screen=False, sizes=("A4",), municipality=registry.find("Kortrijk")))
    write_outputs(planned, out)
    return out


def _bad_pdf(path: Path) -> Path:
    """A one-page A4 print PDF made with Typst as the 2024 posters were: the QR code an SVG
    image (black, which Typst writes as ICC-based grey), body text of 8 pt in four colours
    (90/75/30/45), and a photo of 300 x 300 pixels printed 50.8 mm wide (150 dpi); with its
    boxes and output intent set as bluekit sets them, so only those three things are wrong."""
    code = qrcode.QRCode(border=4, image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data("https://www.stopmensenhandel.be/nl")
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    photo = io.BytesIO()
    Image.new("CMYK", (300, 300), (20, 40, 60, 0)).save(photo, "JPEG")
    source = b"""
#set page(width: 234mm, height: 321mm, margin: 0pt)
#place(top + left, dx: 30mm, dy: 30mm, image(sys.inputs.qr, format: "svg", width: 60mm))
#place(top + left, dx: 30mm, dy: 100mm, text(size: 8pt, fill: cmyk(90%, 75%, 30%, 45%),
  font: "Lato")[Herken de signalen van mensenhandel.])
#place(top + left, dx: 30mm, dy: 120mm, image(sys.inputs.photo, format: "jpg", width: 50.8mm))
""".replace(b"sys.inputs.qr", b"bytes(sys.inputs.qr)").replace(
        b"sys.inputs.photo", b"read(\"photo.jpg\", encoding: none)")
    (path.parent / "photo.jpg").write_bytes(photo.getvalue())
    (path.parent / "bad.typ").write_bytes(source)
    raw = typst.compile(str(path.parent / "bad.typ"), format="pdf",
                        sys_inputs={"qr": buffer.getvalue().decode()})
    assert isinstance(raw, bytes)
    setup = PrintSetup(PrintBoxes(210, 297), title="bad", author="test", intent=bundled_intent())
    path.write_bytes(finish_print_pdf(raw, setup))
    return path


@pytest.fixture
def bad_pdf(tmp_path: Path) -> Path:
    return _bad_pdf(tmp_path / "poster-A4-nl.pdf")


def test_every_poster_size_and_language_passes_preflight(kit: Path) -> None:
    reports = preflight(kit)
    names = sorted(r.path.name for r in reports)
    assert len(names) == 3 * 5 + 1  # nl, fr, de, en, nl-fr in A4, A3, A2; Kortrijk's A4
    for report in reports:
        assert report.ok, (report.path.name, report.problems)
        size = report.path.name.split("-")[1]
        assert report.a_size == size
        assert report.trim_mm == pytest.approx(SIZES[size], abs=0.1)
        assert report.bleed_mm == pytest.approx(3.0, abs=0.01)
        assert report.colour_spaces == {"DeviceCMYK"}
        assert report.fonts and all(report.fonts.values())
        assert 0 < report.max_ink <= PRINT["total_ink_limit"]
        assert report.smallest_multi_ink_text is None or report.smallest_multi_ink_text >= 12
        assert report.lowest_image_dpi is None
        assert (report.pdfx, report.output_intent) == ("PDF/X-4", "FOGRA39")
        [qr] = report.qr_codes
        assert qr.colour.cmyk == (0.0, 0.0, 0.0, 1.0)
        assert qr.quiet_modules == pytest.approx(4.0, abs=0.05)
        assert qr.module / MM >= PRINT["qr_min_module_mm"]


def test_a_grey_qr_code_four_colour_small_text_and_a_150_dpi_image_are_refused(
    bad_pdf: Path,
) -> None:
    report = preflight_file(bad_pdf)
    assert not report.ok
    problems = "\n".join(report.problems)
    assert "QR code in ICCBased grey 0, not pure K" in problems
    assert "text of 8.0 pt in more than one ink" in problems
    assert "raster image at 150 dpi at print size, at least 300 dpi needed" in problems
    # what else it says follows from those three: the grey is a second colour space
    assert "colour spaces other than DeviceCMYK: ICCBased/1" in problems
    assert len(report.problems) == 4
    assert report.smallest_multi_ink_text == pytest.approx(8.0, abs=0.01)
    assert report.lowest_image_dpi == pytest.approx(150, abs=0.5)
    [qr] = report.qr_codes  # found although grey: by its grid of modules
    assert qr.module / MM == pytest.approx(60 / 37, rel=0.01)  # version 3: 29 + 2 x 4 modules


def test_the_checks_find_what_else_a_print_shop_refuses(tmp_path: Path) -> None:
    """No boxes, no output intent, a Letter-size page, too much ink, a quiet zone taken."""
    source = b"""
#set page(width: 8.5in, height: 11in, margin: 0pt, fill: cmyk(0%, 0%, 0%, 0%))
#place(top + left, dx: 20mm, dy: 20mm, rect(width: 80mm, height: 80mm,
  fill: cmyk(100%, 100%, 100%, 100%)))
"""
    (tmp_path / "ink.typ").write_bytes(source)
    raw = typst.compile(str(tmp_path / "ink.typ"), format="pdf")
    assert isinstance(raw, bytes)
    bare = tmp_path / "bare.pdf"
    bare.write_bytes(raw)
    problems = "\n".join(preflight_file(bare).problems)
    assert "no PDF/X identification" in problems and "no TrimBox" in problems
    assert "total ink 400%, at most 300% allowed" in problems
    boxed = tmp_path / "letter.pdf"
    setup = PrintSetup(PrintBoxes(215.9 - 24, 279.4 - 24), title="t", author="a",
                       intent=bundled_intent())
    boxed.write_bytes(finish_print_pdf(raw, setup))
    assert "trim 191.9 × 255.4 mm is no A size" in preflight_file(boxed).problems
    assert "total ink 450%" not in problems
    assert preflight_file(boxed, Limits(total_ink=400)).max_ink == pytest.approx(400)


def test_a_size_is_recognised_either_way_up() -> None:
    assert a_size_of(297, 420) == "A3"
    assert a_size_of(420, 297) == "A3"
    assert a_size_of(420.4, 594.3) == "A2"
    assert a_size_of(216, 279) == ""


def test_cli_preflight_reports_each_file_and_exits_1_when_one_fails(
    kit: Path, bad_pdf: Path, runner
) -> None:
    result = runner.invoke(app, ["preflight", str(kit)])
    assert result.exit_code == 0, result.output
    assert "posters/poster-A3-nl.pdf: ok" in result.output
    assert "trim 297 × 420 mm (A3), bleed 3 mm; PDF 1.7, PDF/X-4, output intent FOGRA39" in (
        result.output)
    assert "QR code: module 1.51 mm, quiet zone 4.0 modules" in result.output
    assert ": 16 print PDF(s) checked, 0 fail" in result.output
    result = runner.invoke(app, ["preflight", str(bad_pdf), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["failed"] == 1
    assert data["files"][0]["lowest_image_dpi"] == 150
    result = runner.invoke(app, ["preflight", str(bad_pdf.parent / "nothing")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_a_file_that_is_no_pdf_is_named(tmp_path: Path) -> None:
    (tmp_path / "posters").mkdir()
    (tmp_path / "posters" / "poster-A3-nl.pdf").write_text("not a pdf")
    with pytest.raises(PreflightError, match=r"poster-A3-nl\.pdf: cannot be read as a PDF"):
        preflight(tmp_path)


def test_letters_and_web_pdfs_are_not_taken_for_print_pdfs(kit: Path, tmp_path: Path) -> None:
    (tmp_path / "invitations").mkdir()
    raw = typst.compile(b"#set page(paper: \"a4\")\nBrief", format="pdf")
    assert isinstance(raw, bytes)
    (tmp_path / "invitations" / "letter.pdf").write_bytes(raw)
    (tmp_path / "posters").mkdir()
    (tmp_path / "posters" / "poster-web-nl.pdf").write_bytes(raw)
    with pytest.raises(PreflightError, match="no print PDF in this folder"):
        preflight(tmp_path)


def test_the_build_preflights_the_posters_it_made_and_names_those_that_fail(
    bad_pdf: Path,
) -> None:
    out = bad_pdf.parent
    (out / "posters").mkdir()
    bad_pdf.rename(out / "posters" / "poster-A4-nl.pdf")
    report = BuildReport(rendered=["posters/poster-A4-nl.pdf", "posters/poster-web-nl.pdf",
                                   "social/nl/post.png"])
    with pytest.raises(PreflightFailed) as failed:
        preflight_made(out, report, None)
    assert failed.value.exit_code == 1
    assert "1 print PDF(s) fail preflight" in str(failed.value)
    assert "150 dpi" in str(failed.value)
    assert report.preflighted == ["posters/poster-A4-nl.pdf"]


def test_a_print_pdf_keeps_typsts_version_and_gets_its_metadata(kit: Path) -> None:
    path = kit / "posters" / "poster-A3-nl-fr.pdf"
    assert path.read_bytes().startswith(b"%PDF-1.7")
    with pikepdf.open(path) as doc:
        info = doc.docinfo
        title = " ".join(str(info.Title).split())
        assert title == ("Maak mensenhandel zichtbaar / Rendons la traite des êtres humains "
                         "visible · Blue Heart 2024 · A3 nl+fr")
        assert str(info.Author) == "FOD Justitie / SPF Justice"
        assert str(info.GTS_PDFXVersion) == "PDF/X-4" and info.Trapped == pikepdf.Name("/False")
        assert not str(info.CreationDate).startswith("D:1970")
        [intent] = doc.Root.OutputIntents
        assert str(intent.S) == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert intent.DestOutputProfile.read_bytes() == bundled_intent().profile
        xmp = doc.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        content = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(doc.pages[0]))
    # the brand's exact values, not Typst's 1/255 steps (0.949 for 95%)
    assert b"0.95 0.6 0 0.05 k" in content and b"1 0.8 0.2 0.45 k" in content
    assert b"0.9490196" not in content


def test_the_creation_date_comes_from_source_date_epoch_and_the_bytes_repeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1719835200")  # 2024-07-01 12:00 UTC
    campaign = load_campaign(CAMPAIGN_2024)
    options = PosterOptions(languages=("de",), sizes=("A4",), formats=("pdf",), screen=False,
                            bilingual=False)
    made = []
    for run in ("one", "two"):
        write_outputs(plan_posters(campaign, options), tmp_path / run, jobs=1)
        made.append((tmp_path / run / "posters" / "poster-A4-de.pdf").read_bytes())
    assert made[0] == made[1]
    with pikepdf.open(io.BytesIO(made[0])) as doc:
        assert str(doc.docinfo.CreationDate) == "D:20240701120000Z"
