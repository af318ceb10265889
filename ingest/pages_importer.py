"""All of SENACS in one run: current exports, older sheets, directory pages and listing tables,
from files or folders, in any order (`manage.py import_senacs FOLDER`).

Every file is read and parsed first; what cannot be read is listed by name with a French reason
and the rest goes in, in one transaction (a crash leaves nothing half-written). A second run
changes nothing. Structures of the directory are matched to those the sheets already created
(names written differently: quotes, case, "CSC" / "Centre social", accents; same commune or
département): merged when sure, listed in the report when not (then a new structure is made).

A run of current exports only keeps the export importer's own transactions (ingest.importer:
batches that let the site's writers through), each file all or nothing.
"""

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz

from catalogue import models as catalogue
from catalogue.bulk import add_relation_rows, create_sheets
from catalogue.signals import sheets_changed
from discovery.duplicates import refresh_within_structures
from essaimage.lib.french import count_noun
from essaimage.lib.text import normalize_key
from ingest import importer
from ingest import senacs_pages as pages
from ingest.senacs import NotSenacsExport, decode

Progress = Callable[[int, int], None]

# Names above this similarity (rapidfuzz token_sort_ratio, 0-100) in the same commune are the
# same structure; between UNSURE and SURE in the same département they are listed, not merged.
SURE = 95
UNSURE = 80
BATCH_SIZE = 500
# The directory's lists, for rows read from a bare listing table (no page address).
DIRECTORY_URLS = {
    "cs": "https://www.senacs.fr/structure/csx",
    "evs": "https://www.senacs.fr/structure/evs",
}

_NAME_FORMS = (
    (re.compile(r"\bcentres? socio culturels?\b"), "centre social"),
    (re.compile(r"\bcentres? social et culturel\b"), "centre social"),
    (re.compile(r"\bcentres? sociaux\b"), "centre social"),
    (re.compile(r"\bcsc\b"), "centre social"),
    (re.compile(r"\bcs\b"), "centre social"),
    (re.compile(r"\bespaces? de vie sociale\b"), "evs"),
)
# Local parts of an e-mail address that name a service, not a person.
_SERVICE_WORDS = {
    "accueil", "contact", "direction", "directeur", "directrice", "info", "infos", "centre",
    "social", "centresocial", "secretariat", "mairie", "evs", "csc", "cs", "association",
    "administration", "coordination", "famille", "familles", "jeunesse", "animation", "asso",
}  # fmt: skip
# (field, label) counted in the report, in the card's order.
STRUCTURE_FIELDS = (
    ("address", "adresse"),
    ("postcode", "code postal"),
    ("commune", "commune"),
    ("email", "courriel"),
    ("website", "site internet"),
    ("siret", "SIRET"),
    ("first_agrement", "date du 1er agrément"),
    ("population", "population"),
    ("project_axes", "axes du projet"),
    ("history", "historique"),
    ("management_mode", "mode de gestion"),
    ("territory_type", "type de territoire"),
    ("territory_size", "taille du territoire"),
    ("priority_geography", "géographie prioritaire"),
    ("is_federation_member", "adhésion à la fédération"),
    ("other_federation", "autre fédération"),
    ("is_travellers", "gens du voyage"),
    ("is_multi_site", "multi-sites"),
    ("is_itinerant", "itinérante"),
)
SHEET_FIELDS = (
    ("structure", "structure"),
    ("published_by", "publié par"),
    ("themes", "thèmes"),
    ("files", "fichiers"),
    ("keywords", "mots clés"),
    ("description", "description générale"),
    ("experience", "description de l'expérience"),
    ("sections", "questions de l'ancienne fiche"),
)


def canonical_name(name: str) -> str:
    """A structure's name as matching compares it: case, accents, quotes and the usual
    abbreviations ("CSC", "Centre socioculturel") put aside."""
    key = normalize_key(name)
    for pattern, replacement in _NAME_FORMS:
        key = pattern.sub(replacement, key)
    return " ".join(key.split())


