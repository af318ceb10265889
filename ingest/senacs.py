"""Parser of the SENACS text export (PRODUCT §4): text in, dataclasses out, no database.

Every problem carries the line number where it was seen, so the import report can point at it.
"""

import re
from collections import defaultdict, deque
from dataclasses import dataclass, field, make_dataclass
from functools import lru_cache

from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS, TEXT_FIELDS
from essaimage.lib.text import normalize_key

PAGE_HEADER = "Les actions des centres sociaux"
SHEET_START = "Actions"
PARTNERS_HEADINGS = {
    "partenaires d action": "action_partners",
    "partenaires financiers": "financial_partners",
}

# (label as SENACS prints it, field name), in the order a sheet prints them.
# "Territoire concerné" comes twice: SENACS prints it again after the partners.
SHEET_LABELS: tuple[tuple[str, str], ...] = (
    ("Structure organisatrice", "structure"),
    ("Fichier(s) associé(s)", "attachments"),
    ("Statut de l'action", "status"),
    ("Raisons pour lesquelles l'action est terminée", "end_reason"),
    ("Dimension", "dimension"),
    ("Mots clés associés à l'action", "keywords"),
    ("Résumé", "summary"),
    ("Qui est à l'initiative de l'action ?", "initiators"),
    ("Précision ( si autre )", "initiators_detail"),
    ("Territoire concerné", "territory"),
    (
        "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
        "experience",
    ),
    ("Public", "publics"),
    ("Avec qui cette action a-t-elle été menée ?", "action_partners"),
    ("Partenaires financiers", "financial_partners"),
    ("Territoire concerné", "territory_again"),
    ("Description générale", "description"),
    ("Ressources financières mobilisées pour cette action", "financial_resources"),
    ("Nombre de personnes mobilisés pour cette action", "people_mobilized"),
    ("Résultat sur le territoire", "results_territory"),
    ("Résultat pour le centre social", "results_centre"),
    ("Résultat pour les habitants", "results_residents"),
    ("Suite de l'action : Limites", "limits"),
    ("Suite de l'action : Perspectives", "perspectives"),
)
LAST_FIELD = "perspectives"

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u00a0": " "})


def _label_key(line: str) -> str:
    """Exact label comparison, forgiving only apostrophe styles and surrounding spaces."""
    return " ".join(line.translate(_APOSTROPHES).split())


_LABEL_POSITIONS: dict[str, list[int]] = {}
for _position, (_label, _name) in enumerate(SHEET_LABELS):
    _LABEL_POSITIONS.setdefault(_label_key(_label), []).append(_position)
_ALL_LABEL_KEYS = tuple(_LABEL_POSITIONS)
_POSTCODE_COMMUNE = re.compile(r"\s(\d{5})\s+([A-ZÀ-Ÿa-zà-ÿ][A-ZÀ-Ÿa-zà-ÿ' \-]+)$")
_LISTING_ROW = re.compile(
    r"^(?P<title>.*?)\s*\|\s*(?P<dep>[^|]*?)\s*\|\s*(?P<year>[^|]*?)\s*\|?\s*$"
)


class NotSenacsExport(ValueError):
    """The file is not a SENACS export; nothing in it can be imported."""


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}"


# A parsed sheet's fields: where it was printed, then the sheet's own (catalogue.fields): choices
# and lists as printed (labels), attachments' names, texts.
_ParsedSheetFields = make_dataclass(
    "_ParsedSheetFields",
    [
        ("title", str),
        ("line", int),  # line of the "Actions" marker
        ("structure_name", str, ""),
        ("departement_name", str, ""),
        ("postcode", str, ""),
        ("commune", str, ""),
        ("year", int | None, None),
        *[(name, str, "") for name in CHOICE_FIELDS],
        *[(name, list[str], field(default_factory=list)) for name in (*LIST_FIELDS, "attachments")],
        *[(name, str, "") for name in TEXT_FIELDS],
    ],
    namespace={"__module__": __name__},
)


