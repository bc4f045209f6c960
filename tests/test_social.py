"""The social-media kits: images, post limits, scheduler files, the page, the ZIP, the frame."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import zipfile
from pathlib import Path

import html5lib
import pytest
from PIL import Image

from bluekit.campaign.load import load_campaign
from bluekit.cli import app
from bluekit.kit.frame import frame_photo
from bluekit.kit.platforms import IMAGE_FORMATS, PLATFORMS
from bluekit.kit.social import SocialOptions, plan_social, posts_txt
from bluekit.kit.social_posts import PostTooLongError, plan_posts, posting_time
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import TextOverflowError, render

from .conftest import CAMPAIGN_2022, CAMPAIGN_2024


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN_2024)


@pytest.fixture(scope="module")
def kit(campaign, tmp_path_factory) -> Path:
    """The Dutch kit, all platforms."""
    out = tmp_path_factory.mktemp("social")
    options = SocialOptions(languages=("nl",), base_url="https://kit.example.org/2024")
    write_outputs(plan_social(campaign, options), out)
    return out / "social"


def _with_post_text(campaign, post_id: str, lang: str, text: str):
    posts = [
        p.model_copy(update={"text": p.text | {lang: text}, "by_platform": {}})
        if p.id == post_id
        else p
        for p in campaign.social.posts
    ]
    return campaign.model_copy(
        update={"social": campaign.social.model_copy(update={"posts": posts})}
    )


def test_images_have_exactly_the_platform_sizes(kit: Path) -> None:
    for image in IMAGE_FORMATS:
        path = kit / "nl" / "images" / f"slogan-{image.file_name}"
        assert Image.open(path).size == (image.width, image.height), image.file_name


def test_every_visual_is_made_at_each_size_of_its_posts_platforms(campaign, kit: Path) -> None:
    names = {p.name for p in (kit / "nl" / "images").iterdir()}
    for size in ("link-1200x630", "portrait-1080x1440", "feed-1080x1350", "landscape-1200x675",
                 "linkedin-1200x627"):
        for visual in ("slogan", "kickoff", "countdown", "lighting"):
            assert f"{visual}-{size}.png" in names
    # the signal post is not on Instagram nor LinkedIn: no sizes of theirs
    assert {n for n in names if n.startswith("signal-3-")} == {
        "signal-3-link-1200x630.png", "signal-3-feed-1080x1350.png",
        "signal-3-landscape-1200x675.png"}
    assert {n for n in names if "story" in n} == {
        "slogan-story-1080x1920.png", "lighting-story-1080x1920.png"}
    slides = sorted(n for n in names if n.startswith("carousel-") and n.endswith(".png"))
    assert slides == [f"carousel-{i}-portrait-1080x1440.png" for i in range(1, 6)]


def test_the_story_keeps_its_texts_out_of_the_apps_controls(kit: Path) -> None:
    story = Image.open(kit / "nl" / "images" / "slogan-story-1080x1920.png").convert("RGB")
    covered = round(0.14 * 1920)  # Instagram's profile bar above, reply box below
    for top, bottom in ((0, covered), (1920 - covered, 1920)):
        # one flat colour each (navy above, the blue band below): no text, no heart
        assert len(story.crop((0, top, 1080, bottom)).getcolors()) == 1, (top, bottom)
    # and the contact and hashtags are there, just above
    assert len(story.crop((0, 1920 - covered - 300, 1080, 1920 - covered)).getcolors(2**16)) > 2


def test_every_post_is_within_its_platform_limit(campaign) -> None:
    posts = plan_posts(campaign, campaign.languages, campaign.social.platforms)
    assert {p.platform.key for p in posts} == set(PLATFORMS)
    for post in posts:
        assert post.length <= post.platform.limit, (post.platform.key, post.lang, post.post_id)
        assert post.alt and len(post.alt) <= post.platform.alt_limit


def test_a_post_with_emoji_and_a_long_url_is_counted_by_each_rule(campaign) -> None:
    text = "💙 " * 10 + "{url} " + "a" * 200
    changed = _with_post_text(campaign, "kickoff", "en", text)
    posts = plan_posts(changed, ["en"], ["mastodon", "linkedin"])
    mastodon = next(p for p in posts if p.platform.key == "mastodon" and p.post_id == "kickoff")
    assert mastodon.length == 10 * 2 + 23 + 1 + 200
    x = next(p for p in plan_posts(changed, ["en"], ["x"]) if p.post_id == "kickoff")
    assert x.length == 10 * 2 + 10 + 23 + 1 + 200  # emoji weigh 2 on X; fits 280
    with pytest.raises(PostTooLongError) as bluesky:
        plan_posts(changed, ["en"], ["bluesky"])
    assert "Bluesky, en, post 'kickoff'" in str(bluesky.value)


def test_an_over_limit_post_fails_with_platform_language_and_numbers(campaign) -> None:
    changed = _with_post_text(campaign, "kickoff", "fr", "x" * 300 + " {url}")
    with pytest.raises(PostTooLongError) as info:
        plan_posts(changed, ["fr"], ["x"])
    message = str(info.value)
    assert (
        "X, fr, post 'kickoff': 324 characters as X counts them, limit 280: 44 too many" in message
    )


def test_posting_times_are_belgian_time_on_the_campaign_days(campaign) -> None:
    posts = {p.id: p for p in campaign.social.posts}
    kickoff = posting_time(campaign, posts["kickoff"])
    assert kickoff.isoformat() == "2024-07-22T10:00:00+02:00"
    countdown = posting_time(campaign, posts["countdown"])
    assert countdown.date() == dt.date(2024, 7, 27)


def test_buffer_csv_parses_back_with_its_columns(kit: Path) -> None:
    raw = (kit / "nl" / "buffer-x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["Text", "Image URL", "Tags", "Posting Time"]
    assert rows[0]["Posting Time"] == "2024-07-22 10:00"
    assert rows[0]["Image URL"] == (
        "https://kit.example.org/2024/nl/images/kickoff-landscape-1200x675.png")
    assert "utm_source=x" in rows[0]["Text"]
    dt.datetime.strptime(rows[-1]["Posting Time"], "%Y-%m-%d %H:%M")


def test_hootsuite_csv_has_no_header_and_day_first_dates(kit: Path) -> None:
    raw = (kit / "nl" / "hootsuite-instagram.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert all(len(row) == 3 for row in rows)
    assert rows[0][0] == "22/07/2024 10:00"
    assert "Antwerpen" in rows[0][1]
    assert rows[0][2].endswith("/nl/images/kickoff-portrait-1080x1440.png")


def test_the_page_is_valid_html_and_escapes_campaign_text(campaign, tmp_path: Path) -> None:
    changed = _with_post_text(campaign, "kickoff", "nl", "<script>alert('x')</script> & co {url}")
    write_outputs(
        plan_social(changed, SocialOptions(languages=("nl",), platforms=("x",))), tmp_path
    )
    page = (tmp_path / "social" / "nl" / "index.html").read_text("utf-8")
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(page)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in page
    on_x = [p for p in changed.social.posts if p.platforms is None or "x" in p.platforms]
    assert page.count('class="copy"') == len(on_x)
    assert ">Kopiëren</button>" in page and "built-in method" not in page


def test_the_zip_holds_the_complete_kit(kit: Path) -> None:
    with zipfile.ZipFile(kit / "bluekit-social-2024-nl.zip") as archive:
        names = set(archive.namelist())
    prefix = "bluekit-social-2024-nl/"
    expected = {"posts.txt", "index.html", "README.txt", "profile-frame.png"}
    expected |= {f"images/{f.name}" for f in (kit / "nl" / "images").iterdir()}
    expected |= {f"buffer-{k}.csv" for k in PLATFORMS} | {f"hootsuite-{k}.csv" for k in PLATFORMS}
    assert names == {prefix + n for n in expected}
    assert prefix + "images/carousel-nl.pdf" in names


def test_posts_txt_groups_per_platform_with_images_and_alt_text(kit: Path) -> None:
    text = (kit / "nl" / "posts.txt").read_text("utf-8")
    assert text.index("Facebook") < text.index("Instagram") < text.index("Mastodon")
    assert "Publiceren op maandag 22 juli 2024 om 10.00\u00a0uur" in text
    assert "(Lengte: 303 van de 63.206 tekens)" in text  # Facebook's limit, Belgian style
    assert "Alternatieve tekst:" in text and "images/kickoff-landscape-1200x675.png" in text
    # a carousel lists its slides, each with its own alt text
    assert "images/carousel-3-portrait-1080x1440.png" in text
    assert "Alternatieve tekst: 3/5: Horecapersoneel werkt" in text


def test_the_french_posts_file_puts_a_space_before_its_colons(campaign) -> None:
    text = posts_txt(campaign, "fr", plan_posts(campaign, ("fr",), ("instagram",)))
    assert "Visuel\u00a0: images/" in text and "Texte alternatif\u00a0: " in text
    assert "(Longueur\u00a0: " in text and "humains\u00a0: PAG-ASA" in text
    assert "Visuel:" not in text
    assert "À publier le lundi 22 juillet 2024 à 10\u00a0h\n" in text
    assert "caractères sur 2\u202f200)" in text  # Instagram's limit, the French way


def test_the_images_say_what_the_number_is_for_and_a_call_too_long_is_an_error(
    campaign,
) -> None:
    job = next(p.job for p in plan_social(campaign, SocialOptions(languages=("fr",)))
               if p.path.endswith("slogan-feed-1080x1350.png"))
    [visual] = job.data["visuals"]
    assert visual["sub"] == "Un soupçon d’exploitation\u00a0? Signalez-le."
    assert "visuals" in job.check_glyphs  # the call's characters are checked like the slogan's
    long_call = dataclasses.replace(job, data=job.data | {"visuals": [visual | {
        "sub": "Signalez-le " * 150}]})
    with pytest.raises(TextOverflowError) as caught:
        render(long_call)
    assert "slogan / poster.call_to_action (fr) does not fit" in str(caught.value)


def test_the_2022_kit_builds_without_a_telephone_number(tmp_path: Path) -> None:
    campaign = load_campaign(CAMPAIGN_2022)
    planned = plan_social(campaign, SocialOptions(languages=("de",), platforms=("x",)))
    write_outputs(planned, tmp_path)
    assert "078" not in (tmp_path / "social" / "de" / "posts.txt").read_text("utf-8")


def test_the_frame_goes_on_a_non_square_photo(tmp_path: Path) -> None:
    photo = tmp_path / "portrait.jpg"
    image = Image.new("RGB", (800, 500), (200, 30, 30))
    image.paste((30, 200, 30), (350, 200, 450, 300))  # a green patch in the middle
    image.save(photo)
    out = frame_photo(photo)
    framed = Image.open(out).convert("RGB")
    assert out.name == "portrait-blueheart.png" and framed.size == (1080, 1080)
    assert framed.getpixel((540, 540))[1] > 150  # the centre of the photo is kept
    r, _, b = framed.getpixel((540, 8))  # the ring at the top edge is blue
    assert b > 150 and r < 80


def test_social_command_defaults_to_the_kit_and_frames_photos(runner, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "social",
            str(CAMPAIGN_2024),
            "--lang",
            "en",
            "--platform",
            "x,bluesky",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "social" / "bluekit-social-2024-en.zip").exists()
    photo = tmp_path / "me.png"
    Image.new("RGB", (300, 600), "white").save(photo)
    framed = runner.invoke(app, ["social", "frame", str(photo)])
    assert framed.exit_code == 0 and (tmp_path / "me-blueheart.png").exists()
    again = runner.invoke(app, ["social", "frame", str(photo)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_an_unknown_platform_is_refused(runner) -> None:
    result = runner.invoke(app, ["social", str(CAMPAIGN_2024), "--platform", "myspace"])
    assert result.exit_code == 2 and "unknown platform 'myspace'" in result.output


def test_instagram_refuses_a_sixth_hashtag_and_threads_a_second_topic_tag(campaign) -> None:
    tags = " ".join(f"#Tag{i}" for i in range(6))
    changed = _with_post_text(campaign, "kickoff", "en", f"Kick-off today. {tags}")
    with pytest.raises(PostTooLongError) as caught:
        plan_posts(changed, ["en"], ["instagram", "threads"])
    message = str(caught.value)
    assert "Instagram, en, post 'kickoff': 6 hashtags, at most 5" in message
    assert "Threads, en, post 'kickoff': 6 hashtags, at most 1" in message
    # {hashtags} itself gives Threads only the first of the campaign's hashtags
    fine = plan_posts(campaign, ["en"], ["threads"])
    assert all(p.platform.hashtags(p.text) <= 1 for p in fine)
    assert any("#EndHumanTrafficking" in p.text for p in fine)


def test_the_centres_line_names_each_centre_with_its_city_as_a_sentence(campaign) -> None:
    posts = plan_posts(campaign, campaign.languages, ["facebook"])
    text = {p.lang: p.text for p in posts if p.post_id == "world-day"}
    assert text["en"].endswith(
        "\n\nSpecialised centres for victims of human trafficking: PAG-ASA (Brussels) "
        "www.pag-asa.be, Payoke (Antwerp) www.payoke.be and Sürya (Liège) www.asblsurya.org."
    )
    assert text["nl"].endswith(
        "Payoke (Antwerpen) www.payoke.be en Sürya (Luik) www.asblsurya.org."
    )
    assert text["fr"].endswith("Payoke (Anvers) www.payoke.be et Sürya (Liège) www.asblsurya.org.")
    assert text["de"].endswith(
        "Payoke (Antwerpen) www.payoke.be und Sürya (Lüttich) www.asblsurya.org."
    )