def _numbers(key: str) -> list[str]:
    return re.findall(r"\d+", key)


def names_a_person(email: str) -> bool:
    """Whether an address looks like a person's (first.last@...), not a service's."""
    local = email.split("@", 1)[0].lower()
    parts = [p for p in re.split(r"[._\-]", local) if p]
    if len(parts) < 2 or any(p.isdigit() for p in parts):
        return False
    return not any(p in _SERVICE_WORDS or "centre" in p or "social" in p for p in parts)


@dataclass
class PagesReport:
    dry_run: bool = False
    files_by_kind: Counter = field(default_factory=Counter)
    refused: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    exports: list[importer.FileReport] = field(default_factory=list)
    structures_created: int = 0
    structures_updated: int = 0
    structures_unchanged: int = 0
    structures_merged: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    incomplete_cards: list[str] = field(default_factory=list)
    structure_problems: list[str] = field(default_factory=list)
    structure_fields: Counter = field(default_factory=Counter)
    sheets_created: int = 0
    sheets_updated: int = 0
    sheets_unchanged: int = 0
    sheets_without_structure: int = 0
    kept_local_edits: list[str] = field(default_factory=list)
    incomplete_sheets: list[str] = field(default_factory=list)
    sheet_fields: Counter = field(default_factory=Counter)
    new_vocabulary: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.structures_created
            or self.structures_updated
            or self.sheets_created
            or self.sheets_updated
            or any(f.created or f.updated for f in self.exports)
        )

    def _directory_lines(self) -> list[str]:
        lines = []
        lines.append(
            f"Structures de l'annuaire : {count_noun(self.structures_created, 'structure créée')}, "
            f"{count_noun(self.structures_updated, 'structure complétée')}, "
            f"{count_noun(self.structures_unchanged, 'inchangée')}, dont "
            f"{count_noun(len(self.structures_merged), 'structure rapprochée')} d'une "
            "structure déjà connue."
        )
        filled = [
            f"{label} : {self.structure_fields[name]}"
            for name, label in STRUCTURE_FIELDS
            if self.structure_fields[name]
        ]
        if filled:
            lines.append("  champs lus : " + " · ".join(filled))
        for name in self.structures_merged:
            lines.append(f"  rapprochée : {name}")
        for name in self.incomplete_cards:
            lines.append(f"  fiche identité incomplète (copie coupée), gardée : {name}")
        for problem in self.structure_problems:
            lines.append(f"  {problem}")
        return lines

    def _sheet_lines(self) -> list[str]:
        lines = []
        lines.append(
            f"Fiches archivées : {count_noun(self.sheets_created, 'fiche créée')}, "
            f"{count_noun(self.sheets_updated, 'mise à jour')}, "
            f"{count_noun(self.sheets_unchanged, 'inchangée')}, dont "
            f"{self.sheets_without_structure} « structure non précisée »."
        )
        filled = [
            f"{label} : {self.sheet_fields[name]}"
            for name, label in SHEET_FIELDS
            if self.sheet_fields[name]
        ]
        if filled:
            lines.append("  champs lus : " + " · ".join(filled))
        for title in self.incomplete_sheets:
            lines.append(f"  tronquée (importée avec ce qu'elle contient) : {title}")
        for title in self.kept_local_edits:
            lines.append(
                f"  modifiée sur Essaimage depuis le dernier import, non écrasée : {title}"
            )
        for value in self.new_vocabulary:
            lines.append(f"  nouvelle valeur de vocabulaire, à vérifier : {value}")
        return lines

    def summary_lines(self) -> list[str]:
        kinds = ", ".join(
            f"{label} : {self.files_by_kind[kind]}"
            for kind, label in (
                (pages.KIND_EXPORT, "exports actuels"),
                (pages.KIND_SHEET, "fiches archivées"),
                (pages.KIND_DIRECTORY, "pages d'annuaire"),
                (pages.KIND_LISTING, "listes"),
            )
            if self.files_by_kind[kind]
        )
        total = sum(self.files_by_kind.values())
        lines = [f"{count_noun(total, 'fichier lu')}{f' ({kinds})' if kinds else ''}."]
        for report in self.exports:
            lines.extend(_export_lines(report))
        if self.files_by_kind[pages.KIND_DIRECTORY] or self.files_by_kind[pages.KIND_LISTING]:
            lines.extend(self._directory_lines())
        if self.uncertain:
            lines.append(
                "À vérifier : "
                + count_noun(
                    len(self.uncertain), "rapprochement incertain|rapprochements incertains"
                )
                + " (structure créée à part) :"
            )
            lines.extend(f"  {line}" for line in self.uncertain)
        if self.files_by_kind[pages.KIND_SHEET]:
            lines.extend(self._sheet_lines())
        for name, reason in self.skipped:
            lines.append(f"Ignoré : {name} : {reason}")
        for name, reason in self.refused:
            lines.append(f"Non importé : {name} : {reason}")
        if self.dry_run:
            lines.append("Simulation (--dry-run) : rien n'a été enregistré.")
        elif not self.changed:
            lines.append("Aucun changement.")
        return lines


