"""Export writers: CSV, XLSX, JSON, JSONL, Atom and PDF; each takes an iterable of sheets.

The sheets come from `ActionSheet.objects.with_relations()` (through the search service for the
catalogue views), so a writer makes no query of its own. Writers that can stream yield chunks of
text or bytes so that a large export holds one chunk of sheets in memory, never the whole result.

CSV dialect (documented in docs/api.md): UTF-8 with a byte order mark, `;` as separator,
`"` as quote (doubled inside values), CRLF line ends, one header row of French labels, one column
per field, lists joined with ` | `, dates as `JJ/MM/AAAA HH:MM` (Europe/Paris). That is what French
Excel expects when a file is opened by double-click.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from catalogue.fields import LIST_FIELDS, SHEET_FIELDS, TEXT_FIELDS
from catalogue.models import ActionSheet, Structure
from catalogue.records import sheet_record

LIST_SEPARATOR = " | "
CSV_DELIMITER = ";"
DATE_FORMAT = "%d/%m/%Y %H:%M"
CHUNK_SIZE = 500


@dataclass(frozen=True)
class Column:
    """One column of the tabular exports: its key, French header and Table Schema type."""

    name: str
    label: str
    type: str = "string"  # Table Schema type: string, integer, datetime
    width: int = 18  # XLSX column width, in characters
    wrap: bool = False  # long text: wrapped in XLSX
    description: str = ""


def _label(field: str) -> str:
    label = str(ActionSheet._meta.get_field(field).verbose_name)
    return label[:1].upper() + label[1:]


def _columns() -> tuple[Column, ...]:
    """The tabular columns, in the order of a SENACS sheet, labels taken from the model."""
    cols = [
        Column("id", "Identifiant", "integer", 10, description="Identifiant de la fiche."),
        Column("title", "Titre", width=40, wrap=True, description="Titre de l'action."),
        Column("year", _label("year"), "integer", 8, description="Année de l'action."),
        Column("structure", _label("structure"), width=36, wrap=True),
        Column("structure_id", "Identifiant de la structure", "integer", 12),
        Column("structure_type", "Type de structure", width=18),
        Column("departement_code", "Code département", width=10),
        Column("departement", "Département", width=20),
        Column("region", "Région", width=24),
        Column("status", _label("status"), width=14),
        Column("end_reason", _label("end_reason"), width=60, wrap=True),
        Column("dimension", _label("dimension"), width=22),
        Column("keywords", _label("keywords"), width=36, wrap=True),
        Column("summary", _label("summary"), width=60, wrap=True),
        Column("initiators", _label("initiators"), width=30, wrap=True),
        Column("initiators_detail", _label("initiators_detail"), width=40, wrap=True),
        Column("territory", _label("territory"), width=18),
    ]
    for name in SHEET_FIELDS[SHEET_FIELDS.index("experience") :]:
        if name in LIST_FIELDS:
            cols.append(Column(name, _label(name), width=30, wrap=True))
        else:
            cols.append(Column(name, _label(name), width=60, wrap=True))
    cols += [
        Column("attachments", "Fichier(s) associé(s)", width=40, wrap=True),
        Column("created_at", "Créée le", "datetime", 17),
        Column("updated_at", "Modifiée le", "datetime", 17),
        Column("url", "Adresse de la fiche", width=50),
        # Archived SENACS sheets only (catalogue.records.archive_record).
        Column("senacs_url", "Adresse SENACS (fiche archivée)", width=40),
        Column("archive_themes", "Thèmes (fiche archivée SENACS)", width=30, wrap=True),
        Column(
            "archive_sections",
            "Questions de l'ancienne fiche SENACS",
            width=60,
            wrap=True,
            description="« Question : réponse », séparées par une ligne vide.",
        ),
    ]
    return tuple(cols)


COLUMNS = _columns()
STRUCTURE_TYPE_LABELS = dict(Structure.Type.choices)


def french_datetime(value: str | datetime) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return timezone.localtime(value).strftime(DATE_FORMAT)


def flat_row(record: dict[str, Any]) -> dict[str, Any]:
    """A canonical record flattened to one value per column (lists joined, dates in French)."""
    structure = record["structure"]
    row: dict[str, Any] = {
        "id": record["id"],
        "title": record["title"],
        "year": record["year"],
        "structure": structure["name"],
        "structure_id": structure["id"],
        "structure_type": STRUCTURE_TYPE_LABELS.get(structure["type"], structure["type"]),
        "departement_code": (structure["departement"] or {}).get("code", ""),
        "departement": (structure["departement"] or {}).get("name", ""),
        "region": (structure["region"] or {}).get("name", ""),
        "attachments": LIST_SEPARATOR.join(a["url"] or a["name"] for a in record["attachments"]),
        "created_at": french_datetime(record["created_at"]),
        "updated_at": french_datetime(record["updated_at"]),
        "url": record["url"],
        "senacs_url": (record["archive"] or {}).get("senacs_url", ""),
        "archive_themes": LIST_SEPARATOR.join((record["archive"] or {}).get("themes", ())),
        "archive_sections": "\n\n".join(
            f"{s['label']} : {s['text']}" for s in (record["archive"] or {}).get("sections", ())
        ),
    }
    for name in ("status", "dimension", "territory", *TEXT_FIELDS):
        row[name] = record[name]
    for name in LIST_FIELDS:
        row[name] = LIST_SEPARATOR.join(record[name])
    return {col.name: row[col.name] for col in COLUMNS}


def iter_sheets(sheets: Iterable[ActionSheet]) -> Iterator[ActionSheet]:
    """Iterate a queryset in chunks (prefetches run per chunk), any other iterable as is."""
    if isinstance(sheets, QuerySet):
        yield from sheets.iterator(chunk_size=CHUNK_SIZE)
    else:
        yield from sheets


def iter_sheets_by_id(ids: Iterable[int], *, chunk_size: int = 1000) -> Iterator[ActionSheet]:
    """Sheets in the order of `ids`, loaded a chunk at a time with everything a record reads.

    Same result as `ActionSheet.objects.with_relations()`, about twice as fast on big exports:
    many-to-many values come from one query per relation and chunk, and shared vocabulary rows
    fill the prefetch caches directly (Django's prefetch clones a queryset per sheet).
    """
    vocabularies: dict[str, dict[int, Any]] = {}
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) >= chunk_size:
            yield from _load_chunk(chunk, vocabularies)
            chunk = []
    if chunk:
        yield from _load_chunk(chunk, vocabularies)


def _cached(model, items: list) -> QuerySet:
    queryset = QuerySet(model)
    queryset._result_cache = items
    queryset._prefetch_done = True
    return queryset


def _load_chunk(ids: list[int], vocabularies: dict[str, dict[int, Any]]) -> list[ActionSheet]:
    from catalogue.models import Attachment

    by_id = ActionSheet.objects.select_related(
        "structure__departement__region", "status", "dimension", "territory"
    ).in_bulk(ids)
    caches: dict[int, dict[str, QuerySet]] = {pk: {} for pk in by_id}
    for name in LIST_FIELDS:
        field = ActionSheet._meta.get_field(name)
        model = field.related_model
        values = vocabularies.get(model.__name__)
        if values is None:
            values = vocabularies[model.__name__] = model.objects.in_bulk()
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        grouped: dict[int, list] = {pk: [] for pk in by_id}
        rows = field.remote_field.through.objects.filter(**{f"{source}_id__in": ids})
        for sheet_id, value_id in rows.values_list(f"{source}_id", f"{target}_id"):
            grouped[sheet_id].append(values[value_id])
        for pk, items in grouped.items():
            caches[pk][name] = _cached(model, items)
    attachments: dict[int, list] = {pk: [] for pk in by_id}
    for attachment in Attachment.objects.filter(sheet_id__in=ids, removed_at__isnull=True):
        attachments[attachment.sheet_id].append(attachment)
    for pk, items in attachments.items():
        caches[pk]["attachments"] = _cached(Attachment, items)
    sheets = []
    for pk in ids:
        sheet = by_id.get(pk)
        if sheet is not None:
            sheet._prefetched_objects_cache = caches[pk]
            sheets.append(sheet)
    return sheets


def iter_records(sheets: Iterable[ActionSheet]) -> Iterator[dict[str, Any]]:
    for sheet in iter_sheets(sheets):
        yield sheet_record(sheet)


def _buffered(chunks: Iterator[str], size: int = 64 * 1024) -> Iterator[str]:
    """Group small chunks into ~64 KB ones: fewer writes to the client, same constant memory."""
    buffer: list[str] = []
    length = 0
    for chunk in chunks:
        buffer.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


# --- CSV --------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


# Spreadsheets run a cell starting with one of these as a formula (CSV injection). OWASP's
# advice: prefix such a cell with an apostrophe, which Excel and LibreOffice show as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A text cell that could start a formula, prefixed with an apostrophe; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer in the catalogue's French Excel dialect, every text cell neutralised: the one
    writer of every CSV the site produces (exports, statistics, anything new)."""

    def __init__(self, target):
        self._writer = csv.writer(
            target,
            delimiter=CSV_DELIMITER,
            quotechar='"',
            quoting=csv.QUOTE_MINIMAL,
            lineterminator="\r\n",
        )

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralise_formula(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(target) -> SafeCsvWriter:
    return SafeCsvWriter(target)


def write_csv(sheets: Iterable[ActionSheet]) -> Iterator[str]:
    """Yield the CSV text in chunks, starting with the BOM and the header row."""
    return _buffered(_csv_rows(sheets))


def _csv_rows(sheets: Iterable[ActionSheet]) -> Iterator[str]:
    writer = csv_writer(_Echo())
    yield "\ufeff" + writer.writerow([col.label for col in COLUMNS])
    for record in iter_records(sheets):
        row = flat_row(record)
        yield writer.writerow(["" if row[col.name] is None else row[col.name] for col in COLUMNS])


def read_csv(text: str) -> list[dict[str, str]]:
    """Read back an export in the documented dialect: {column name: text} per row."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=CSV_DELIMITER)
    header = next(reader)
    names = {col.label: col.name for col in COLUMNS}
    return [{names[h]: value for h, value in zip(header, line, strict=True)} for line in reader]


# --- XLSX -------------------------------------------------------------------------------------


def write_xlsx(sheets: Iterable[ActionSheet], *, title: str = "Fiches actions") -> Any:
    """Write the workbook (write-only mode: constant memory) to a temporary file, returned open."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet_ws = workbook.create_sheet(title[:31])
    sheet_ws.freeze_panes = "C2"  # header row, id and title stay in view
    for index, col in enumerate(COLUMNS, start=1):
        sheet_ws.column_dimensions[get_column_letter(index)].width = col.width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    header = []
    for col in COLUMNS:
        cell = WriteOnlyCell(sheet_ws, value=col.label)
        cell.font = bold
        header.append(cell)
    sheet_ws.append(header)
    count = 0
    for record in iter_records(sheets):
        row = flat_row(record)
        cells = []
        for col in COLUMNS:
            value = _xlsx_text(row[col.name])
            if col.name == "url":
                cell = WriteOnlyCell(sheet_ws, value=value)
                cell.hyperlink = value
            elif col.wrap or (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)):
                cell = WriteOnlyCell(sheet_ws, value=value)
                # A typed text cell is never evaluated: the value stays as written, no apostrophe.
                cell.data_type = "s"
                if col.wrap:
                    cell.alignment = wrap
            else:
                cell = value  # plain cells are much cheaper to write
            cells.append(cell)
        sheet_ws.append(cells)
        count += 1
    sheet_ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (returned open: the response closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _xlsx_text(value: Any) -> Any:
    # XML forbids most control characters; Excel caps a cell at 32,767 characters.
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)[:32767]
    return value


# --- JSON / JSONL -----------------------------------------------------------------------------


def write_json(sheets: Iterable[ActionSheet]) -> Iterator[str]:
    """Yield a JSON array of canonical records, in chunks."""
    return _buffered(_json_parts(sheets))


def _json_parts(sheets: Iterable[ActionSheet]) -> Iterator[str]:
    yield "["
    first = True
    for record in iter_records(sheets):
        yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"


def write_jsonl(sheets: Iterable[ActionSheet]) -> Iterator[str]:
    """Yield one canonical record per line (JSON Lines), in chunks."""
    return _buffered(json.dumps(r, ensure_ascii=False) + "\n" for r in iter_records(sheets))


# --- Atom -------------------------------------------------------------------------------------


def write_atom(
    sheets: Iterable[ActionSheet], *, title: str, link: str, feed_url: str, description: str = ""
) -> str:
    """An Atom feed of the given sheets (newest publication first is the caller's order)."""
    feed = Atom1Feed(
        title=title,
        link=link,
        feed_url=feed_url,
        description=description,
        subtitle=description or None,
        language="fr",
        author_name="Essaimage",
    )
    for sheet in iter_sheets(sheets):
        published = sheet.published_at or sheet.created_at
        structure = sheet.structure
        summary = sheet.summary or sheet.description or sheet.experience
        feed.add_item(
            title=sheet.title,
            link=settings.SITE_URL + sheet.get_absolute_url(),
            # Atom summaries are HTML: escape the user's text, keep its line breaks.
            description=linebreaksbr(escape(f"{structure}. {summary[:1000]}".strip())),
            # A slug changes with the title; the id of an entry must not.
            unique_id=f"tag:essaimage,2026:action:{sheet.pk}",
            pubdate=published,
            updateddate=sheet.updated_at,
            author_name=str(structure),
            categories=[k.label for k in sheet.keywords.all()],
        )
    return feed.writeString("utf-8")


# --- PDF --------------------------------------------------------------------------------------


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # Tagged PDF/UA-1: structure, reading order and the document's language (<html lang="fr">)
    # for screen readers; its title comes from the template's <title>.
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf(pdf_variant="pdf/ua-1")


def write_sheet_pdf(sheet: ActionSheet) -> bytes:
    """One sheet on A4: SENACS labels, structure, date, page numbers, link to the online sheet."""
    html = render_to_string(
        "catalogue/pdf/sheet.html",
        {
            "items": [(sheet, sheet_sections(sheet))],
            "site_url": settings.SITE_URL,
            "generated_at": timezone.now(),
        },
    )
    return render_pdf(html)


def write_booklet_pdf(
    sheets: Iterable[ActionSheet], *, filters: list[tuple[str, str]], total: int | None = None
) -> bytes:
    """A booklet: cover with the filters, table of contents, then one sheet per page.

    `total` is the size of the whole selection when `sheets` holds only its beginning.
    """
    html = render_to_string(
        "catalogue/pdf/booklet.html",
        {
            "items": [(sheet, sheet_sections(sheet)) for sheet in iter_sheets(sheets)],
            "filters": filters,
            "total": total,
            "site_url": settings.SITE_URL,
            "generated_at": timezone.now(),
        },
    )
    return render_pdf(html)


def sheet_sections(sheet: ActionSheet) -> list[tuple[str, list[tuple[str, str]]]]:
    """Non-empty fields of a sheet as (section title, [(SENACS label, text)]), in sheet order."""

    def labels(manager) -> str:
        return ", ".join(
            v.label for v in sorted(manager.all(), key=lambda v: (v.position, v.label))
        )

    def text(name: str) -> str:
        return getattr(sheet, name)

    sections = [
        (
            "Identité",
            [
                (_label("structure"), str(sheet.structure)),
                ("Année", str(sheet.year or "")),
                (_label("status"), sheet.status.label if sheet.status else ""),
                (_label("end_reason"), text("end_reason")),
                (_label("dimension"), sheet.dimension.label if sheet.dimension else ""),
                (_label("keywords"), labels(sheet.keywords)),
            ],
        ),
        (
            "L'action",
            [
                (_label("summary"), text("summary")),
                (_label("experience"), text("experience")),
                (_label("description"), text("description")),
                (_label("financial_resources"), text("financial_resources")),
                (_label("people_mobilized"), text("people_mobilized")),
            ],
        ),
        (
            "Qui",
            [
                (_label("initiators"), labels(sheet.initiators)),
                (_label("initiators_detail"), text("initiators_detail")),
                (_label("territory"), sheet.territory.label if sheet.territory else ""),
                (_label("publics"), labels(sheet.publics)),
                (_label("action_partners"), labels(sheet.action_partners)),
                (_label("financial_partners"), labels(sheet.financial_partners)),
            ],
        ),
        (
            "Résultats",
            [
                (_label("results_territory"), text("results_territory")),
                (_label("results_centre"), text("results_centre")),
                (_label("results_residents"), text("results_residents")),
            ],
        ),
        (
            "Et après",
            [(_label("limits"), text("limits")), (_label("perspectives"), text("perspectives"))],
        ),
    ]
    attachments = [a.name for a in sheet.attachments.all() if a.removed_at is None]
    if attachments:
        sections[0][1].insert(1, ("Fichier(s) associé(s)", "\n".join(attachments)))
    return [
        (title, [(k, v) for k, v in fields if v])
        for title, fields in sections
        if any(v for _, v in fields)
    ]
