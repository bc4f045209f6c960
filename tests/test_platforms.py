"""Post lengths counted the way each platform counts them."""

from __future__ import annotations

import pytest

from bluekit.kit.platforms import PLATFORMS, grapheme_count, x_weighted_length

LONG_URL = (
    "https://www.stopmensenhandel.be/nl?utm_source=x&utm_medium=social&utm_campaign=blueheart2024"
)


def test_x_counts_every_link_as_23() -> None:
    assert x_weighted_length(f"Meld het: {LONG_URL}") == len("Meld het: ") + 23
    assert x_weighted_length("Zie www.pag-asa.be.") == len("Zie ") + 23 + 1


def test_x_counts_emoji_as_2_and_latin_accents_as_1() -> None:
    assert x_weighted_length("Liège") == 5
    assert x_weighted_length("💙") == 2
    assert x_weighted_length("👩🏽‍⚖️") == 2  # one emoji sequence
    assert x_weighted_length("人") == 2


def test_bluesky_counts_graphemes_including_the_whole_link() -> None:
    bluesky = PLATFORMS["bluesky"]
    assert bluesky.length("💙🇧🇪") == 2
    assert bluesky.length(LONG_URL) == len(LONG_URL)


def test_mastodon_counts_graphemes_and_links_as_23() -> None:
    mastodon = PLATFORMS["mastodon"]
    assert mastodon.length(f"💙 {LONG_URL}") == 1 + 1 + 23


def test_decomposed_accents_count_once() -> None:
    assert grapheme_count("Lie\u0300ge") == 5
    assert x_weighted_length("Lie\u0300ge") == 5


@pytest.mark.parametrize(
    ("key", "limit"),
    [("x", 280), ("bluesky", 300), ("mastodon", 500), ("instagram", 2200), ("linkedin", 3000)],
)
def test_platform_limits(key: str, limit: int) -> None:
    assert PLATFORMS[key].limit == limit


def test_instagram_counts_hashtags_and_takes_five_since_december_2025() -> None:
    assert PLATFORMS["instagram"].hashtags("#a #b c#d &#39; #EndHumanTrafficking") == 3
    assert PLATFORMS["instagram"].max_hashtags == 5


def test_instagram_has_the_3_4_feed_size_beside_4_5() -> None:
    sizes = [(f.width, f.height) for f in PLATFORMS["instagram"].images]
    assert sizes[:2] == [(1080, 1440), (1080, 1350)]


def test_threads_takes_500_characters_one_topic_tag_and_counts_emoji_by_utf8_bytes() -> None:
    threads = PLATFORMS["threads"]
    assert (threads.limit, threads.max_hashtags, threads.max_links) == (500, 1, 5)
    assert threads.length("Liège") == 5
    assert threads.length("💙") == 4  # U+1F499 takes 4 bytes in UTF-8
    assert threads.length("👩🏽‍⚖️") == len("👩🏽‍⚖️".encode())  # one emoji, 17 bytes


def test_mastodon_counts_a_bare_domain_as_written() -> None:
    # Mastodon turns only addresses with their protocol into 23-character links
    assert PLATFORMS["mastodon"].length("zie pagasa.brussels") == len("zie pagasa.brussels")
    assert PLATFORMS["mastodon"].length("zie https://pagasa.brussels") == 4 + 23