@dataclass
class ParsedSheet(_ParsedSheetFields):
    is_truncated: bool = False

    def identity(self) -> tuple[str, str, str]:
        """What makes two printed sheets the same action (the year is matched separately)."""
        return (
            normalize_key(self.title),
            normalize_key(self.structure_name),
            normalize_key(self.departement_name),
        )

    def merge(self, other: "ParsedSheet") -> None:
        """Fill what this copy lacks from a duplicate printed elsewhere."""
        for name in (*TEXT_FIELDS, *CHOICE_FIELDS):
            if not getattr(self, name) and getattr(other, name):
                setattr(self, name, getattr(other, name))
        for name in (*LIST_FIELDS, "attachments"):
            values = getattr(self, name)
            values.extend(v for v in getattr(other, name) if v not in values)
        if self.year is None:
            self.year = other.year
        self.is_truncated = self.is_truncated and other.is_truncated


@dataclass
class ParseResult:
    sheets: list[ParsedSheet]
    duplicates: list[ParsedSheet]
    problems: list[Problem]

    @property
    def truncated(self) -> list[ParsedSheet]:
        return [s for s in self.sheets if s.is_truncated]


@dataclass
class _ListingRow:
    title: str
    departement: str
    year: int | None


def decode(data: bytes) -> str:
    """Bytes of an export as text; raise NotSenacsExport with the line of the first bad byte."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise NotSenacsExport(f"ligne {line} : contenu binaire (octet nul), ce n'est pas un texte.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise NotSenacsExport(
            f"ligne {line} : caractères illisibles (le fichier doit être encodé en UTF-8)."
        ) from error


def parse(text: str) -> ParseResult:
    """Parse a whole export. Raise NotSenacsExport when no sheet is recognisable."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    problems: list[Problem] = []
    listing: list[_ListingRow] = []
    sheets: list[ParsedSheet] = []

    starts = [i for i in range(len(lines)) if _is_sheet_start(lines, i)]
    if not any(_has_structure_label(lines, i) for i in starts):
        raise NotSenacsExport(
            "ce fichier n'est pas un export SENACS : aucune fiche (ligne « Actions » suivie "
            "d'un titre puis de « - Structure organisatrice ») n'a été trouvée."
        )
    _read_preamble(lines, 0, starts[0], listing, problems)
    for start in starts[1:]:
        _take_page_header(lines, start, listing, problems)
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        is_last = n + 1 == len(starts)
        sheet = _parse_sheet(lines, start, end, listing, problems, is_last=is_last)
        if sheet is not None:
            sheets.append(sheet)

    _assign_years(sheets, listing)
    unique: dict[tuple, ParsedSheet] = {}
    duplicates: list[ParsedSheet] = []
    for sheet in sheets:
        key = (*sheet.identity(), sheet.year)
        if key in unique:
            unique[key].merge(sheet)
            duplicates.append(sheet)
        else:
            unique[key] = sheet
    return ParseResult(sheets=list(unique.values()), duplicates=duplicates, problems=problems)


def _is_sheet_start(lines: list[str], i: int) -> bool:
    if lines[i].strip() != SHEET_START:
        return False
    after = [line.strip() for line in lines[i + 1 : i + 3]]
    if len(after) < 2:
        # The export was cut right after "Actions" or its title.
        return i + len(after) + 1 == len(lines) and (not after or bool(after[0]))
    return bool(after[0]) and _label_key(after[1].removeprefix("-")) == "Structure organisatrice"


def _has_structure_label(lines: list[str], i: int) -> bool:
    return i + 2 < len(lines) and _label_key(lines[i + 2]) == "- Structure organisatrice"


def _take_page_header(lines, start, listing, problems) -> None:
    """A new page reprints the header and its listing table before its first sheet: read the
    table, and blank those lines so they do not end the previous sheet's last field."""
    first = start
    while first > 0 and (
        not lines[first - 1].strip()
        or "|" in lines[first - 1]
        or lines[first - 1].strip() == PAGE_HEADER
    ):
        first -= 1
    block = [line.strip() for line in lines[first:start]]
    if not any(line == PAGE_HEADER or _is_listing_header(line) for line in block):
        return
    _read_preamble(lines, first, start, listing, problems)
    lines[first:start] = [""] * (start - first)


def _is_listing_header(line: str) -> bool:
    return line.startswith("Nom") and "|" in line


