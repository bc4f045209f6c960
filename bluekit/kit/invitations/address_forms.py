"""How a letter addresses a municipality's college: the first line of the address, the
salutation and the closing, by the kind of college its region's law gives it (Flanders and
Brussels: mayor and aldermen; Wallonia with the German-speaking Community: a municipal college)
and the letter's language. The words are bluekit's own, `templates/address_forms.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import cast

from bluekit.campaign.yaml_source import load_plain
from bluekit.language import Language
from bluekit.municipalities.registry import Municipality


@dataclass(frozen=True)
class FormOfAddress:
    """The words a letter in one language addresses one municipality's college with."""

    addressee: str  # the first line of the address; the municipality's name follows it
    salutation: str
    closing: str


@cache
def forms_source() -> str:
    """The file's text (part of the letters' and e-mails' fingerprints)."""
    return (files("bluekit") / "templates" / "address_forms.yaml").read_text("utf-8")


@cache
def _forms() -> dict[str, dict[str, dict[str, str]]]:
    # college kind -> language -> addressee, salutation, closing: all strings
    return cast("dict[str, dict[str, dict[str, str]]]", load_plain(forms_source()))


def form_of_address(municipality: Municipality, lang: Language) -> FormOfAddress:
    """The form of address of a letter in `lang` to `municipality`'s college."""
    words = _forms()[municipality.college][lang]
    return FormOfAddress(words["addressee"], words["salutation"], words["closing"])