def _export_lines(report: importer.FileReport) -> list[str]:
    lines = importer.ImportReport(files=[report]).summary_lines()
    return lines[:-1]  # its "Total" line counts this file only: the first lines say it all


@dataclass
class _Read:
    name: str
    kind: str
    data: bytes = b""
    parsed: object = None


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and the `.txt` files of folders given (sorted, subfolders included)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        else:
            found.append(path)
    return found


def is_exports_only(paths: Iterable[str | Path]) -> bool:
    """Whether every path is a file holding a current export (the export importer alone)."""
    for path in map(Path, paths):
        if path.is_dir() or not path.is_file():
            return False
        try:
            with path.open("rb") as stream:
                head = stream.read(4096)
        except OSError:
            return False
        if pages.sniff(head.decode("utf-8", "ignore")) != pages.KIND_EXPORT:
            return False
    return True


def import_pages(
    paths: Iterable[str | Path], *, dry_run: bool = False, progress: Progress | None = None
) -> PagesReport:
    """Read every file, then write everything readable in one transaction."""
    report = PagesReport(dry_run=dry_run)
    read = [_read(path, report) for path in expand(paths)]
    read = [item for item in read if item is not None]
    with transaction.atomic():
        writer = _Writer(report, progress, total=_total(read))
        for item in read:
            if item.kind == pages.KIND_EXPORT:
                try:
                    report.exports.append(importer.import_bytes(item.data, name=item.name))
                except importer.ImportRefused as error:
                    report.refused.append((item.name, str(error).split(" : ", 1)[-1]))
                    report.files_by_kind[item.kind] -= 1
                writer.reload_structures()
        for item in read:
            if item.kind == pages.KIND_DIRECTORY:
                for card in item.parsed.structures:
                    writer.card(card)
        for item in read:
            if item.kind in (pages.KIND_DIRECTORY, pages.KIND_LISTING):
                listing = item.parsed.listing if item.kind == pages.KIND_DIRECTORY else item.parsed
                for entry in listing:
                    writer.listing_entry(entry)
        writer.sheets([item.parsed for item in read if item.kind == pages.KIND_SHEET])
        if dry_run:
            transaction.set_rollback(True)
    return report


def _total(read: list[_Read]) -> int:
    total = 0
    for item in read:
        if item.kind == pages.KIND_DIRECTORY:
            total += len(item.parsed.structures) + len(item.parsed.listing)
        elif item.kind == pages.KIND_LISTING:
            total += len(item.parsed)
        elif item.kind == pages.KIND_SHEET:
            total += 1
    return total