def _read_preamble(lines, start, end, listing, problems) -> None:
    """Page header and listing table (`Nom | Département | Année |`) before the first sheet."""
    in_table = False
    for i in range(start, end):
        line = lines[i].strip()
        if not line or line == PAGE_HEADER:
            continue
        if _is_listing_header(line):
            in_table = True
            continue
        if in_table and set(line) <= set("|-: "):
            continue
        match = _LISTING_ROW.match(line) if in_table and "|" in line else None
        if match:
            year_text = match["year"].strip()
            year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
            if year_text and year is None:
                problems.append(
                    Problem(i + 1, f"année illisible dans le tableau : « {year_text} »")
                )
            listing.append(_ListingRow(match["title"].strip(), match["dep"].strip(), year))
        else:
            problems.append(
                Problem(i + 1, f"ligne ignorée avant la première fiche : « {line[:80]} »")
            )


def _assign_years(sheets: list[ParsedSheet], listing: list[_ListingRow]) -> None:
    # Titles repeat: each sheet takes the first unused row with its title and département.
    rows: dict[tuple[str, str], deque[_ListingRow]] = defaultdict(deque)
    for row in listing:
        rows[(normalize_key(row.title), normalize_key(row.departement))].append(row)
    for sheet in sheets:
        title, _, departement = sheet.identity()
        waiting = rows.get((title, departement))
        if waiting:
            sheet.year = waiting.popleft().year


def _parse_sheet(lines, start, end, listing, problems, *, is_last) -> ParsedSheet | None:
    title_line = start + 1
    title = lines[title_line].strip() if title_line < end else ""
    if not title:
        problems.append(Problem(start + 1, "fiche tronquée avant son titre : non importée."))
        return None
    sheet = ParsedSheet(title=clean_title(title), line=start + 1)
    position = -1
    current: str | None = None
    buffer: list[tuple[int, str]] = []
    seen_last_label = False

    body_end = end
    # A page header reprinted between two sheets is not content.
    while body_end > title_line + 1 and lines[body_end - 1].strip() in ("", PAGE_HEADER):
        body_end -= 1
    for i in range(title_line + 1, body_end):
        raw = lines[i]
        stripped = raw.strip()
        next_position = _label_position(stripped, after=position)
        if next_position is not None:
            _store(sheet, current, buffer, problems)
            position = next_position
            current = SHEET_LABELS[position][1]
            buffer = []
            seen_last_label = current == LAST_FIELD
            continue
        if current is None:
            problems.append(
                Problem(i + 1, f"ligne hors de tout champ ignorée : « {stripped[:80]} »")
            )
            continue
        buffer.append((i + 1, raw.rstrip()))

    if is_last and buffer and _is_cut_label(buffer[-1][1]):
        # "Exports can be cut off mid-label": the stub of a label is not content.
        buffer.pop()
        seen_last_label = False
    _store(sheet, current, buffer, problems)
    if is_last and not seen_last_label:
        sheet.is_truncated = True
        problems.append(
            Problem(
                start + 1, f"fiche « {sheet.title} » tronquée : importée avec ce qu'elle contient."
            )
        )
    if not sheet.structure_name:
        if sheet.is_truncated:
            problems.append(
                Problem(
                    start + 1,
                    f"fiche « {sheet.title} » tronquée avant sa structure : non importée.",
                )
            )
            return None
        raise NotSenacsExport(
            f"ligne {start + 1} : la fiche « {sheet.title} » n'a pas de « Structure organisatrice »."
        )
    return sheet


def clean_title(title: str) -> str:
    """A title as the catalogue stores it (judged sets written from the raw export use it too)."""
    # SENACS sometimes wraps a whole title in quotes: "Actions Intergénérationnelles".
    if len(title) > 2 and title[0] == title[-1] == '"' and '"' not in title[1:-1]:
        title = title[1:-1].strip()
    return " ".join(title.split())


@lru_cache(maxsize=65_536)
def _positions_of(text: str) -> list[int] | None:
    # List items ("- Familles", "- CAF") repeat from sheet to sheet: their key once each.
    return _LABEL_POSITIONS.get(_label_key(text))


