"""Accessible documents: the letters, the packing slips and the posters' web versions are tagged
PDF/UA-1 files, with a title, each text in its language, the heart and the QR code described,
and a reading order that follows the page; the print PDFs stay print PDFs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from bluekit.campaign.load import load_campaign
from bluekit.kit.accessibility import heart_alt
from bluekit.kit.invitations.invitees import select_invitees
from bluekit.kit.invitations.letters import letter_job
from bluekit.kit.posters import PosterOptions, plan_posters, qr_target
from bluekit.language import LANGUAGES
from bluekit.ledger.documents import slip_job
from bluekit.ledger.orders import Order, Partner
from bluekit.municipalities.contacts import read_contacts
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import PdfStandardError, render

from .conftest import CAMPAIGN_2022, CAMPAIGN_2024, EXAMPLE_CONTACTS
from .tagged_pdf import in_order, read_aloud, spoken, standards

CAMPAIGN = load_campaign(CAMPAIGN_2024)
WEB_ONLY = PosterOptions(sizes=(), formats=(), screen=False)


@pytest.fixture(scope="module")
def web_posters(tmp_path_factory) -> Path:
    """The web version of every poster of 2024 (nl, fr, de, en, nl-fr) and of 2022."""
    out = tmp_path_factory.mktemp("web")
    write_outputs(plan_posters(CAMPAIGN, WEB_ONLY), out / "2024")
    write_outputs(plan_posters(load_campaign(CAMPAIGN_2022), WEB_ONLY), out / "2022")
    return out


def _is_pdf_ua(path: Path, title: str, lang: str) -> None:
    """The file declares PDF/UA-1, is tagged, shows its title and names its language."""
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    assert standards(path) == {"ua": "1", "title": title, "language": lang}
    assert reader.metadata is not None and reader.metadata.title == title
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert catalog["/Lang"] == lang


@pytest.mark.parametrize("variant", ["nl", "fr", "de", "en", "nl-fr"])
def test_every_web_poster_is_pdf_ua_with_its_title_and_language(web_posters, variant) -> None:
    langs = variant.split("-")
    path = web_posters / "2024" / "posters" / f"poster-web-{variant}.pdf"
    word = {"nl": "affiche", "fr": "affiche", "de": "Plakat", "en": "poster"}
    title = " / ".join(
        " ".join(CAMPAIGN.slogan[lang].split())
        + f" – {word[lang]} {CAMPAIGN.signature.name[lang]} 2024" for lang in langs
    )
    _is_pdf_ua(path, title, langs[0])
    box = PdfReader(path).pages[0].mediabox  # the trimmed A4 page: no bleed, no marks
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


@pytest.mark.parametrize("variant", ["nl", "fr", "de", "en", "nl-fr"])
def test_the_heart_and_the_qr_code_of_a_web_poster_are_described(web_posters, variant) -> None:
    langs = tuple(variant.split("-"))
    pieces = read_aloud(web_posters / "2024" / "posters" / f"poster-web-{variant}.pdf")
    figures = [p.text for p in pieces if p.kind == "figure"]
    # the heart of the signature first (the hearts before the signals are decoration)
    assert figures[0] == heart_alt(langs)
    url = "www.stopmensenhandel.be" + ("" if len(langs) == 2 else f"/{langs[0]}")
    qr = {"nl": f"QR-code naar {url}", "fr": f"Code QR menant à {url}",
          "de": f"QR-Code zu {url}", "en": f"QR code to {url}"}
    assert figures[1:] == [" / ".join(qr[lang] for lang in langs)]
    assert pieces[0].kind == "figure"  # read first, as it is seen first


@pytest.mark.parametrize("variant", ["nl", "nl-fr"])
def test_the_address_and_the_qr_code_of_a_web_poster_open_the_reporting_point(
    web_posters, variant
) -> None:
    langs = variant.split("-")
    path = web_posters / "2024" / "posters" / f"poster-web-{variant}.pdf"
    links = [a.get_object()["/A"]["/URI"] for a in PdfReader(path).pages[0]["/Annots"]]
    target = qr_target(CAMPAIGN, langs, "A4", True, web=True)
    assert links == [target, target]
    assert f"utm_medium=web&utm_campaign=blueheart2024&utm_content={variant}-web" in target
    # each link is tagged, so a screen reader announces the address as a link
    assert [p.text for p in read_aloud(path) if p.role == "Link"] == ["www.stopmensenhandel.be"]


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_a_web_poster_reads_from_the_headline_to_the_centres(web_posters, lang) -> None:
    text = spoken(web_posters / "2024" / "posters" / f"poster-web-{lang}.pdf")
    poster = CAMPAIGN.poster
    assert in_order(
        text, CAMPAIGN.signature.name[lang], CAMPAIGN.slogan[lang], poster.lead[lang],
        poster.signals_title[lang], poster.signals[0][lang], poster.signals[-1][lang],
        poster.call_to_action[lang], "078 055 800", "www.stopmensenhandel.be",
        poster.centres_title[lang], "PAG-ASA", "Payoke", "Sürya",
    )
    # every text of a poster in one language is read in that language
    pieces = read_aloud(web_posters / "2024" / "posters" / f"poster-web-{lang}.pdf")
    assert {p.lang for p in pieces} == {lang}


def test_each_text_of_the_bilingual_web_poster_is_read_in_its_language(web_posters) -> None:
    pieces = read_aloud(web_posters / "2024" / "posters" / "poster-web-nl-fr.pdf")
    poster = CAMPAIGN.poster

    def langs_of(full: str) -> set[str]:
        words = " ".join(full.split())
        found = {p.lang for p in pieces if p.kind == "text" and p.text in words}
        assert found, full
        return found

    for lang in ("nl", "fr"):
        for text in (CAMPAIGN.slogan[lang], poster.lead[lang], poster.signals_title[lang],
                     *(s[lang] for s in poster.signals), poster.call_to_action[lang],
                     CAMPAIGN.reporting_point.name[lang], CAMPAIGN.organisation.name[lang]):
            assert langs_of(text) == {lang}, (lang, text)
    # Dutch first, then French, text by text
    assert in_order(" ".join(p.text for p in pieces if p.kind == "text"),
                    CAMPAIGN.slogan["nl"], CAMPAIGN.slogan["fr"], poster.lead["nl"],
                    poster.lead["fr"], poster.call_to_action["nl"], poster.call_to_action["fr"])


def test_the_web_poster_of_a_campaign_without_a_telephone_is_pdf_ua_too(web_posters) -> None:
    found = sorted(web_posters.glob("2022/posters/poster-web-*.pdf"))
    assert [p.name for p in found] == [f"poster-web-{v}.pdf" for v in ("de", "fr", "nl-fr", "nl")]
    for path in found:
        assert standards(path)["ua"] == "1", path


def test_the_print_pdfs_stay_print_pdfs(tmp_path: Path) -> None:
    options = PosterOptions(languages=("nl",), sizes=("A4",), formats=("pdf",), bilingual=False,
                            screen=False)
    write_outputs(plan_posters(CAMPAIGN, options), tmp_path)
    assert "ua" not in standards(tmp_path / "posters" / "poster-A4-nl.pdf")
    assert standards(tmp_path / "posters" / "poster-web-nl.pdf")["ua"] == "1"


@pytest.fixture(scope="module")
def kortrijk():
    return next(i for i in select_invitees(CAMPAIGN, read_contacts(EXAMPLE_CONTACTS))
                if i.municipality.code == "34022")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_letter_is_pdf_ua_in_every_language(kortrijk, tmp_path: Path, lang) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(render(letter_job(CAMPAIGN, kortrijk, lang)))
    word = {"nl": "Brief Blue Heart", "fr": "Lettre Cœur bleu", "de": "Brief Blue Heart",
            "en": "Letter Blue Heart"}[lang]
    place = kortrijk.municipality.name(lang)
    _is_pdf_ua(path, f"{word} 2024 – {place}", lang)
    pieces = read_aloud(path)
    assert [p.text for p in pieces if p.kind == "figure"] == [heart_alt((lang,))]
    assert {p.lang for p in pieces} == {lang}
    data = letter_job(CAMPAIGN, kortrijk, lang).data

    def joined(runs: list[dict[str, str]]) -> str:  # a text as the letter's runs of it
        return "".join(run["text"] for run in runs)

    # letterhead, addressee, date, subject, salutation, the body, closing, signatory: as on paper
    assert in_order(spoken(path), CAMPAIGN.signature.name[lang], *data["addressee_lines"],
                    data["place_date"], joined(data["subject"]), data["salutation"],
                    joined(data["paragraphs"][0])[:30], data["closing"], data["signatory_role"])


def test_every_letter_of_the_example_contacts_is_pdf_ua(tmp_path: Path) -> None:
    from bluekit.kit.invitations.plan import plan_invitations

    invitees = select_invitees(CAMPAIGN, read_contacts(EXAMPLE_CONTACTS))
    write_outputs(plan_invitations(CAMPAIGN, invitees), tmp_path)
    letters = sorted(tmp_path.glob("invitations/*/*.pdf"))
    assert len(letters) == sum(len(i.languages) for i in invitees) > len(invitees)
    for path in letters:
        assert standards(path)["ua"] == "1", path


def _order(lang: str) -> Order:
    partner = Partner("Stad Gent", "Piet De Smet", "piet@stad.gent", "Botermarkt 1", "9000",
                      "Gent", lang)
    return Order(id=1, number="2024-0007", year=2024, status="received", partner=partner,
                 lines=[("POSTER-A3-NL", 20), ("PIN-BLUEHEART", 100)], remarks="Aan de balie",
                 source="command", source_ref=None, municipality=None,
                 created_at=dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_packing_slip_is_pdf_ua_in_every_language(tmp_path: Path, lang) -> None:
    path = tmp_path / "slip.pdf"
    path.write_bytes(render(slip_job(CAMPAIGN, _order(lang))))
    title = {"nl": "Pakbon", "fr": "Bordereau de livraison", "de": "Lieferschein",
             "en": "Packing slip"}[lang]
    _is_pdf_ua(path, f"{title} 2024-0007", lang)
    pieces = read_aloud(path)
    assert [p.text for p in pieces if p.kind == "figure"] == [heart_alt((lang,))]
    # the items are a table: a header row, then a row per item, read in order
    roles = {p.role for p in pieces}
    assert {"TH", "TD"} <= roles
    assert in_order(spoken(path), CAMPAIGN.organisation.name[lang], "Stad Gent", title,
                    "2024-0007", "POSTER-A3-NL", "20", "PIN-BLUEHEART", "100", "Aan de balie")


def test_a_document_missing_what_pdf_ua_asks_for_is_refused_by_name() -> None:
    [poster] = plan_posters(CAMPAIGN, dataclasses.replace(WEB_ONLY, languages=("nl",),
                                                          bilingual=False))
    job = poster.job
    assert hasattr(job, "data")
    undescribed = dataclasses.replace(job, data=job.data | {"qr": {"data": job.data["qr"]["data"],
                                                                   "width_u": 27}})
    with pytest.raises(PdfStandardError) as info:
        render(undescribed)
    assert "web poster nl" in str(info.value) and "UA-1" in str(info.value)
    assert "alt text" in str(info.value).lower() + (info.value.hint or "").lower()
    untitled = dataclasses.replace(job, data={k: v for k, v in job.data.items()
                                              if k != "document"})
    with pytest.raises(PdfStandardError, match="title"):
        render(untitled)
