"""SENACS sheets into the database: all or nothing per file, idempotent, with a report.

A file is parsed and checked whole before the first write, so a refused file writes nothing.
An accepted file is then written in batches of `IMPORT_BATCH_SIZE` sheets, each written in bulk
(one `sheets_changed` per batch: the search index and the other followers work in bulk too). A
transaction holds batches until another connection waits to write (SQLite: `ingest.write_gate`)
or it has lasted `IMPORT_BATCH_SECONDS`: an import alone writes in large transactions, and the
site's own writers (autosaves, logins, API) wait at most one batch, or one transaction for
those that write outside a transaction.
If a batch fails, what the earlier batches created is deleted again; if the process is killed
between batches, running the same import again completes it (the import is idempotent).

Identity of an imported sheet: its title, its structure and département, and its year when the
export gives one (`source_ref`). Re-importing the same file creates and changes nothing; a newer
export updates the sheets nobody edited on Essaimage since, and leaves edited ones alone.
"""

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from catalogue import models as catalogue
from catalogue.bulk import add_relation_rows, create_sheets
from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS, TEXT_FIELDS
from catalogue.signals import sheets_changed
from discovery.duplicates import duplicates_within_structures, refresh_within_structures
from essaimage.lib.french import count_noun
from essaimage.lib.text import normalize_key
from ingest import write_gate
from ingest.senacs import (
    NotSenacsExport,
    ParsedSheet,
    Problem,
    decode,
    parse,
)

VOCABULARY_OF = {
    "status": catalogue.ActionStatus,
    "dimension": catalogue.Dimension,
    "territory": catalogue.Territory,
    "keywords": catalogue.Keyword,
    "initiators": catalogue.Initiator,
    "publics": catalogue.Public,
    "action_partners": catalogue.PartnerKind,
    "financial_partners": catalogue.PartnerKind,
}
# Departement names SENACS may print differently from the INSEE list.
DEPARTEMENT_ALIASES = {"reunion": "974", "ile de la reunion": "974", "corse du nord": "2B"}
BATCH_SIZE = 500
# Sheets compared per transaction in the import's pass over probable duplicates.
PAIRS_SHEETS = 1000
# Probable duplicates printed one per line in the summary; the rest are counted.
LISTED_DUPLICATES = 50


class ImportRefused(Exception):
    """The file cannot be imported at all; nothing was written."""


@dataclass
class FileReport:
    path: str
    sheets_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    kept_local_edits: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    structures_created: int = 0
    new_vocabulary: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Sheets this file created or updated (unchanged ones need no re-indexing).
    sheet_ids: list[int] = field(default_factory=list)
    # Probable duplicates involving those sheets, left for a moderator (discovery.duplicates).
    probable_duplicates: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False

    def total(self, name: str) -> int:
        return sum(len(v) if isinstance(v := getattr(f, name), list) else v for f in self.files)

    def summary_lines(self) -> list[str]:
        """The French summary printed at the end of an import."""
        lines = []
        for f in self.files:
            lines.append(f"Fichier {f.path} : {count_noun(f.sheets_read, 'fiche lue')}")
            lines.append(
                f"  créées : {f.created} · mises à jour : {f.updated} · inchangées : {f.unchanged}"
                f" · doublons fusionnés : {f.duplicates} · structures créées : {f.structures_created}"
            )
            for title in f.truncated:
                lines.append(f"  tronquée (importée avec ce qu'elle contient) : {title}")
            for title in f.kept_local_edits:
                lines.append(
                    f"  modifiée sur Essaimage depuis le dernier import, non écrasée : {title}"
                )
            for value in f.new_vocabulary:
                lines.append(f"  nouvelle valeur de vocabulaire, à vérifier : {value}")
            for problem in f.problems:
                lines.append(f"  {problem}")
            for pair in f.probable_duplicates[:LISTED_DUPLICATES]:
                lines.append(f"  doublon probable, non fusionné : {pair}")
            if len(f.probable_duplicates) > LISTED_DUPLICATES:
                rest = len(f.probable_duplicates) - LISTED_DUPLICATES
                lines.append(
                    f"  … et {count_noun(rest, 'autre doublon probable', 'autres doublons probables')}"
                    " : voir la page « Doublons » de l'espace modérateur."
                )
        lines.append(
            f"Total : {count_noun(self.total('created'), 'fiche créée')}, "
            f"{count_noun(self.total('updated'), 'mise à jour')}, "
            f"{count_noun(self.total('unchanged'), 'inchangée')}, "
            f"{count_noun(self.total('duplicates'), 'doublon')}, "
            f"{count_noun(self.total('truncated'), 'tronquée')}, "
            f"{count_noun(self.total('new_vocabulary'), 'nouvelle valeur de vocabulaire')}, "
            f"{count_noun(self.total('problems'), 'problème')}."
        )
        if self.total("probable_duplicates"):
            lines.append(
                "À vérifier : "
                + count_noun(
                    self.total("probable_duplicates"),
                    "doublon probable non fusionné|doublons probables non fusionnés",
                )
                + " (même structure, titre ou texte très proche)."
            )
        if self.dry_run:
            lines.append("Simulation (--dry-run) : rien n'a été enregistré.")
        return lines


