"""Parser of SENACS web pages kept as text (the directory of structures and the older sheets):
text in, dataclasses out, no database (ingest.senacs does the same for the current export).

A page copy starts with `URL: <address>`; the page text follows (bullets as `•`). Copies may
stop anywhere, even in the middle of a label: what was read is kept and the result says it is
incomplete. Three page kinds:
- `/structure/csx` and `/structure/evs`: the directory. Cards open with "Informations sur la
  structure"; the EVS list adds a `Nom | Ville` table whose commune has its postcode glued in
  front (`81230Lacaune`);
- `/action/show/<id>`: one older sheet ("Actions", its title, `Structure organisatrice`,
  `Publié par`, `Thèmes`, `Fichier(s) associé(s)`, then the older question set).
`sniff` tells them apart, and from the current export (ingest.senacs) and a bare listing table.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from essaimage.lib.text import normalize_key

KIND_EXPORT = "export"
KIND_SHEET = "fiche archivée"
KIND_DIRECTORY = "annuaire"
KIND_LISTING = "liste"
KIND_UNKNOWN = "inconnu"

_URL_LINE = re.compile(r"^URL:\s*(\S+)\s*$")
_ACTION_PATH = re.compile(r"^/action/show/(\d+)/?$")
_STRUCTURE_PATH = re.compile(r"^/structure/(csx|evs)/?$")
_BULLET = re.compile(r"^\s*[•\-\*·]\s*")
_POSTCODE_LINE = re.compile(r"^(\d{5})\s+(\S.*)$")
_GLUED_POSTCODE = re.compile(r"^(\d{5})\s*(\S.*)$")
_LISTING_ROW = re.compile(r"^(?P<name>[^|]+?)\s*\|\s*(?P<town>[^|]*?)\s*\|?\s*$")
_AXIS = re.compile(r"^-?\s*Axe\s*([1-5])\s*:\s*(.*)$")
_FILE_SIZE = re.compile(r"^\(\s*([\d.,]+)\s*([KMG]?)o?B?\s*\)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^autres?\s*\.*\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u00a0": " "})


def _clean(line: str) -> str:
    return " ".join(line.translate(_APOSTROPHES).split())


class PageRefused(ValueError):
    """The page cannot be imported (a copy without its beginning...): the reason, in French."""


class PageSkipped(ValueError):
    """The page holds nothing to import (SENACS's charter under an action address...)."""


# -- the directory ------------------------------------------------------------------------------

CARD_START = "Informations sur la structure"
# "label : value" lines of a card, as SENACS prints them (apostrophes straightened).
CARD_VALUES = {
    "Adresse mail contact": "email",
    "Site internet": "website",
    "Numéro SIRET": "siret",
    "Date du 1er agrément": "first_agrement",
    "Population de la zone de compétence": "population",
    "Mode de gestion de la structure": "management_mode",
    "Type de territoire d'intervention": "territory_type",
    "Taille du territoire d'intervention": "territory_size",
    "Géographie prioritaire": "priority_geography",
    "Adhérent à la Fédération des Centres Sociaux": "is_federation_member",
    "Adhérent à une autre fédération": "other_federation",
    "Structure « gens du voyage »": "is_travellers",
    "Structure multi-sites / éclaté": "is_multi_site",
    "Structure itinérante": "is_itinerant",
}
CARD_HEADINGS = (
    "Fiche identité",
    "Adresse",
    "Historique",
    "Axes du projet en cours :",
    "Mode de gestion",
    "Territoire d'intervention et géographie prioritaire",
    "Adhésion à une fédération",
    "Spécificités de la structure",
)
BOOLEAN_FIELDS = ("is_federation_member", "is_travellers", "is_multi_site", "is_itinerant")
# Values that say "nothing": kept out of the card.
EMPTY_VALUES = {"non renseigne", "-"}
# SENACS's answer for a structure outside the priority geography, as the card shows it.
NOT_CONCERNED = "vous n etes pas concerne par cette question"
NOT_CONCERNED_LABEL = "Non concernée"
# The last line of a complete card; a card that does not reach it was cut.
LAST_CARD_FIELD = "is_itinerant"


@dataclass
class ParsedStructure:
    name: str
    type: str  # "cs" or "evs"
    source_url: str = ""
    address: str = ""
    postcode: str = ""
    commune: str = ""
    email: str = ""
    website: str = ""
    siret: str = ""
    first_agrement: date | None = None
    population: int | None = None
    history: list[str] = field(default_factory=list)
    project_axes: list[str] = field(default_factory=list)
    management_mode: str = ""
    territory_type: str = ""
    territory_size: str = ""
    priority_geography: str = ""
    is_federation_member: bool | None = None
    other_federation: str = ""
    is_travellers: bool | None = None
    is_multi_site: bool | None = None
    is_itinerant: bool | None = None
    # The copy stopped before the card's last line: what was read is kept.
    incomplete: bool = False
    # Values read but refused (a SIRET that is not 14 digits...), in French.
    problems: list[str] = field(default_factory=list)

    @property
    def departement_code(self) -> str:
        return departement_of_postcode(self.postcode)


@dataclass
class ListingEntry:
    """A row of the EVS list: a name and a town (postcode glued to the commune)."""

    name: str
    postcode: str
    commune: str
    type: str
    source_url: str = ""


@dataclass
class DirectoryPage:
    url: str
    type: str
    structures: list[ParsedStructure] = field(default_factory=list)
    listing: list[ListingEntry] = field(default_factory=list)


def departement_of_postcode(postcode: str) -> str:
    """The département code of a French postcode ("" when it is not one)."""
    if not re.fullmatch(r"\d{5}", postcode or ""):
        return ""
    if postcode.startswith("97"):
        if postcode == "97133":
            return "977"  # Saint-Barthélemy
        if postcode == "97150":
            return "978"  # Saint-Martin
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode[2] in "01" else "2B"
    return postcode[:2]


def _structure_type(url: str) -> str:
    match = _STRUCTURE_PATH.match(urlsplit(url).path)
    return "evs" if match and match.group(1) == "evs" else "cs"


def parse_directory(text: str) -> DirectoryPage:
    """A `/structure/csx` or `/structure/evs` page: its listing rows and its cards."""
    url, lines = _split_url(text)
    kind = _structure_type(url)
    page = DirectoryPage(url=url, type=kind)
    cards: list[list[str]] = []
    for line in lines:
        cleaned = _clean(line)
        if cleaned == CARD_START:
            cards.append([])
        elif cards:
            cards[-1].append(line)
        else:
            entry = _listing_entry(cleaned, kind)
            if entry is not None:
                entry.source_url = url
                page.listing.append(entry)
    for number, card in enumerate(cards, 1):
        parsed = _parse_card(card, kind, url, is_last=number == len(cards))
        if parsed is not None:
            page.structures.append(parsed)
    return page


def parse_listing(text: str, kind: str = "evs") -> list[ListingEntry]:
    """A bare `Nom | Ville` table (no URL line)."""
    entries = []
    for line in text.splitlines():
        entry = _listing_entry(_clean(line), kind)
        if entry is not None:
            entries.append(entry)
    return entries


def _listing_entry(line: str, kind: str) -> ListingEntry | None:
    if "|" not in line or set(line) <= set("-| "):
        return None
    match = _LISTING_ROW.match(line)
    if match is None:
        return None
    name, town = match.group("name").strip(), match.group("town").strip()
    if normalize_key(name) == "nom":
        return None
    glued = _GLUED_POSTCODE.match(town)
    if glued is None:
        return None
    return ListingEntry(name=name, postcode=glued.group(1), commune=glued.group(2), type=kind)


def _is_cut_label(line: str) -> bool:
    """A last line that is only the start of a card label or heading (the copy stopped in it)."""
    key = normalize_key(line)
    if not key:
        return False
    labels = [*CARD_VALUES, *CARD_HEADINGS, CARD_START]
    return any(normalize_key(label).startswith(key) for label in labels)


def _split_value(line: str) -> tuple[str, str] | None:
    """("label", "value") of a card's "label : value" line, when the label is a card's."""
    if ":" not in line:
        return None
    label, _, value = line.partition(":")
    label = _clean(label)
    if label in CARD_VALUES:
        return CARD_VALUES[label], value.strip()
    return None


def _parse_card(lines: list[str], kind: str, url: str, *, is_last: bool) -> ParsedStructure | None:
    rows = [(_clean(line)) for line in lines]
    rows = [row for row in rows if row]
    if not rows:
        return None
    card = ParsedStructure(name=rows[0], type=kind, source_url=url)
    section = ""
    seen_last = False
    for index, row in enumerate(rows[1:], 1):
        final_line = is_last and index == len(rows) - 1
        if row in CARD_HEADINGS:
            section = row
            if row == "Adresse":
                _read_address(card, rows[index + 1 : index + 3])
            continue
        pair = _split_value(row)
        if pair is not None:
            name, value = pair
            if final_line and name != LAST_CARD_FIELD and name not in _TEXT_VALUES:
                # The copy may have stopped inside the value: a half address is no address.
                continue
            _store_value(card, name, value)
            seen_last = seen_last or name == LAST_CARD_FIELD
            continue
        if section == "Adresse":
            continue  # the two address lines, read above
        axis = _AXIS.match(row)
        if axis is not None and section == "Axes du projet en cours :":
            if axis.group(2).strip():
                card.project_axes.append(axis.group(2).strip())
            continue
        if final_line and _is_cut_label(row):
            continue
        if section == "Historique":
            card.history.append(row)
    card.incomplete = not seen_last
    return card


_TEXT_VALUES = {
    "management_mode",
    "territory_type",
    "territory_size",
    "priority_geography",
    "other_federation",
}


def _read_address(card: ParsedStructure, lines: list[str]) -> None:
    """The two lines after "Adresse": the name glued to the street, then "postcode commune"."""
    if not lines:
        return
    street = lines[0]
    if _split_value(street) is not None:
        return
    name = card.name
    if street.casefold().startswith(name.casefold()):
        street = street[len(name) :].strip()
    elif _POSTCODE_LINE.match(street):
        lines = [""] + lines[:1]
        street = ""
    card.address = street
    if len(lines) > 1:
        place = _POSTCODE_LINE.match(lines[1])
        if place is not None:
            card.postcode, card.commune = place.group(1), place.group(2).strip()


def _read_email(card: ParsedStructure, value: str) -> None:
    if _EMAIL.match(value):
        card.email = value.lower()
    else:
        card.problems.append(f"courriel illisible « {value} »")


def _read_website(card: ParsedStructure, value: str) -> None:
    if not re.match(r"^https?://", value, re.IGNORECASE):
        value = f"http://{value}"
    card.website = value


def _read_siret(card: ParsedStructure, value: str) -> None:
    digits = re.sub(r"\D", "", value)
    if len(digits) == 14:
        card.siret = digits
    else:
        card.problems.append(f"SIRET illisible « {value} »")


def _read_first_agrement(card: ParsedStructure, value: str) -> None:
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    try:
        card.first_agrement = date(*map(int, reversed(match.groups()))) if match else None
    except ValueError:
        card.first_agrement = None
    if card.first_agrement is None:
        card.problems.append(f"date d'agrément illisible « {value} »")


def _read_population(card: ParsedStructure, value: str) -> None:
    digits = re.sub(r"[\s\u202f.]", "", value)
    if digits.isdigit():
        card.population = int(digits)
    else:
        card.problems.append(f"population illisible « {value} »")


# Fields read from their printed form (the others are kept as printed).
_READERS = {
    "email": _read_email,
    "website": _read_website,
    "siret": _read_siret,
    "first_agrement": _read_first_agrement,
    "population": _read_population,
}


def _store_value(card: ParsedStructure, name: str, value: str) -> None:
    if not value or normalize_key(value) in EMPTY_VALUES:
        return
    if name in _READERS:
        _READERS[name](card, value)
    elif name == "priority_geography" and normalize_key(value) == NOT_CONCERNED:
        card.priority_geography = NOT_CONCERNED_LABEL
    elif name in BOOLEAN_FIELDS:
        key = normalize_key(value)
        setattr(card, name, True if key == "oui" else False if key == "non" else None)
        if name == "is_federation_member" and getattr(card, name) is None:
            card.problems.append(f"adhésion illisible « {value} »")
    else:
        setattr(card, name, value)


# -- the older sheets ---------------------------------------------------------------------------

SHEET_START = "Actions"
# The older question set, as SENACS prints it; "field" ones have a current field of the same
# label and meaning, the others stay labelled sections of the archived sheet.
OLD_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Quels furent les éléments de diagnostic à l'origine de l'expérience ?", "section"),
    ("Mots clés associés à l'actions", "keywords"),
    ("Description générale", "description"),
    (
        "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
        "experience",
    ),
    (
        "Quels sont les impacts ou effets positifs produits par cette expérience au niveau du "
        "public, du centre social ou de l'environnement ?",
        "section",
    ),
    ("Quels furent les facteurs de réussite de cette expérience ?", "section"),
    ("Quelles sont les limites de cette expérience ?", "section"),
)
HEAD_LABELS = ("Structure organisatrice", "Publié par", "Thèmes", "Fichier(s) associé(s)")
_QUESTION_OF = {_clean(label): (label, kind) for label, kind in OLD_QUESTIONS}
_ALL_SHEET_LABELS = [*HEAD_LABELS, *(_clean(label) for label, _ in OLD_QUESTIONS)]


