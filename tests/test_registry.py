"""The municipality registry and its language regime."""

from __future__ import annotations

import pytest

from bluekit.errors import NotFound
from bluekit.municipalities import registry


def test_there_are_565_municipalities_with_unique_codes() -> None:
    all_ = registry.municipalities()
    assert len(all_) == 565
    assert len({m.code for m in all_}) == 565


def test_brussels_has_19_bilingual_municipalities_without_province() -> None:
    brussels = registry.select(region="brussels")
    assert len(brussels) == 19
    assert all(m.languages == ("nl", "fr") and m.province_code is None for m in brussels)


def test_nine_municipalities_are_german_speaking_with_french_facilities() -> None:
    german = [m for m in registry.municipalities() if m.languages[0] == "de"]
    assert len(german) == 9
    assert all(m.languages == ("de", "fr") and m.facilities for m in german)
    assert {m.name_de for m in german} >= {"Eupen", "Sankt Vith", "Burg-Reuland"}


def test_27_municipalities_have_language_facilities() -> None:
    assert len(registry.select(facilities=True)) == 27


def test_flanders_is_dutch_and_wallonia_french_outside_the_facilities() -> None:
    for m in registry.select(region="flanders", facilities=False):
        assert m.languages == ("nl",)
    for m in registry.select(region="wallonia", facilities=False):
        assert m.languages == ("fr",)


@pytest.mark.parametrize(
    ("query", "code", "languages"),
    [
        ("Kortrijk", "34022", ("nl",)),
        ("Courtrai", "34022", ("nl",)),
        ("Schaerbeek", "21015", ("nl", "fr")),
        ("Luik", "62063", ("fr",)),
        ("liege", "62063", ("fr",)),
        ("Liège", "62063", ("fr",)),
        ("LÜTTICH", "62063", ("fr",)),
        ("eupen", "63023", ("de", "fr")),
        ("Beveren-Kruibeke-Zwijndrecht", "46030", ("nl",)),
        ("beveren kruibeke zwijndrecht", "46030", ("nl",)),
        ("Voeren", "73109", ("nl", "fr")),
        ("Fourons", "73109", ("nl", "fr")),
        ("Mouscron", "57096", ("fr", "nl")),
        ("Waimes", "63080", ("fr", "de")),
        ("Sint-Genesius-Rode", "23101", ("nl", "fr")),
        ("34022", "34022", ("nl",)),
    ],
)
def test_a_municipality_is_found_by_any_of_its_names(query, code, languages) -> None:
    m = registry.find(query)
    assert m.code == code
    assert m.languages == languages


def test_a_misspelt_name_suggests_the_right_one() -> None:
    with pytest.raises(NotFound) as info:
        registry.find("Kortrik")
    assert "Kortrijk" in info.value.hint


def test_provinces_are_found_in_any_language() -> None:
    assert registry.select(province="Luik") == registry.select(province="Liège")
    assert registry.select(province="Hainaut") == registry.select(province="Henegouwen")
    assert len(registry.select(province="Brabant wallon")) == 27
    total = sum(len(registry.select(province=code)) for code in registry.provinces())
    assert total + 19 == 565


def test_an_unknown_region_is_an_error() -> None:
    with pytest.raises(NotFound):
        registry.select(region="Atlantis")


def test_names_per_language_fall_back_to_the_local_name() -> None:
    liege = registry.find("Liège")
    assert (liege.name("nl"), liege.name("fr"), liege.name("de")) == ("Luik", "Liège", "Lüttich")
    assert liege.name("en") == "Liège"
    assert registry.find("Eupen").name("en") == "Eupen"
