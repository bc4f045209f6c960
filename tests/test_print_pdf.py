"""Print PDFs as bluekit finishes them: the QR code drawn in one ink still scans, small text is
set in one ink and large text keeps its colour, the brand's inks stay within the limit, and a
print shop's own profile becomes the output intent."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

import pikepdf
import pytest
import typst
import zxingcpp
from PIL import Image

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.kit import brand
from bluekit.kit.posters import PosterOptions, plan_posters, qr_target
from bluekit.pipeline.output_intent import (
    OutputIntentError,
    bundled_intent,
    intent_from_file,
    profile_description,
)
from bluekit.pipeline.print_inks import InkRules
from bluekit.pipeline.print_pdf import PrintBoxes, PrintSetup, finish_print_pdf
from bluekit.pipeline.render import render
from bluekit.preflight.checks import preflight_file

from .conftest import CAMPAIGN_2024


@pytest.mark.parametrize(("langs", "size"), [(("nl",), "A4"), (("nl", "fr"), "A3")])
def test_the_qr_code_drawn_in_one_ink_scans_to_the_posters_address(
    langs: tuple[str, ...], size: str
) -> None:
    """The print PDF's native QR code, rendered as pixels (the same template and data)."""
    campaign = load_campaign(CAMPAIGN_2024)
    options = PosterOptions(languages=langs, sizes=(size,), formats=("pdf",), screen=False,
                            web=False, bilingual=len(langs) == 2)
    [job] = [p.job for p in plan_posters(campaign, options) if "-".join(langs) + ".pdf" in p.path]
    assert job.data["print"] is True
    picture = render(dataclasses.replace(job, format="png", ppi=100, print_setup=None))
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(picture)))
    assert [r.text for r in found] == [qr_target(campaign, langs, size, True)]


def _text_pdf(tmp_path: Path) -> bytes:
    navy = ", ".join(f"{v}%" for v in brand.PALETTE["navy"].cmyk)
    source = f"""
#set page(width: 100mm, height: 60mm, margin: 10mm)
#set text(font: "Lato", fill: cmyk({navy}))
#text(size: 8pt)[Small navy text]
#text(size: 20pt)[Large navy text]
""".encode()
    (tmp_path / "t.typ").write_bytes(source)
    raw = typst.compile(str(tmp_path / "t.typ"), format="pdf")
    assert isinstance(raw, bytes)
    return raw


def test_small_text_is_set_in_one_ink_and_large_text_keeps_the_brand_colour(
    tmp_path: Path,
) -> None:
    rules = InkRules(tuple((c.cmyk, c.small_cmyk) for c in brand.PALETTE.values()), 12.0)
    setup = PrintSetup(PrintBoxes(76, 36), title="t", author="a", inks=rules,
                       intent=bundled_intent())
    finished = finish_print_pdf(_text_pdf(tmp_path), setup)
    with pikepdf.open(io.BytesIO(finished)) as doc:
        content = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(doc.pages[0]))
    # the 8 pt text is shown in pure K, the 20 pt text in navy's exact four inks
    lines = content.decode("latin-1").splitlines()
    shown = [i for i, line in enumerate(lines) if line.endswith(("TJ", "Tj"))]
    assert len(shown) >= 2
    colour_before = [next(x for x in reversed(lines[:i]) if x.endswith(" k")) for i in shown]
    assert colour_before[0] == "0 0 0 1 k"
    assert colour_before[-1] == "1 0.8 0.2 0.45 k"
    path = tmp_path / "t.pdf"
    path.write_bytes(finished)
    report = preflight_file(path)
    assert report.smallest_multi_ink_text == pytest.approx(20.0, abs=0.01)


def test_the_brands_print_colours_stay_within_the_ink_limit_and_small_text_takes_one_ink() -> None:
    limit = brand.PRINT["total_ink_limit"]
    for name, colour in brand.PALETTE.items():
        if name != "registration":  # crop marks only, outside the bleed
            assert colour.total_ink <= limit, name
        if colour.small_cmyk is not None:
            assert sum(1 for v in colour.small_cmyk if v) == 1, name
        elif name not in ("heart", "mist", "registration"):  # not text, or large text only
            assert colour.inks <= 1, name
    assert brand.PALETTE["ink"].cmyk == (0, 0, 0, 100)


def test_a_print_shops_profile_becomes_the_output_intent(tmp_path: Path, runner) -> None:
    shop = tmp_path / "PSO_Coated_v3_test.icc"
    shutil.copy(bundled_intent().path, shop)
    intent = intent_from_file(shop)
    assert (intent.identifier, intent.registry) == ("Custom", "")
    assert intent.condition == "Coated FOGRA39 (bluekit, made from FOGRA39L)"
    result = runner.invoke(app, ["posters", str(CAMPAIGN_2024), "--lang", "en", "--size", "A4",
                                 "--format", "pdf", "--no-screen", "--out", str(tmp_path / "out"),
                                 "--output-intent", str(shop)])
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "out" / "posters" / "poster-A4-en.pdf") as doc:
        [entry] = doc.Root.OutputIntents
        assert str(entry.OutputConditionIdentifier) == "Custom"
        assert str(entry.Info) == intent.condition


def test_a_profile_that_is_not_a_cmyk_printer_profile_is_refused_with_its_name(
    tmp_path: Path, runner
) -> None:
    rgb = tmp_path / "monitor.icc"
    header = bytearray(bundled_intent().profile[:132])
    header[12:20] = b"mntrRGB "
    rgb.write_bytes(bytes(header))
    with pytest.raises(OutputIntentError, match=r"monitor\.icc: an ICC profile of class 'mntr'"):
        intent_from_file(rgb)
    (tmp_path / "notes.icc").write_text("hello")
    result = runner.invoke(app, ["posters", str(CAMPAIGN_2024), "--format", "pdf",
                                 "--out", str(tmp_path / "out"),
                                 "--output-intent", str(tmp_path / "notes.icc")])
    assert result.exit_code == 2
    assert "notes.icc: not an ICC profile" in result.output
    assert "Traceback" not in result.output


def test_the_bundled_profile_is_a_cmyk_printer_profile_with_its_description() -> None:
    data = bundled_intent().profile
    assert data[12:20] == b"prtrCMYK" and data[36:40] == b"acsp"
    assert profile_description(data) == "Coated FOGRA39 (bluekit, made from FOGRA39L)"


def test_a_source_date_epoch_that_is_no_time_is_refused(
    tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = runner.invoke(app, ["posters", str(CAMPAIGN_2024), "--format", "pdf",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH is 'yesterday', not a number of seconds since 1970" in result.output