@dataclass
class ArchivedFile:
    name: str
    size: int = 0  # bytes, from SENACS's "( 182.59K )"


@dataclass
class ArchivedSheet:
    senacs_id: int
    url: str
    title: str
    structure_name: str = ""
    departement_name: str = ""
    published_by: str = ""
    themes: list[str] = field(default_factory=list)
    files: list[ArchivedFile] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    description: str = ""
    experience: str = ""
    # [(label, text)] of the older questions that have no current field, in page order.
    sections: list[tuple[str, str]] = field(default_factory=list)
    # The copy stopped before the sheet's end (its last text may be cut).
    incomplete: bool = False


def senacs_action_id(url: str) -> int | None:
    match = _ACTION_PATH.match(urlsplit(url).path)
    return int(match.group(1)) if match else None


def parse_archived_sheet(text: str) -> ArchivedSheet:
    """One `/action/show/<id>` page. PageRefused for a copy without its beginning (no title),
    PageSkipped for a page that holds no sheet."""
    url, lines = _split_url(text)
    senacs_id = senacs_action_id(url)
    if senacs_id is None:
        raise PageRefused(
            f"l'adresse « {url} » n'est pas celle d'une fiche SENACS (/action/show/…)."
        )
    rows = [line.rstrip() for line in lines]
    cleaned = [_clean(row) for row in rows]
    labels_seen = [row for row in cleaned if row in _ALL_SHEET_LABELS]
    first = next((i for i, row in enumerate(cleaned) if row), None)
    if first is None or not labels_seen:
        raise PageSkipped("la page ne contient pas de fiche action (aucune rubrique de fiche).")
    if cleaned[first] != SHEET_START:
        raise PageRefused(
            "copie commencée au milieu de la fiche : pas de titre ni de structure, rien n'est "
            f"importé (première ligne lue : « {cleaned[first][:60]} »)."
        )
    body = [i for i in range(first + 1, len(cleaned)) if cleaned[i]]
    if not body or cleaned[body[0]] in _ALL_SHEET_LABELS:
        raise PageRefused("fiche sans titre : rien n'est importé.")
    sheet = ArchivedSheet(senacs_id=senacs_id, url=url, title=cleaned[body[0]][:300])
    blocks: list[tuple[str, list[str]]] = []
    for i in body[1:]:
        row = cleaned[i]
        if i == body[-1] and _is_cut_sheet_label(row):
            continue  # the copy stopped inside a label
        if row in _ALL_SHEET_LABELS:
            blocks.append((row, []))
        elif blocks:
            # Keep the text's own line breaks (the sheet body), bullets apart.
            blocks[-1][1].append(rows[i].strip())
    last_line = cleaned[body[-1]] if body else ""
    reached_end = bool(blocks) and blocks[-1][0] == _clean(OLD_QUESTIONS[-1][0])
    sheet.incomplete = not reached_end or _is_cut_sheet_label(last_line)
    for label, content in blocks:
        _store_sheet_block(sheet, label, content)
    if not sheet.incomplete and blocks and not blocks[-1][1]:
        # The copy stopped right after the last label: its text is missing.
        sheet.incomplete = True
    return sheet


