"""The campaign definition: the real files validate, and every rule reports file:line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bluekit.campaign.load import check_campaign, json_schema, load_campaign
from bluekit.errors import InputFileError, ValidationFailed

from .conftest import CAMPAIGN_2022, CAMPAIGN_2024, line_of


def errors_of(path: Path) -> list:
    _, problems = check_campaign(path)
    return [p for p in problems if p.kind == "error"]


def test_the_2024_campaign_is_complete_and_valid() -> None:
    campaign, problems = check_campaign(CAMPAIGN_2024)
    assert campaign is not None
    # the one warning: the signatory's name, which staff fill in (bluekit never makes one up)
    assert [(p.kind, p.field) for p in problems] == [("warning", "invitation.signatory.name")]
    assert campaign.year == 2024
    assert campaign.languages == ["nl", "fr", "de", "en"]
    assert campaign.dates.world_day == dt.date(2024, 7, 30)
    assert campaign.dates.kickoff is not None
    assert campaign.dates.kickoff.date == dt.date(2024, 7, 22)
    assert campaign.dates.kickoff.date.weekday() == 0  # a Monday
    assert campaign.slogan["nl"] == "Maak mensenhandel zichtbaar"
    assert campaign.reporting_point.telephone is not None
    assert {c.name for c in campaign.centres} == {"PAG-ASA", "Payoke", "Sürya"}
    assert campaign.contacts.orders == "teh@just.fgov.be"
    kinds = {m.kind for m in campaign.materials}
    assert kinds == {"poster", "pin", "brochure"}


def test_the_2022_campaign_is_valid_without_telephone_or_kickoff() -> None:
    campaign = load_campaign(CAMPAIGN_2022)
    assert campaign.reporting_point.telephone is None
    assert campaign.dates.kickoff is None
    assert campaign.materials == []


def test_every_text_of_2024_exists_in_every_language() -> None:
    campaign = load_campaign(CAMPAIGN_2024)
    texts = campaign.localized_texts()
    assert len(texts) > 30
    for path, text in texts:
        assert set(text) == set(campaign.languages), path


def test_an_unknown_key_is_reported_with_a_suggestion(write_campaign) -> None:
    path = write_campaign(lambda d: d.__setitem__("slogen", d["slogan"]))
    (problem,) = errors_of(path)
    assert problem.location.line == line_of(path, "slogen:")
    assert "unknown key 'slogen'" in problem.message
    assert "did you mean 'slogan'" in problem.hint


def test_a_missing_translation_names_the_language_and_the_field(write_campaign) -> None:
    path = write_campaign(lambda d: d["poster"]["lead"].pop("de"))
    (problem,) = errors_of(path)
    assert problem.field == "poster.lead"
    assert "missing translation: de" in problem.message
    assert problem.location.line == line_of(path, "lead:") + 1


def test_a_translation_in_a_language_the_campaign_lacks_is_rejected(write_campaign) -> None:
    def change(d: dict) -> None:
        d["languages"] = ["nl", "fr", "de"]

    problems = errors_of(write_campaign(change))
    assert problems and all("not one of the campaign's languages" in p.message for p in problems)


def test_an_http_url_is_rejected(write_campaign) -> None:
    path = write_campaign(
        lambda d: d["reporting_point"]["url"].__setitem__("fr", "http://www.stopmensenhandel.be")
    )
    (problem,) = errors_of(path)
    assert problem.field == "reporting_point.url.fr"
    assert "https://" in problem.message
    assert problem.location.line == line_of(path, "http://www.stopmensenhandel.be")


def test_an_invalid_email_is_rejected(write_campaign) -> None:
    path = write_campaign(lambda d: d["centres"][0].__setitem__("email", "info@pag-asa"))
    (problem,) = errors_of(path)
    assert problem.field == "centres[0].email"
    assert problem.location.line == line_of(path, "email: info@pag-asa")
    assert "e-mail" in problem.message


def test_an_invalid_belgian_telephone_number_is_rejected(write_campaign) -> None:
    path = write_campaign(lambda d: d["reporting_point"].__setitem__("telephone", "078 055"))
    (problem,) = errors_of(path)
    assert problem.field == "reporting_point.telephone"
    assert "Belgian telephone number" in problem.message


def test_world_day_must_be_30_july_of_the_campaign_year(write_campaign) -> None:
    path = write_campaign(lambda d: d["dates"].__setitem__("world_day", dt.date(2024, 7, 31)))
    (problem,) = errors_of(path)
    assert problem.field == "dates.world_day"
    assert "2024-07-30" in problem.message
    assert problem.location.line == line_of(path, "world_day:")


def test_a_kickoff_after_world_day_is_rejected(write_campaign) -> None:
    path = write_campaign(lambda d: d["dates"]["kickoff"].__setitem__("date", dt.date(2024, 8, 2)))
    (problem,) = errors_of(path)
    assert problem.field == "dates.kickoff"


def test_calling_the_078_number_free_is_an_error(write_campaign) -> None:
    def change(d: dict) -> None:
        d["poster"]["call_to_action"]["nl"] = "Bel gratis naar {telephone}."

    path = write_campaign(change)
    (problem,) = errors_of(path)
    assert problem.field == "poster.call_to_action.nl"
    assert "'gratis'" in problem.message and "national rate" in problem.message


def test_an_unknown_placeholder_is_an_error(write_campaign) -> None:
    def change(d: dict) -> None:
        d["invitation"]["body"][0]["fr"] += " {commune}"

    (problem,) = errors_of(write_campaign(change))
    assert "unknown placeholder {commune}" in problem.message


def test_every_problem_is_reported_at_once(write_campaign) -> None:
    def change(d: dict) -> None:
        d["slogen"] = "x"
        d["centres"][1]["website"] = "www.payoke.be"
        d["poster"]["lead"].pop("en")
        d["contacts"]["press"] = "press-at-just.fgov.be"

    problems = errors_of(write_campaign(change))
    fields = {p.field for p in problems}
    assert {"slogen", "centres[1].website", "poster.lead", "contacts.press"} <= fields
    lines = [p.location.line for p in problems]
    assert lines == sorted(lines)


def test_a_missing_section_is_named(write_campaign) -> None:
    (problem,) = errors_of(write_campaign(lambda d: d.pop("contacts")))
    assert "required key 'contacts' is missing at the top level" in problem.message


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_tab_in_the_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "year: 2024\nslogan:\n\tnl: Maak mensenhandel zichtbaar\n")
    with pytest.raises(InputFileError) as info:
        check_campaign(path)
    assert info.value.location is not None and info.value.location.line == 3
    assert "tab" in info.value.hint


def test_a_duplicate_key_is_reported_with_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "year: 2024\nlanguages: [nl]\nyear: 2025\n")
    with pytest.raises(InputFileError) as info:
        check_campaign(path)
    assert info.value.location is not None and info.value.location.line == 3
    assert "duplicate key 'year' (first defined on line 1)" in info.value.message


def test_bad_indentation_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "year: 2024\ntheme:\n  nl: Kinderen\n fr: Enfants\n")
    with pytest.raises(InputFileError) as info:
        check_campaign(path)
    assert info.value.location is not None and info.value.location.line == 4
    assert "YAML syntax error" in info.value.message


def test_python_tags_are_refused_by_safe_loading(tmp_path: Path) -> None:
    path = _write(tmp_path, "year: !!python/object/apply:os.system ['echo owned']\n")
    with pytest.raises(InputFileError):
        check_campaign(path)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        check_campaign(tmp_path / "nope.yaml")


def test_load_campaign_raises_with_every_problem(write_campaign) -> None:
    path = write_campaign(lambda d: d.__setitem__("year", 2023))
    with pytest.raises(ValidationFailed) as info:
        load_campaign(path)
    assert {p.field for p in info.value.problems} >= {"dates.world_day"}


def test_the_json_schema_describes_every_section() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert {"year", "languages", "slogan", "reporting_point", "materials"} <= set(
        schema["properties"]
    )
    assert "year" in schema["required"]
