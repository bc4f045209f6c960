"""A visual per post and the campaign's signature: what `bluekit validate` checks of a visual and
of a posting time, the images and alt texts each post gets, the carousel, the signature on the
outputs, the brand's text pairs, the gallery's numbers and the page of the visual system."""

from __future__ import annotations

import dataclasses
import io
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import html5lib
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bluekit.campaign.load import check_campaign, load_campaign
from bluekit.cli import app
from bluekit.errors import OutputError
from bluekit.kit import brand
from bluekit.kit.gallery_visuals import counts
from bluekit.kit.posters import PosterOptions, plan_posters
from bluekit.kit.social import SocialOptions, plan_social
from bluekit.kit.social_posts import plan_posts
from bluekit.kit.visual_system import plan_visual_system
from bluekit.kit.visuals import carousel_qr_target, slide_alts
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import render

from .conftest import CAMPAIGN_2024, line_of


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN_2024)


def _post(data: dict[str, Any], post_id: str) -> dict[str, Any]:
    return next(p for p in data["social"]["posts"] if p["id"] == post_id)


def _problems(path: Path) -> list[str]:
    _, problems = check_campaign(path)
    # the 2024 file's signatory is staff's to fill in: its warning is not a visual's problem
    return [str(p) for p in problems if p.field != "invitation.signatory.name"]


def test_a_signal_visual_must_name_an_existing_signal(write_campaign) -> None:
    path = write_campaign(lambda d: _post(d, "signals")["visual"].__setitem__("signal", 5))
    [problem] = _problems(path)
    line = line_of(path, "signal: 5")
    assert f"{path}:{line}:" in problem
    assert "social.posts[2].visual.signal: there is no signal 5: poster.signals has 4" in problem
    path = write_campaign(lambda d: _post(d, "signals")["visual"].pop("signal"))
    assert "a signal visual needs `signal`" in _problems(path)[0]


def test_a_visual_that_needs_a_headline_or_a_date_says_so(write_campaign) -> None:
    def change(d: dict[str, Any]) -> None:
        _post(d, "blue-light")["visual"].pop("headline")
        _post(d, "world-day")["visual"] = {"kind": "countdown", "headline": {
            lang: "dagen" for lang in d["languages"]}, "alt": {
            lang: "Een 0" for lang in d["languages"]}}
    problems = _problems(write_campaign(change))
    assert any("a lighting visual needs its `headline`" in p for p in problems)
    assert any("a countdown visual counts the days to World Day, but this post goes out on "
               "or after it" in p for p in problems)


def test_a_carousel_goes_only_to_instagram_and_linkedin(write_campaign) -> None:
    path = write_campaign(lambda d: _post(d, "signals-carousel").__setitem__(
        "platforms", ["instagram", "x"]))
    [problem] = _problems(path)
    assert "a carousel is posted on Instagram and LinkedIn only" in problem
    assert f"{path}:{line_of(path, '- instagram')}:" in problem or "platforms" in problem


