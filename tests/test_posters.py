"""The posters, checked on the real rendered files: PDF boxes, fonts, text, QR codes, pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.errors import BluekitError
from bluekit.kit.brand import PALETTE, TEXT_PAIRS, contrast_ratio
from bluekit.kit.posters import (
    QR_WIDTH_U,
    SIZES,
    PosterOptions,
    plan_posters,
    poster_data,
    qr_target,
)
from bluekit.municipalities import registry
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.print_pdf import MM
from bluekit.pipeline.render import MissingGlyphError, TextOverflowError, render, with_qr_code
from bluekit.pipeline.report import BuildFailed

from .conftest import CAMPAIGN_2022, CAMPAIGN_2024


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN_2024)


@pytest.fixture(scope="module")
def pdfs(campaign, tmp_path_factory) -> Path:
    """Print PDFs of every variant in every size."""
    out = tmp_path_factory.mktemp("pdfs")
    options = PosterOptions(formats=("pdf",), screen=False, web=False)
    write_outputs(plan_posters(campaign, options), out)
    return out / "posters"


@pytest.fixture(scope="module")
def images(campaign, tmp_path_factory) -> Path:
    """A4 PNGs at 150 dpi and the screen versions of every variant, plus one JPEG."""
    out = tmp_path_factory.mktemp("images")
    planned = plan_posters(campaign, PosterOptions(sizes=("A4",), formats=("png", "jpg")))
    write_outputs(planned, out)
    return out / "posters"


def _box_mm(box) -> tuple[float, float]:
    return (float(box.width) / MM, float(box.height) / MM)


@pytest.mark.parametrize("size", ["A4", "A3", "A2"])
def test_print_pdf_has_exact_trim_and_bleed_boxes(pdfs: Path, size: str) -> None:
    page = PdfReader(pdfs / f"poster-{size}-nl.pdf").pages[0]
    width, height = SIZES[size]
    assert _box_mm(page.trimbox) == pytest.approx((width, height), abs=0.1)
    assert _box_mm(page.bleedbox) == pytest.approx((width + 6, height + 6), abs=0.1)
    assert _box_mm(page.mediabox) == pytest.approx((width + 24, height + 24), abs=0.1)
    trim_left = float(page.trimbox.left) / MM
    assert float(page.bleedbox.left) / MM == pytest.approx(trim_left - 3, abs=0.1)


def test_print_pdf_embeds_every_font(pdfs: Path) -> None:
    page = PdfReader(pdfs / "poster-A3-fr.pdf").pages[0]
    fonts = page["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert "Lato" in str(font["/BaseFont"])


def test_print_pdf_uses_cmyk_colours(pdfs: Path) -> None:
    content = PdfReader(pdfs / "poster-A3-nl.pdf").pages[0].get_contents().get_data()
    # Typst writes CMYK fills with the `k` operator (or via a DeviceCMYK colour space).
    assert b" k\n" in content or b"DeviceCMYK" in (pdfs / "poster-A3-nl.pdf").read_bytes()


@pytest.mark.parametrize(
    ("variant", "present", "absent"),
    [
        ("nl", ["Maak mensenhandel zichtbaar", "Herken de signalen", "078 055 800"], ["Rendons"]),
        ("fr", ["Rendons la traite", "Reconnaissez les signes", "Sürya"], ["Herken"]),
        ("de", ["Menschenhandel sichtbar machen", "Erkennen Sie die Anzeichen"], ["Herken"]),
        ("en", ["Make human trafficking visible", "Recognise the signs"], ["Herken"]),
        ("nl-fr", ["Maak mensenhandel zichtbaar", "Rendons la traite", "Herken de signalen"], []),
    ],
)
def test_pdf_text_is_extractable_and_in_the_posters_language(
    pdfs: Path, variant: str, present: list[str], absent: list[str]
) -> None:
    text = " ".join(PdfReader(pdfs / f"poster-A3-{variant}.pdf").pages[0].extract_text().split())
    for phrase in present:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text
    assert "www.stopmensenhandel.be" in text


@pytest.mark.parametrize("size", ["A4", "A3", "A2"])
def test_the_name_under_the_qr_code_breaks_into_balanced_lines(pdfs: Path, size: str) -> None:
    lines = PdfReader(pdfs / f"poster-{size}-en.pdf").pages[0].extract_text().splitlines()
    # not "Human" alone above "trafficking reporting point"
    assert lines[lines.index("Human trafficking") + 1] == "reporting point"
    dutch = PdfReader(pdfs / f"poster-{size}-nl.pdf").pages[0].extract_text().splitlines()
    assert "Meldpunt mensenhandel" in dutch  # a name that fits stays on one line
    both = PdfReader(pdfs / f"poster-{size}-nl-fr.pdf").pages[0].extract_text().splitlines()
    assert "Meldpunt mensenhandel" in both  # under the card in the blue band, in both languages
    assert "Point de contact traite des êtres humains" in both


@pytest.mark.parametrize("size", ["A4", "A3", "A2"])
def test_the_bilingual_posters_addresses_stand_on_lines_of_their_own(pdfs: Path, size: str) -> None:
    lines = [line.strip() for line in
             PdfReader(pdfs / f"poster-{size}-nl-fr.pdf").pages[0].extract_text().splitlines()]
    assert "justitie.belgium.be/nl" in lines and "justice.belgium.be/fr" in lines
    assert not [line for line in lines if line.endswith("·")]  # no separator left at a line end


def _decode_qr(path: Path) -> str:
    results = zxingcpp.read_barcodes(Image.open(path))
    qr = [r for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(qr) == 1, f"{path.name}: expected one QR code, found {len(qr)}"
    return qr[0].text


@pytest.mark.parametrize("variant", ["nl", "fr", "de", "en", "nl-fr"])
def test_the_qr_code_decodes_to_the_intended_url(campaign, images: Path, variant: str) -> None:
    langs = variant.split("-")
    assert _decode_qr(images / f"poster-A4-{variant}.png") == qr_target(campaign, langs, "A4", True)
    assert _decode_qr(images / f"screen-{variant}.png") == qr_target(campaign, langs, None, True)


def test_qr_urls_name_campaign_medium_language_and_size(campaign) -> None:
    url = qr_target(campaign, ["fr"], "A3", True)
    assert url.startswith("https://www.stopmensenhandel.be/fr?")
    assert "utm_campaign=blueheart2024" in url and "utm_medium=print" in url
    assert "utm_content=fr-a3" in url
    assert qr_target(campaign, ["fr"], "A3", False) == "https://www.stopmensenhandel.be/fr"
    assert qr_target(campaign, ["nl", "fr"], "A3", False) == "https://www.stopmensenhandel.be/"


def test_the_qr_code_is_large_enough_to_scan_from_a_metre_on_a3(campaign) -> None:
    data = with_qr_code(poster_data(campaign, ["nl"], "A3", PosterOptions()))
    module_mm = SIZES["A3"][0] * QR_WIDTH_U / 100 / data["qr"]["modules"]
    assert module_mm >= 1.4  # ~1.5 mm modules: phones resolve them at 1 m
    assert 'fill="#000000"' in data["qr"]["svg"] or "<path" in data["qr"]["svg"]


def test_png_pixel_size_matches_the_dpi(images: Path) -> None:
    width, height = Image.open(images / "poster-A4-nl.png").size
    assert (width, height) == (round(210 / 25.4 * 150), round(297 / 25.4 * 150))
    jpeg = Image.open(images / "poster-A4-nl.jpg")
    assert jpeg.format == "JPEG" and jpeg.size == (width, height)
    assert round(jpeg.info["dpi"][0]) == 150


def test_the_screen_version_is_exactly_1920_by_1080(images: Path) -> None:
    assert Image.open(images / "screen-nl.png").size == (1920, 1080)


def test_a_text_that_does_not_fit_fails_with_the_numbers(campaign, tmp_path: Path) -> None:
    long_lead = campaign.poster.lead | {"de": "Sehr lange Einleitung ohne Ende. " * 12}
    changed = campaign.model_copy(
        update={"poster": campaign.poster.model_copy(update={"lead": long_lead})}
    )
    planned = plan_posters(
        changed,
        PosterOptions(languages=("de",), sizes=("A3",), formats=("pdf",), screen=False, web=False),
    )
    with pytest.raises(BuildFailed) as info:
        write_outputs(planned, tmp_path)
    ((path, error),) = info.value.report.failed
    assert isinstance(error, TextOverflowError)
    assert (error.field, error.lang) == ("poster.lead", "de")
    assert error.overflow_mm > 0
    assert "poster A3 de" in str(error) and "mm too long" in str(error)
    assert not (tmp_path / path).exists()


def test_campaign_text_with_typst_markup_prints_literally(campaign, tmp_path: Path) -> None:
    nasty = "#set text(red) *bold* _x_ <label> $x^2$ \\ @ref `code` // not a comment"
    signals = [s | {"nl": nasty} for s in campaign.poster.signals[:1]]
    changed = campaign.model_copy(
        update={"poster": campaign.poster.model_copy(update={"signals": signals})}
    )
    planned = plan_posters(
        changed,
        PosterOptions(
            languages=("nl",), sizes=("A3",), formats=("pdf",), bilingual=False, screen=False,
            web=False,
        ),
    )
    write_outputs(planned, tmp_path)
    text = PdfReader(tmp_path / planned[0].path).pages[0].extract_text()
    flat = " ".join(text.split())
    for fragment in [
        "#set text(red)",
        "*bold*",
        "_x_",
        "<label>",
        "$x^2$",
        "\\",
        "@ref",
        "`code`",
        "// not a comment",
    ]:
        assert fragment in flat, fragment


def test_a_character_the_font_lacks_is_an_error(campaign, tmp_path: Path) -> None:
    changed = campaign.model_copy(
        update={"slogan": campaign.slogan | {"nl": "Maak mensenhandel zichtbaar 💙"}}
    )
    (job,) = [
        p.job
        for p in plan_posters(
            changed,
            PosterOptions(
                languages=("nl",), sizes=("A4",), formats=("pdf",), bilingual=False,
                screen=False, web=False,
            ),
        )
    ]
    with pytest.raises(MissingGlyphError, match="U\\+1F499"):
        render(job)


def test_a_municipality_poster_is_cobranded_in_its_languages(campaign, tmp_path: Path) -> None:
    options = PosterOptions(
        sizes=("A4",), formats=("pdf",), screen=False, web=False,
        municipality=registry.find("Schaerbeek"),
    )
    planned = plan_posters(campaign, options)
    assert [p.path for p in planned] == ["posters/21015-schaarbeek/poster-A4-nl-fr.pdf"]
    write_outputs(planned, tmp_path)
    text = " ".join(PdfReader(tmp_path / planned[0].path).pages[0].extract_text().split())
    assert "Schaarbeek steunt de Blue Heart-campagne" in text
    assert "Schaerbeek soutient la campagne" in text


def test_the_2022_campaign_makes_posters_without_a_telephone_number(tmp_path: Path) -> None:
    campaign = load_campaign(CAMPAIGN_2022)
    planned = plan_posters(
        campaign,
        PosterOptions(
            languages=("fr",), sizes=("A4",), formats=("pdf",), bilingual=False, screen=False,
            web=False,
        ),
    )
    write_outputs(planned, tmp_path)
    text = PdfReader(tmp_path / planned[0].path).pages[0].extract_text()
    assert "078" not in text and "stopmensenhandel.be" in text


def test_unknown_options_are_refused(campaign) -> None:
    with pytest.raises(BluekitError, match="unknown size"):
        plan_posters(campaign, PosterOptions(sizes=("A5",)))
    with pytest.raises(BluekitError, match="no texts in es"):
        plan_posters(campaign, PosterOptions(languages=("es",)))


def test_every_text_colour_pair_passes_wcag_aa_for_its_size() -> None:
    for pair in TEXT_PAIRS:
        ratio = contrast_ratio(PALETTE[pair.text].rgb, PALETTE[pair.background].rgb)
        needed = 3.0 if pair.large_only else 4.5
        assert ratio >= needed, f"{pair.use}: {pair.text} on {pair.background} is {ratio:.2f}:1"


def test_sky_on_the_blue_band_is_not_a_pair_any_template_may_use() -> None:
    # 4.27:1: it carried small hashtags and URLs; common.typ's on() now refuses it
    assert contrast_ratio(PALETTE["sky"].rgb, PALETTE["blue"].rgb) < 4.5
    assert ("sky", "blue") not in {(p.text, p.background) for p in TEXT_PAIRS}


def test_posters_command_writes_the_selection(runner, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "posters",
            str(CAMPAIGN_2024),
            "--lang",
            "en",
            "--size",
            "a4",
            "--format",
            "png",
            "--no-bilingual",
            "--no-screen",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "posters" / "poster-A4-en.png").exists()
    assert '"rendered"' in result.stdout


def test_posters_command_rejects_an_unknown_language(runner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["posters", str(CAMPAIGN_2024), "--lang", "es", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "no texts in es" in result.output


def test_png_bytes_are_a_real_image(images: Path) -> None:
    data = (images / "poster-A4-fr.png").read_bytes()
    assert Image.open(io.BytesIO(data)).mode in ("RGB", "RGBA")