def _read(path: Path, report: PagesReport) -> _Read | None:
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        report.refused.append((name, f"fichier illisible ({error.strerror})."))
        return None
    try:
        text = decode(data)
    except NotSenacsExport as error:
        report.refused.append((name, str(error)))
        return None
    kind = pages.sniff(text)
    if kind == pages.KIND_UNKNOWN:
        report.refused.append((name, "page SENACS d'un type inconnu (ni fiche, ni annuaire)."))
        return None
    item = _Read(name=name, kind=kind, data=data)
    try:
        if kind == pages.KIND_SHEET:
            item.parsed = pages.parse_archived_sheet(text)
        elif kind == pages.KIND_DIRECTORY:
            item.parsed = pages.parse_directory(text)
        elif kind == pages.KIND_LISTING:
            item.parsed = pages.parse_listing(text)
    except pages.PageSkipped as error:
        report.skipped.append((name, str(error)))
        return None
    except pages.PageRefused as error:
        report.refused.append((name, str(error)))
        return None
    report.files_by_kind[kind] += 1
    return item


def _management_mode(label: str) -> str:
    key = normalize_key(label)
    modes = catalogue.Structure.ManagementMode
    if not key:
        return ""
    if "collectivite" in key:
        return modes.LOCAL_AUTHORITY
    if "associ" in key:
        return modes.ASSOCIATIVE
    if "caf" in key:
        return modes.CAF
    return modes.OTHER


def _setting(territory_type: str) -> str:
    key = normalize_key(territory_type)
    if "urbain" in key:
        return catalogue.Structure.Setting.URBAN
    if "rural" in key:
        return catalogue.Structure.Setting.RURAL
    return ""