def test_a_posting_time_off_hootsuites_five_minute_steps_is_an_error_with_its_line(
    write_campaign, runner
) -> None:
    path = write_campaign(lambda d: _post(d, "countdown").__setitem__("time", "10:02:00"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    line = line_of(path, "10:02:00")
    assert (f"{path}:{line}:" in result.output and "10:02:00 is not on a 5-minute step"
            in result.output and "such as 10:00" in result.output), result.output


def test_two_posts_of_a_day_with_one_image_get_a_warning(write_campaign) -> None:
    path = write_campaign(lambda d: _post(d, "blue-light").pop("visual"))
    [problem] = _problems(path)
    assert "warning" in problem
    assert "post 'blue-light' shows the same image as post 'world-day' on the same day" in problem


def test_the_2024_campaign_is_valid_without_a_warning() -> None:
    assert _problems(CAMPAIGN_2024) == []


def test_no_two_posts_of_a_day_share_an_image_on_any_platform(campaign) -> None:
    posts = plan_posts(campaign, campaign.languages, campaign.social.platforms)
    seen: dict[tuple[str, str, Any], str] = {}
    for post in posts:
        for image in post.images:
            key = (post.platform.key, post.lang, post.when.date())
            owner = seen.setdefault(key + (image.path,), post.post_id)
            assert owner == post.post_id, (key, image.path)
    kinds = {p.visual.kind for p in campaign.social.posts if p.visual}
    assert kinds == {"kickoff", "countdown", "signal", "carousel", "lighting"}


def test_each_visual_has_its_own_alt_text_per_language(campaign) -> None:
    posts = plan_posts(campaign, campaign.languages, ["x", "instagram"])
    x = {(p.post_id, p.lang): p.alt for p in posts if p.platform.key == "x"}
    assert len(set(x.values())) == len(x)  # no two posts or languages share one
    assert x[("blue-light", "de")].startswith("Blaues Herz und die Silhouetten")
    assert x[("world-day", "fr")] == campaign.social.image_alt["fr"]
    for post in posts:  # within each platform's limit (Instagram 100)
        assert all(len(i.alt) <= post.platform.alt_limit for i in post.images)


def test_every_slide_of_the_carousel_has_its_own_numbered_alt_text_in_every_language(
    campaign, tmp_path: Path
) -> None:
    posts = plan_posts(campaign, campaign.languages, ["instagram"])
    for lang in campaign.languages:
        [carousel] = [p for p in posts if p.post_id == "signals-carousel" and p.lang == lang]
        alts = [image.alt for image in carousel.images]
        colon = "\u00a0: " if lang == "fr" else ": "
        texts = [s[lang] for s in campaign.poster.signals]
        # the same form on every slide: its number and its words; the call is no sign
        assert alts[:4] == [f"{n}/5{colon}{text}" for n, text in enumerate(texts, 1)]
        call = campaign.poster.call_to_action[lang].rstrip(".")
        assert alts[4].startswith(f"5/5{colon}{call}{colon}078 055 800, www.stopmensenhandel.be")
        assert campaign.poster.signals_title[lang] not in alts[4]
        # a screen reader reads the call as a sentence, no '·', and hears of the QR code
        assert all("·" not in alt for alt in alts) and "QR" in alts[4]
    write_outputs(plan_social(campaign, SocialOptions(languages=("de",),
                                                      platforms=("instagram",))), tmp_path)
    page = (tmp_path / "social" / "de" / "index.html").read_text("utf-8")
    for n in range(1, 6):  # the page shows each slide's alt text, to copy
        assert f'<p class="meta">{n}/5: ' in page or f"</strong> {n}/5: " in page


def test_the_call_slide_alt_text_is_a_sentence_in_full_where_the_platform_allows_it(
    campaign,
) -> None:
    assert slide_alts(campaign, "en", 1000)[4] == (
        "5/5: Suspect exploitation? Report it: call 078 055 800 or visit "
        "www.stopmensenhandel.be. With a QR code."
    )
    # Instagram's 100: the number and the address without the verbs, still numbered
    assert slide_alts(campaign, "en", 100)[4] == (
        "5/5: Suspect exploitation? Report it: 078 055 800, www.stopmensenhandel.be. "
        "With a QR code."
    )


def test_a_slide_whose_words_do_not_fit_the_alt_text_limit_is_an_error(campaign) -> None:
    long = "Lange " * 20
    signals = [{**campaign.poster.signals[0], "de": long.strip()}, *campaign.poster.signals[1:]]
    poster = campaign.poster.model_copy(update={"signals": signals})
    changed = campaign.model_copy(update={"poster": poster})
    with pytest.raises(OutputError, match=r"carousel slide 1 \(de\) is 119 characters") as err:
        plan_posts(changed, ("de",), ["instagram"])
    assert "poster.signals[0] (de)" in err.value.hint


def test_the_carousel_is_numbered_slides_ending_with_the_call_and_its_qr_code(
    campaign, tmp_path: Path
) -> None:
    planned = plan_social(campaign, SocialOptions(languages=("de",),
                                                  platforms=("instagram", "linkedin")))
    slides = sorted((p for p in planned if "/carousel-" in p.path and p.path.endswith(".png")),
                    key=lambda p: p.path)
    visuals = [p.job.data["visuals"][0] for p in slides]
    assert [v["slide"] for v in visuals] == [{"n": n, "of": 5} for n in range(1, 6)]
    assert [v["headline"] for v in visuals[:4]] == [s["de"] for s in campaign.poster.signals]
    assert visuals[-1]["kind"] == "call"
    last = Image.open(io.BytesIO(render(slides[-1].job)))
    assert last.size == (1080, 1440)
    [code] = zxingcpp.read_barcodes(last)
    assert code.text == carousel_qr_target(campaign, "de")
    assert "utm_source=carousel" in code.text
    [document] = [p for p in planned if p.path.endswith("carousel-de.pdf")]
    write_outputs([document], tmp_path)
    pages = PdfReader(tmp_path / document.path).pages
    assert len(pages) == 5
    assert [round(float(x)) for x in pages[0].mediabox[2:]] == [540, 675]  # 4:5, 1080x1350
    assert "Erkennen Sie die Anzeichen" in pages[0].extract_text()


@pytest.mark.parametrize(("lang", "name", "day"), [
    ("nl", "Blue Heart", "30 juli · Werelddag tegen Mensenhandel"),
    ("fr", "Cœur bleu", "30 juillet · Journée mondiale contre la traite des êtres humains"),
    ("de", "Blue Heart", "30. Juli · Welttag gegen Menschenhandel"),
    ("en", "Blue Heart", "30 July · World Day against Trafficking in Persons"),
])
def test_every_poster_names_the_campaign_and_world_day_in_its_language(
    campaign, tmp_path: Path, lang: str, name: str, day: str
) -> None:
    planned = plan_posters(campaign, PosterOptions(languages=(lang,), sizes=("A4",),
                                                   formats=("pdf",), bilingual=False))
    write_outputs(planned, tmp_path)
    text = PdfReader(tmp_path / planned[0].path).pages[0].extract_text()
    flat = " ".join(text.replace("\u00a0", " ").split())
    assert name in flat and day in flat
    screen = next(p.job for p in planned if "screen" in p.path)
    # (French keeps 'des êtres humains' together with no-break spaces)
    world_day = screen.data["signature"]["lines"][0]["world_day"]
    assert world_day.replace("\u00a0", " ") == day.split(" · ")[1]


def test_the_bilingual_poster_signs_in_both_languages(campaign) -> None:
    [poster] = [p for p in plan_posters(campaign, PosterOptions(sizes=("A4",), formats=("pdf",),
                                                                screen=False, web=False))
                if p.path.endswith("nl-fr.pdf")]
    sig = poster.job.data["signature"]
    assert sig["name"] == "Blue Heart · Cœur bleu"
    assert [line["date"] for line in sig["lines"]] == ["30 juli", "30 juillet"]


def test_a_pair_not_in_the_brands_list_stops_the_render(campaign) -> None:
    job = next(p.job for p in plan_social(campaign, SocialOptions(languages=("nl",),
                                                                  platforms=("x",)))
               if p.path.endswith(".png"))
    pairs = [p for p in job.data["brand"]["pairs"]
             if (p["text"], p["background"]) != ("paper", "blue")]
    broken = dataclasses.replace(job, data=job.data | {
        "brand": job.data["brand"] | {"pairs": pairs}})
    with pytest.raises(OutputError, match="paper on blue is not among the brand's text pairs"):
        render(broken)


def test_templates_that_set_text_colours_directly_use_only_pairs_on_paper() -> None:
    """The visual templates name every text's background (common.typ's on()); a text colour set
    directly (the paged templates: letter, packing slip, chart; a page's default) must pair with
    the page's own colour."""
    for template in (files("bluekit") / "templates").iterdir():
        if not template.name.endswith(".typ"):
            continue
        source = template.read_text("utf-8")
        page = re.search(r"set page\([^\n]*fill: colour\(\"(\w+)\"\)", source)
        background = page.group(1) if page else "paper"
        allowed = {p.text for p in brand.TEXT_PAIRS if p.background == background}
        for colour in re.findall(r"text\([^()\n]*fill: colour\(\"(\w+)\"\)", source):
            assert colour in allowed, (template.name, colour, background)


def test_the_gallery_counts_visuals_per_language_and_images_per_platform(campaign) -> None:
    paths = [p.path for p in plan_social(campaign, SocialOptions())]
    numbers = counts(paths, campaign.languages)
    assert [row["visuals"] for row in numbers["languages"]] == [6, 6, 6, 6]
    assert {row["lang"]: row["images"] for row in numbers["languages"]}["nl"] == 31
    by_platform = {row["name"]: row["images"] for row in numbers["platforms"]}
    assert set(by_platform) == {"Facebook", "Instagram", "X", "LinkedIn", "Bluesky",
                                "Mastodon", "Threads"}
    assert by_platform["Facebook"] == 5 * 4  # a 1200x630 image per visual but the carousel


def test_the_visual_system_page_shows_the_values_the_templates_use(campaign) -> None:
    [page] = plan_visual_system(campaign)
    html = page.job.content.decode("utf-8")
    html5lib.HTMLParser(strict=True).parse(html)
    for colour in brand.PALETTE.values():
        assert colour.rgb in html and " ".join(map(str, colour.cmyk)) in html
    for pair in brand.TEXT_PAIRS:
        assert f"{pair.ratio:.2f}:1 ✓" in html
    for step in brand.TYPE_SCALE:
        assert f"<td>{step}</td>" in html
    assert "30 juillet · Journée mondiale contre la traite des\u00a0êtres\u00a0humains" in html
    assert "Cœur bleu" in html and "clear space" in html