def _label_position(line: str, *, after: int) -> int | None:
    if not line.startswith("- "):
        return None
    positions = _positions_of(line[2:])
    if not positions:
        return None
    # Labels only move forward: "- Public" inside a later free text stays content.
    later = [p for p in positions if p > after]
    return later[0] if later else None


def _is_cut_label(line: str) -> bool:
    text = _label_key(line.strip())
    if not text.startswith("- ") or len(text) < 3:
        return False
    stub = text[2:]
    return any(key.startswith(stub) and key != stub for key in _ALL_LABEL_KEYS)


def _store(sheet: ParsedSheet, name: str | None, buffer: list[tuple[int, str]], problems) -> None:
    if name is None:
        return
    while buffer and not buffer[-1][1].strip():
        buffer.pop()
    while buffer and not buffer[0][1].strip():
        buffer.pop(0)
    if name in TEXT_FIELDS:
        setattr(sheet, name, "\n".join(text for _, text in buffer))
    elif name == "structure":
        _store_structure(sheet, buffer, problems)
    elif name == "territory_again":
        _store_territory_again(sheet, _items(buffer, problems, name), buffer, problems)
    elif name in ("status", "dimension", "territory"):
        values = _items(buffer, problems, name)
        if len(values) > 1:
            problems.append(
                Problem(
                    buffer[0][0],
                    f"plusieurs valeurs pour un choix unique, première gardée : {values}",
                )
            )
        setattr(sheet, name, values[0] if values else "")
    elif name == "attachments":
        sheet.attachments = _items(buffer, problems, name)
    elif name in LIST_FIELDS:
        _store_list(sheet, name, buffer, problems)


def _store_territory_again(sheet: ParsedSheet, values: list[str], buffer, problems) -> None:
    """SENACS prints "Territoire concerné" twice: the second fills an empty first one."""
    if values and sheet.territory and normalize_key(values[0]) != normalize_key(sheet.territory):
        problems.append(
            Problem(
                buffer[0][0],
                f"« Territoire concerné » imprimé deux fois avec deux valeurs : "
                f"« {sheet.territory} » gardé, « {values[0]} » ignoré.",
            )
        )
    elif values and not sheet.territory:
        sheet.territory = values[0]


def _store_list(sheet: ParsedSheet, name: str, buffer, problems) -> None:
    """A list field's "- value" lines; the partners' headings switch the list written to."""
    target = name
    for line_number, text in buffer:
        stripped = text.strip()
        heading = normalize_key(stripped.rstrip(":")) if stripped.endswith(":") else ""
        if heading in PARTNERS_HEADINGS:
            target = PARTNERS_HEADINGS[heading]
            continue
        value = _item_value(stripped)
        if value is None:
            problems.append(
                Problem(
                    line_number,
                    f"ligne inattendue dans une liste, ajoutée telle quelle : « {stripped[:80]} »",
                )
            )
            value = stripped
        if value and value not in getattr(sheet, target):
            getattr(sheet, target).append(value)


def _item_value(stripped: str) -> str | None:
    if stripped == "-":
        return ""  # the bare "-" that opens every SENACS list
    if stripped.startswith("- "):
        return " ".join(stripped[2:].split())
    return None


def _items(buffer, problems, name) -> list[str]:
    values = []
    for line_number, text in buffer:
        value = _item_value(text.strip())
        if value is None:
            problems.append(
                Problem(line_number, f"ligne inattendue ignorée : « {text.strip()[:80]} »")
            )
        elif value:
            values.append(value)
    return values


def _store_structure(sheet: ParsedSheet, buffer, problems) -> None:
    values = _items(buffer, problems, "structure")
    if not values:
        return
    printed = values[0]
    # `NAME - Département`, split on the last " - " (names contain dashes themselves).
    name, separator, departement = printed.rpartition(" - ")
    if not separator:
        name, departement = printed, ""
        problems.append(Problem(buffer[0][0], f"structure sans département : « {printed} »"))
    sheet.structure_name = name.strip()
    sheet.departement_name = departement.strip()
    match = _POSTCODE_COMMUNE.search(sheet.structure_name)
    if match:
        sheet.postcode, sheet.commune = match[1], match[2].strip()