Progress = Callable[[int, int], None]


def import_paths(
    paths: Iterable[str | Path], *, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import SENACS exports, each file all or nothing (in batches, see the module docstring).

    Raise ImportRefused (French message naming the file and line) on the first file that is not
    a readable SENACS export; files imported before it stay imported, that file writes nothing.
    """
    report = ImportReport(dry_run=dry_run)
    for path in paths:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ImportRefused(f"{path} : fichier illisible ({error.strerror}).") from error
        report.files.append(import_bytes(data, name=str(path), dry_run=dry_run, progress=progress))
    return report


def import_bytes(
    data: bytes, *, name: str, dry_run: bool = False, progress: Progress | None = None
) -> FileReport:
    """Import one export, refused before any write or written whole; see import_paths."""
    try:
        parsed = parse(decode(data))
    except NotSenacsExport as error:
        raise ImportRefused(f"{name} : {error}") from error
    report = FileReport(path=name, sheets_read=len(parsed.sheets) + len(parsed.duplicates))
    report.duplicates = len(parsed.duplicates)
    report.problems = list(parsed.problems)
    report.truncated = [s.title for s in parsed.truncated]
    if dry_run:
        with transaction.atomic():
            writer = _Writer(report, progress)
            writer.write(parsed.sheets, batch_size=len(parsed.sheets) or 1)
            report.probable_duplicates = _probable_duplicates(writer)
            transaction.set_rollback(True)
    else:
        writer = _Writer(report, progress)
        writer.write(parsed.sheets, batch_size=settings.IMPORT_BATCH_SIZE)
        report.probable_duplicates = _probable_duplicates(writer)
        if report.sheet_ids:
            _queue_discovery()
    return report


def _queue_discovery() -> None:
    """Similar actions and duplicate pairs of the imported sheets appear without waiting for the
    nightly run: the job worker recomputes them (one task however many files are imported)."""
    from django_tasks_db.models import DBTaskResult

    from discovery.tasks import recompute_after_import

    pending = DBTaskResult.objects.ready().filter(task_path=recompute_after_import.module_path)
    if not pending.exists():
        recompute_after_import.enqueue()


def _probable_duplicates(writer: "_Writer") -> list[str]:
    """The report's lines for the probable duplicates the import did not merge (only exact
    copies, same title, structure and year, are merged): close titles or near-identical texts
    within a structure, among the imported sheets and those already there."""
    if writer.compared == set(writer.report.sheet_ids):
        # Every batch left its pairs to `_store_pairs`, which found exactly these.
        pairs = sorted(writer.pairs, key=lambda p: (-p.score, p.first.pk, p.second.pk))
    else:
        pairs = duplicates_within_structures(writer.report.sheet_ids)
    lines = []
    for pair in pairs:
        a, b = pair.first, pair.second
        lines.append(
            f"« {a.title} » (n° {a.pk}{f', {a.year}' if a.year else ''}) et "
            f"« {b.title} » (n° {b.pk}{f', {b.year}' if b.year else ''}), "
            f"{a.structure.name} : {' ; '.join(pair.reasons)}"
        )
    return lines


def sheet_fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def parsed_content(sheet: ParsedSheet) -> dict:
    """The importable content of a parsed sheet, vocabulary values by matching key."""
    content = {"title": sheet.title, "year": sheet.year}
    for name in TEXT_FIELDS:
        content[name] = getattr(sheet, name)
    for name in CHOICE_FIELDS:
        content[name] = normalize_key(getattr(sheet, name))
    for name in LIST_FIELDS:
        content[name] = sorted({normalize_key(v) for v in getattr(sheet, name)})
    return content


def stored_content(sheet: catalogue.ActionSheet) -> dict:
    """The same view of a sheet in the database, to tell whether someone edited it."""
    content = {"title": sheet.title, "year": sheet.year}
    for name in TEXT_FIELDS:
        content[name] = getattr(sheet, name)
    for name in CHOICE_FIELDS:
        value = getattr(sheet, name)
        content[name] = value.key if value else ""
    for name in LIST_FIELDS:
        content[name] = sorted({v.key for v in getattr(sheet, name).all()})
    return content


def source_ref(sheet: ParsedSheet, year: int | None) -> str:
    identity = "|".join((*sheet.identity(), str(year or "")))
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


class _Writer:
    def __init__(self, report: FileReport, progress: Progress | None):
        self.report = report
        self.progress = progress
        self.vocabularies = {
            model: {v.key: v for v in model.objects.all()} for model in set(VOCABULARY_OF.values())
        }
        self.departements = {}
        for departement in catalogue.Departement.objects.all():
            self.departements[normalize_key(departement.name)] = departement
            self.departements[normalize_key(departement.code)] = departement
        for alias, code in DEPARTEMENT_ALIASES.items():
            self.departements[alias] = self.departements[normalize_key(code)]
        self.structures = {
            (normalize_key(s.name), s.departement_id): s for s in catalogue.Structure.objects.all()
        }
        # What this import created, to undo it if a later batch fails.
        self.created_sheet_ids: list[int] = []
        self.created_structure_ids: list[int] = []
        self.created_values: dict[type, list[int]] = {}
        # Sheets whose probable duplicates are left for one pass (`_store_pairs`), and the
        # pairs that pass found.
        self.pairs_later: list[int] = []
        self.pairs: list = []
        self.compared: set[int] = set()

    def write(self, sheets: list[ParsedSheet], *, batch_size: int) -> None:
        """Write `sheets` in batches of `batch_size` (see the module docstring for the
        transactions); on failure, undo what the earlier transactions committed."""
        with transaction.atomic():
            existing = self._existing(sheets)
            self._create_structures(sheets)
        try:
            done = 0
            while done < len(sheets):
                with transaction.atomic():
                    began = time.monotonic()
                    while done < len(sheets):
                        done = self._write_batch(sheets, existing, done, batch_size)
                        if time.monotonic() - began >= settings.IMPORT_BATCH_SECONDS:
                            break
                        if write_gate.writers_waiting(connection):
                            break
                self._let_writers_through()
            self._store_pairs()
        except BaseException:
            self._undo()
            raise

    def _let_writers_through(self) -> None:
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            # SQLite's busy handler polls: without this the importer would take the write lock
            # again before the waiting autosaves and logins get their turn.
            time.sleep(settings.IMPORT_BATCH_PAUSE)
            write_gate.let_writers_through(connection, timeout=settings.IMPORT_BATCH_YIELD)

    def _store_pairs(self) -> None:
        """The probable duplicates of the batches that left them for later (one pass instead of
        one per batch: a structure's sheets are compared once), structure by structure in
        transactions of about PAIRS_SHEETS sheets, with the same pauses as the batches."""
        ids, self.pairs_later = self.pairs_later, []
        if not ids:
            return
        self.compared.update(ids)
        by_structure: dict[int, list[int]] = {}
        for start in range(0, len(ids), BATCH_SIZE):
            rows = catalogue.ActionSheet.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
            for pk, structure in rows.values_list("pk", "structure_id"):
                by_structure.setdefault(structure, []).append(pk)
        part: list[int] = []
        groups = list(by_structure.values())
        for number, group in enumerate(groups, 1):
            part.extend(group)
            if len(part) < PAIRS_SHEETS and number < len(groups):
                continue
            with transaction.atomic():
                self.pairs.extend(refresh_within_structures(part))
            part = []
            if number < len(groups):
                self._let_writers_through()

    def _write_batch(
        self, sheets: list[ParsedSheet], existing: dict, start: int, batch_size: int
    ) -> int:
        """Write the `batch_size` sheets from `start`; returns the position after them."""
        now = timezone.now()
        to_create: list[tuple[catalogue.ActionSheet, ParsedSheet]] = []
        changed_before = len(self.report.sheet_ids)
        total = len(sheets)
        position = start
        for parsed in sheets[start : start + batch_size]:
            position += 1
            structure = self._structure(parsed)
            content = parsed_content(parsed)
            fingerprint = sheet_fingerprint(content)
            sheet = existing.get(source_ref(parsed, parsed.year))
            if sheet is None and parsed.year is not None:
                # A sheet first imported from an export without years gets its year now.
                sheet = existing.get(source_ref(parsed, None))
            if sheet is None:
                sheet = catalogue.ActionSheet(
                    structure=structure,
                    source=catalogue.Source.SENACS,
                    source_ref=source_ref(parsed, parsed.year),
                    source_hash=fingerprint,
                    publication_status=catalogue.PublicationStatus.PUBLISHED,
                    created_at=now,
                    updated_at=now,
                    published_at=now,
                )
                self._fill(sheet, parsed)
                to_create.append((sheet, parsed))
            elif sheet.source_hash == fingerprint:
                self.report.unchanged += 1
            elif sheet_fingerprint(stored_content(sheet)) != sheet.source_hash:
                self.report.kept_local_edits.append(sheet.title)
            else:
                self._update(sheet, parsed, fingerprint, now)
            if self.progress and (position % 100 == 0 or position == total):
                self.progress(position, total)
        self._create(to_create)
        changed = self.report.sheet_ids[changed_before:]
        if changed:
            later = len(changed) > settings.SIMILAR_SYNC_MAX
            if not later:
                self._store_pairs()  # the earlier batches' pairs first, as they were written
            sheets_changed.send(sender=self.__class__, sheet_ids=list(changed), pairs_later=later)
            if later:
                self.pairs_later.extend(changed)
        # With DEBUG, Django keeps the last 9,000 queries, values included: the memory of a
        # large import would grow with the texts it wrote.
        reset_queries()
        return position

    def _undo(self) -> None:
        """Delete what this import created (sheets, then structures and vocabulary values)."""
        with transaction.atomic():
            for start in range(0, len(self.created_sheet_ids), BATCH_SIZE):
                ids = self.created_sheet_ids[start : start + BATCH_SIZE]
                catalogue.ActionSheet.objects.filter(pk__in=ids).delete()
                sheets_changed.send(sender=self.__class__, sheet_ids=ids)
            catalogue.Structure.objects.filter(
                pk__in=self.created_structure_ids, sheets__isnull=True
            ).delete()
            for model, pks in self.created_values.items():
                model.objects.filter(pk__in=pks).delete()

    def _existing(self, sheets: list[ParsedSheet]) -> dict[str, catalogue.ActionSheet]:
        refs = set()
        for parsed in sheets:
            refs.add(source_ref(parsed, parsed.year))
            refs.add(source_ref(parsed, None))
        refs = sorted(refs)
        found = {}
        for start in range(0, len(refs), BATCH_SIZE):
            batch = catalogue.ActionSheet.objects.with_relations().filter(
                source=catalogue.Source.SENACS, source_ref__in=refs[start : start + BATCH_SIZE]
            )
            found.update({s.source_ref: s for s in batch})
        return found

    def _structure_key(self, parsed: ParsedSheet):
        departement = self.departements.get(normalize_key(parsed.departement_name))
        return (normalize_key(parsed.structure_name), departement.code if departement else None)

    def _create_structures(self, sheets: list[ParsedSheet]) -> None:
        """Create the missing structures in batches (one INSERT per batch, not per structure)."""
        missing: dict[tuple, catalogue.Structure] = {}
        for parsed in sheets:
            key = self._structure_key(parsed)
            if key in self.structures or key in missing:
                continue
            missing[key] = catalogue.Structure(
                name=parsed.structure_name,
                departement_id=key[1],
                type=_structure_type(parsed.structure_name),
                postcode=parsed.postcode,
                commune=parsed.commune,
            )
        created = catalogue.Structure.objects.bulk_create(missing.values(), batch_size=BATCH_SIZE)
        self.structures.update(zip(missing, created, strict=True))
        self.created_structure_ids.extend(s.pk for s in created)
        self.report.structures_created += len(created)

    def _structure(self, parsed: ParsedSheet) -> catalogue.Structure:
        key = self._structure_key(parsed)
        if key[1] is None and parsed.departement_name:
            self.report.problems.append(
                Problem(
                    parsed.line,
                    f"département inconnu « {parsed.departement_name} » pour la structure "
                    f"« {parsed.structure_name} » : structure gardée sans département.",
                )
            )
        return self.structures[key]

    def _value(self, name: str, label: str):
        model = VOCABULARY_OF[name]
        known = self.vocabularies[model]
        key = normalize_key(label)
        if not key:
            return None
        if key not in known:
            # Unknown values are kept and flagged for a moderator (PRODUCT §3).
            known[key], created = model.objects.propose(label)
            if created:
                self.created_values.setdefault(model, []).append(known[key].pk)
                self.report.new_vocabulary.append(f"{model._meta.verbose_name} : {label}")
        return known[key]

    def _fill(self, sheet: catalogue.ActionSheet, parsed: ParsedSheet) -> None:
        sheet.title = parsed.title
        sheet.year = parsed.year
        for name in TEXT_FIELDS:
            setattr(sheet, name, getattr(parsed, name))
        for name in CHOICE_FIELDS:
            setattr(sheet, name, self._value(name, getattr(parsed, name)))

    def _values(self, parsed: ParsedSheet, name: str) -> list:
        values = [self._value(name, label) for label in getattr(parsed, name)]
        return list({v.pk: v for v in values if v is not None}.values())

    def _update(self, sheet, parsed, fingerprint, now) -> None:
        self._fill(sheet, parsed)
        sheet.source_ref = source_ref(parsed, parsed.year)
        sheet.source_hash = fingerprint
        sheet.updated_at = now
        sheet.version += 1
        sheet.save()
        for name in LIST_FIELDS:
            getattr(sheet, name).set(self._values(parsed, name))
        self._attach(sheet, parsed)
        self.report.updated += 1
        self.report.sheet_ids.append(sheet.pk)

    def _create(self, pairs: list[tuple[catalogue.ActionSheet, ParsedSheet]]) -> None:
        for start in range(0, len(pairs), BATCH_SIZE):
            batch = pairs[start : start + BATCH_SIZE]
            created = create_sheets([sheet for sheet, _ in batch])
            for name in LIST_FIELDS:
                add_relation_rows(
                    name,
                    (
                        (sheet.pk, value.pk)
                        for sheet, (_, parsed) in zip(created, batch, strict=True)
                        for value in self._values(parsed, name)
                    ),
                )
            for sheet, (_, parsed) in zip(created, batch, strict=True):
                self._attach(sheet, parsed)
            self.report.created += len(created)
            self.report.sheet_ids.extend(sheet.pk for sheet in created)
            self.created_sheet_ids.extend(sheet.pk for sheet in created)

    def _attach(self, sheet: catalogue.ActionSheet, parsed: ParsedSheet) -> None:
        if not parsed.attachments:
            return
        known = {a.name for a in sheet.attachments.all()} if sheet.pk else set()
        for item in parsed.attachments:
            if item in known:
                continue
            is_url = item.startswith(("http://", "https://"))
            catalogue.Attachment.objects.create(
                sheet=sheet,
                name=item.rsplit("/", 1)[-1] if is_url else item,
                source_url=item if is_url else "",
            )


def _structure_type(name: str) -> str:
    key = normalize_key(name)
    if "espace de vie sociale" in key or " evs" in f" {key}":
        return catalogue.Structure.Type.EVS
    if "centre social" in key or "centre socio" in key or "centres sociaux" in key:
        return catalogue.Structure.Type.CENTRE_SOCIAL
    return catalogue.Structure.Type.OTHER