def _archived_fingerprint(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


class _Writer:
    def __init__(self, report: PagesReport, progress: Progress | None, *, total: int):
        self.report = report
        self.progress = progress
        self.total = total
        self.done = 0
        self.departements: dict[str, str] = {}
        for code, name in catalogue.Departement.objects.values_list("code", "name"):
            self.departements[normalize_key(name)] = code
            self.departements[normalize_key(code)] = code
        for alias, code in importer.DEPARTEMENT_ALIASES.items():
            self.departements[alias] = code
        self.vocabulary = {k.key: k for k in catalogue.Keyword.objects.all()}
        self.reload_structures()

    def reload_structures(self) -> None:
        self.structures: list[catalogue.Structure] = list(
            catalogue.Structure.objects.filter(is_unspecified=False)
        )
        self.by_departement: dict[str | None, list[tuple[str, catalogue.Structure]]] = {}
        self.by_commune: dict[str, list[tuple[str, catalogue.Structure]]] = {}
        for structure in self.structures:
            self._index(structure)

    def _index(self, structure: catalogue.Structure) -> None:
        entry = (canonical_name(structure.name), structure)
        self.by_departement.setdefault(structure.departement_id, []).append(entry)
        if structure.commune:
            self.by_commune.setdefault(normalize_key(structure.commune), []).append(entry)

    def _tick(self) -> None:
        self.done += 1
        if self.progress and (self.done % 100 == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    # -- matching ------------------------------------------------------------------------------

    def match(
        self, name: str, departement: str | None, commune: str = ""
    ) -> tuple[catalogue.Structure | None, bool]:
        """(the structure `name` is, whether it was found under another name); None when none
        is sure. A close name that is not sure goes to the report."""
        key = canonical_name(name)
        commune_key = normalize_key(commune)
        candidates = list(self.by_departement.get(departement, [])) if departement else []
        if commune_key:
            candidates += self.by_commune.get(commune_key, [])
        if not departement and not commune_key:
            exact = [s for k, s in self._all() if k == key]
            return (exact[0], False) if len(exact) == 1 else (None, False)
        for candidate_key, structure in candidates:
            if candidate_key == key and structure.name == name:
                return structure, False
        for candidate_key, structure in candidates:
            if candidate_key == key:
                return structure, True
        # Sure: the same words, spelled nearly alike. Listed: also when one name holds the
        # other ("Centre social des Bergeries" / "… intercommunal des Bergeries").
        best, best_score, best_listed = None, 0.0, 0.0
        numbers = _numbers(key)
        for candidate_key, structure in candidates:
            if _numbers(candidate_key) != numbers:
                continue  # "Centre social 2" is not "Centre social 3", however close
            score = fuzz.token_sort_ratio(key, candidate_key)
            listed = max(score, fuzz.token_set_ratio(key, candidate_key))
            if (score, listed) > (best_score, best_listed):
                best, best_score, best_listed = structure, score, listed
        if best is None:
            return None, False
        same_place = (
            normalize_key(best.commune) == commune_key
            if commune_key and best.commune
            else best.departement_id == departement
        )
        if best_score >= SURE and same_place:
            return best, True
        if best_listed >= UNSURE:
            place = commune or (departement or "")
            self.report.uncertain.append(
                f"« {name} » ({place}) ressemble à « {best.name} » (n° {best.pk}, "
                f"{best.commune or best.departement_id or 'sans lieu'}) : similarité "
                f"{round(best_listed)} %."
            )
        return None, False

    def _all(self):
        for entries in self.by_departement.values():
            yield from entries

    def _departement(self, code: str) -> str | None:
        return self.departements.get(normalize_key(code)) if code else None

    # -- structures ----------------------------------------------------------------------------

    def card(self, card: pages.ParsedStructure) -> None:
        self._tick()
        departement = self._departement(card.departement_code)
        structure, renamed = self.match(card.name, departement, card.commune)
        created = structure is None
        if created:
            structure = catalogue.Structure(name=card.name[:300], departement_id=departement)
        values = self._card_values(card, structure)
        changed = [name for name, value in values.items() if getattr(structure, name) != value]
        for name in changed:
            setattr(structure, name, value := values[name])
        for name, _ in STRUCTURE_FIELDS:
            value = getattr(card, name)
            if value not in ("", None, []):
                self.report.structure_fields[name] += 1
        if card.incomplete:
            self.report.incomplete_cards.append(card.name)
        self.report.structure_problems.extend(f"{card.name} : {p}" for p in card.problems)
        if created:
            structure.save()
            self._index(structure)
            self.report.structures_created += 1
        elif changed:
            structure.save()
            self.report.structures_updated += 1
            if renamed and structure.name not in self.report.structures_merged:
                self.report.structures_merged.append(
                    f"« {card.name} » → « {structure.name} » (n° {structure.pk})"
                )
        else:
            self.report.structures_unchanged += 1

    def _card_values(self, card: pages.ParsedStructure, structure) -> dict:
        """What the card sets on `structure`: values it gives (a cut card clears nothing)."""
        values = {
            "type": card.type,
            "address": card.address[:300],
            "postcode": card.postcode,
            "commune": card.commune[:150],
            "website": card.website if len(card.website) <= 200 else "",
            "siret": card.siret,
            "first_agrement": card.first_agrement,
            "population": card.population,
            "project_axes": card.project_axes,
            "history": "\n".join(card.history),
            "management_mode": _management_mode(card.management_mode),
            "setting": _setting(card.territory_type),
            "territory_type": card.territory_type[:150],
            "territory_size": card.territory_size[:150],
            "priority_geography": card.priority_geography[:200],
            "is_qpv": (
                None
                if not card.priority_geography
                else card.priority_geography != pages.NOT_CONCERNED_LABEL
            ),
            "is_federation_member": card.is_federation_member,
            "other_federation": card.other_federation[:200],
            "is_travellers": card.is_travellers,
            "is_multi_site": card.is_multi_site,
            "is_itinerant": card.is_itinerant,
            "senacs_url": card.source_url[:300],
        }
        if card.email and not structure.contact_edited:
            values["email"] = card.email
            values["email_is_public"] = not names_a_person(card.email)
        values = {k: v for k, v in values.items() if v not in ("", None, [])}
        # A complete card read once stays complete.
        values["card_incomplete"] = card.incomplete and (
            structure.pk is None or structure.card_incomplete
        )
        return values

    def listing_entry(self, entry: pages.ListingEntry) -> None:
        self._tick()
        departement = self._departement(pages.departement_of_postcode(entry.postcode))
        structure, _ = self.match(entry.name, departement, entry.commune)
        if structure is None:
            structure = catalogue.Structure.objects.create(
                name=entry.name[:300],
                departement_id=departement,
                type=entry.type,
                postcode=entry.postcode,
                commune=entry.commune[:150],
                card_incomplete=True,
                senacs_url=entry.source_url or DIRECTORY_URLS.get(entry.type, ""),
            )
            self._index(structure)
            self.report.structures_created += 1
            return
        changed = False
        for name, value in (("postcode", entry.postcode), ("commune", entry.commune[:150])):
            if not getattr(structure, name):
                setattr(structure, name, value)
                changed = True
        if changed:
            structure.save()
            self.report.structures_updated += 1
        else:
            self.report.structures_unchanged += 1

    # -- older sheets --------------------------------------------------------------------------

    def _structure_of(self, parsed: pages.ArchivedSheet) -> catalogue.Structure:
        if not parsed.structure_name:
            return catalogue.Structure.unspecified()
        departement = self._departement(parsed.departement_name)
        structure, _ = self.match(parsed.structure_name, departement)
        if structure is None:
            structure = catalogue.Structure.objects.create(
                name=parsed.structure_name[:300],
                departement_id=departement,
                type=importer._structure_type(parsed.structure_name),
                card_incomplete=True,
            )
            self._index(structure)
            self.report.structures_created += 1
        return structure

    def _keyword(self, label: str):
        key = normalize_key(label)
        if not key:
            return None
        if key not in self.vocabulary:
            self.vocabulary[key], created = catalogue.Keyword.objects.propose(label)
            if created:
                self.report.new_vocabulary.append(f"mot clé : {label}")
        return self.vocabulary[key]

    @staticmethod
    def content(parsed: pages.ArchivedSheet) -> dict:
        return {
            "title": parsed.title,
            "description": parsed.description,
            "experience": parsed.experience,
            "keywords": sorted({normalize_key(k) for k in parsed.keywords} - {""}),
            "archive_themes": parsed.themes,
            "archive_sections": [{"label": label, "text": text} for label, text in parsed.sections],
            "published_by": parsed.published_by,
            "senacs_url": parsed.url,
        }

    @staticmethod
    def stored(sheet: catalogue.ActionSheet) -> dict:
        return {
            "title": sheet.title,
            "description": sheet.description,
            "experience": sheet.experience,
            "keywords": sorted(k.key for k in sheet.keywords.all()),
            "archive_themes": sheet.archive_themes,
            "archive_sections": sheet.archive_sections,
            "published_by": sheet.published_by,
            "senacs_url": sheet.senacs_url,
        }

    def sheets(self, parsed_sheets: list[pages.ArchivedSheet]) -> None:
        by_ref = {f"action-{p.senacs_id}": p for p in parsed_sheets}  # the last copy wins
        existing = {}
        refs = sorted(by_ref)
        for start in range(0, len(refs), BATCH_SIZE):
            rows = catalogue.ActionSheet.objects.filter(
                source=catalogue.Source.SENACS, source_ref__in=refs[start : start + BATCH_SIZE]
            ).prefetch_related("keywords")
            existing.update({s.source_ref: s for s in rows})
        now = timezone.now()
        to_create: list[tuple[catalogue.ActionSheet, pages.ArchivedSheet]] = []
        changed_ids: list[int] = []
        for ref, parsed in by_ref.items():
            self._tick()
            self._count_fields(parsed)
            content = self.content(parsed)
            fingerprint = _archived_fingerprint(content)
            sheet = existing.get(ref)
            if sheet is None:
                structure = self._structure_of(parsed)
                sheet = catalogue.ActionSheet(
                    structure=structure,
                    source=catalogue.Source.SENACS,
                    source_ref=ref,
                    source_hash=fingerprint,
                    senacs_id=parsed.senacs_id,
                    is_senacs_archive=True,
                    publication_status=catalogue.PublicationStatus.PUBLISHED,
                    created_at=now,
                    updated_at=now,
                    published_at=now,
                )
                self._fill(sheet, parsed)
                to_create.append((sheet, parsed))
                if structure.is_unspecified:
                    self.report.sheets_without_structure += 1
            elif sheet.source_hash == fingerprint:
                self.report.sheets_unchanged += 1
                if sheet.structure.is_unspecified:
                    self.report.sheets_without_structure += 1
                continue
            elif _archived_fingerprint(self.stored(sheet)) != sheet.source_hash:
                self.report.kept_local_edits.append(sheet.title)
                continue
            else:
                self._fill(sheet, parsed)
                sheet.source_hash = fingerprint
                sheet.updated_at = now
                sheet.version += 1
                sheet.save()
                sheet.keywords.set([k for k in map(self._keyword, parsed.keywords) if k])
                self._attach(sheet, parsed)
                self.report.sheets_updated += 1
                changed_ids.append(sheet.pk)
            if parsed.incomplete:
                self.report.incomplete_sheets.append(
                    f"{parsed.title} (SENACS n° {parsed.senacs_id})"
                )
        for start in range(0, len(to_create), BATCH_SIZE):
            batch = to_create[start : start + BATCH_SIZE]
            created = create_sheets([sheet for sheet, _ in batch])
            add_relation_rows(
                "keywords",
                (
                    (sheet.pk, keyword.pk)
                    for sheet, (_, parsed) in zip(created, batch, strict=True)
                    for keyword in {
                        k.pk: k for k in map(self._keyword, parsed.keywords) if k
                    }.values()
                ),
            )
            for sheet, (_, parsed) in zip(created, batch, strict=True):
                self._attach(sheet, parsed)
            changed_ids.extend(sheet.pk for sheet in created)
            self.report.sheets_created += len(created)
        later = len(changed_ids) > settings.SIMILAR_SYNC_MAX
        for start in range(0, len(changed_ids), BATCH_SIZE):
            sheets_changed.send(
                sender=self.__class__,
                sheet_ids=changed_ids[start : start + BATCH_SIZE],
                pairs_later=later,
            )
        if later:
            # Probable duplicates once for the whole run, within each structure; not among the
            # sheets without structure (they are not one structure's: comparing them all
            # would cost the square of their number and mean nothing).
            real = catalogue.ActionSheet.objects.filter(
                pk__in=changed_ids, structure__is_unspecified=False
            ).values_list("pk", flat=True)
            refresh_within_structures(list(real))

    def _count_fields(self, parsed: pages.ArchivedSheet) -> None:
        counted = self.report.sheet_fields
        for name, _ in SHEET_FIELDS:
            value = parsed.structure_name if name == "structure" else getattr(parsed, name)
            if value:
                counted[name] += 1

    @staticmethod
    def _fill(sheet: catalogue.ActionSheet, parsed: pages.ArchivedSheet) -> None:
        sheet.title = parsed.title
        sheet.description = parsed.description
        sheet.experience = parsed.experience
        sheet.archive_themes = parsed.themes
        sheet.archive_sections = [{"label": label, "text": text} for label, text in parsed.sections]
        sheet.published_by = parsed.published_by
        sheet.senacs_url = parsed.url[:300]

    @staticmethod
    def _attach(sheet: catalogue.ActionSheet, parsed: pages.ArchivedSheet) -> None:
        known = set(sheet.attachments.values_list("name", flat=True))
        for item in parsed.files:
            if item.name not in known:
                catalogue.Attachment.objects.create(sheet=sheet, name=item.name, size=item.size)
