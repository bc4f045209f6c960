"""X's weighted length by the twitter-text rules (v3): the cases of the issue and of
twitter-text's own conformance suite (conformance/validate.yml, `lengths` and `tweets`)."""

from __future__ import annotations

import pytest

from bluekit.kit.x_length import LIMIT, url_spans, x_weighted_length

TRACKED = (
    "https://www.stopmensenhandel.be/nl?utm_source=x&utm_medium=social&utm_campaign=blueheart2024"
)


@pytest.mark.parametrize("domain", ["pagasa.brussels", "payoke.vlaanderen"])
def test_a_link_with_a_new_top_level_domain_counts_23(domain: str) -> None:
    assert x_weighted_length(f"Meer info: {domain}") == len("Meer info: ") + 23
    assert x_weighted_length(f"https://{domain}/nl/hulp?x=1") == 23


def test_a_post_naming_both_centres_counts_as_x_counts_it() -> None:
    text = f"Hulp: pagasa.brussels en payoke.vlaanderen. Meld het: {TRACKED} #EndHumanTrafficking"
    expected = len("Hulp: ") + 23 + len(" en ") + 23 + len(". Meld het: ") + 23 + len(
        " #EndHumanTrafficking")
    assert x_weighted_length(text) == expected


def test_every_link_counts_23_with_or_without_its_protocol() -> None:
    assert x_weighted_length("http://test.com") == 23
    assert x_weighted_length("https://test.com") == 23
    assert x_weighted_length("test.com") == 23
    assert x_weighted_length("Test https://test.com test https://test.com test.com test") == 86
    assert x_weighted_length("Zie www.pag-asa.be.") == len("Zie ") + 23 + 1


def test_an_email_address_is_not_a_link() -> None:
    assert x_weighted_length("teh@just.fgov.be") == len("teh@just.fgov.be")


def test_an_unknown_top_level_domain_is_not_a_link_without_its_protocol() -> None:
    assert x_weighted_length("example.invalid") == len("example.invalid")
    assert x_weighted_length("bestand.docx") == len("bestand.docx")


def test_trailing_punctuation_is_not_part_of_the_link() -> None:
    assert url_spans("(www.pag-asa.be), ok") == [(1, 15)]
    assert x_weighted_length("https://pagasa.brussels/nl?x=1.") == 24


def test_characters_weigh_by_their_range_and_emoji_count_2() -> None:
    assert x_weighted_length("This is a test.") == 15
    assert x_weighted_length("Liège") == 5 and x_weighted_length("Lie\u0300ge") == 5
    assert x_weighted_length("\U00010000\U0010ffff") == 4  # outside the ranges: 2 each
    assert x_weighted_length("저찀쯿쿿") == 8
    assert x_weighted_length("H\U0001f431☺") == 5  # 1 + emoji 2 + ☺ (U+263A) 2
    assert x_weighted_length("👩🏽‍⚖️") == 2  # one emoji sequence
    assert x_weighted_length("🇧🇪") == 2
    assert x_weighted_length("‘quoted’ – “text”") == len("‘quoted’ – “text”")


def test_the_conformance_suite_280_character_tweets() -> None:
    tweet = ("A lie gets halfway around the world before the truth has a chance to get its pants "
             "on. Winston Churchill (1874-1965) http://bit.ly/dJpywL")
    assert x_weighted_length(tweet) <= LIMIT
    assert x_weighted_length("の" * 140) == 280
    assert x_weighted_length("\U0001f431" * 140) == 280
    assert x_weighted_length(f"{tweet} {tweet}") > LIMIT