def _is_cut_sheet_label(line: str) -> bool:
    key = normalize_key(line)
    return (
        bool(key)
        and line not in _ALL_SHEET_LABELS
        and any(normalize_key(label).startswith(key) for label in _ALL_SHEET_LABELS)
    )


def _items(content: list[str]) -> list[str]:
    items = []
    for line in content:
        value = _BULLET.sub("", line).strip()
        if value:
            items.append(value)
    return items


def _store_sheet_block(sheet: ArchivedSheet, label: str, content: list[str]) -> None:
    if label == "Structure organisatrice":
        value = " ".join(_items(content))
        name, sep, departement = value.rpartition(" - ")
        if sep:
            sheet.structure_name, sheet.departement_name = name.strip(), departement.strip()
        else:
            sheet.structure_name = value.strip()
    elif label == "Publié par":
        sheet.published_by = " ".join(_items(content))[:200]
    elif label == "Thèmes":
        for item in _items(content):
            if not _PLACEHOLDER.match(item) and item not in sheet.themes:
                sheet.themes.append(item)
    elif label == "Fichier(s) associé(s)":
        for item in _items(content):
            size = _FILE_SIZE.match(item)
            if size is not None:
                if sheet.files:
                    sheet.files[-1].size = _bytes(size.group(1), size.group(2))
            else:
                sheet.files.append(ArchivedFile(name=item[:255]))
    else:
        original, kind = _QUESTION_OF[label]
        if kind == "keywords":
            sheet.keywords.extend(k for k in _items(content) if k not in sheet.keywords)
            return
        text = "\n".join(line for line in content if line).strip()
        if kind == "section":
            if text:
                sheet.sections.append((original, text))
        elif text:
            setattr(sheet, kind, text)


def _bytes(number: str, unit: str) -> int:
    value = float(number.replace(",", "."))
    return int(value * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit.upper()])


# -- telling pages apart ------------------------------------------------------------------------


def _split_url(text: str) -> tuple[str, list[str]]:
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        match = _URL_LINE.match(lines[0].strip())
        if match:
            return match.group(1), lines[1:]
    return "", lines


def sniff(text: str) -> str:
    """What a file holds: KIND_SHEET, KIND_DIRECTORY, KIND_EXPORT, KIND_LISTING or KIND_UNKNOWN."""
    url, lines = _split_url(text)
    if url:
        path = urlsplit(url).path
        if _ACTION_PATH.match(path):
            return KIND_SHEET
        if _STRUCTURE_PATH.match(path):
            return KIND_DIRECTORY
        return KIND_UNKNOWN
    head = [_clean(line) for line in lines[:5] if line.strip()]
    if head and "|" in head[0] and normalize_key(head[0].split("|")[0]) == "nom":
        return KIND_LISTING
    # Anything else is read as the current export; ingest.senacs says why when it is not one.
    return KIND_EXPORT
