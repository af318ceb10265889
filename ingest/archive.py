"""The site's backup: one zip archive holding every row the site needs and the attachment files.

Layout of the archive (format "essaimage-backup", version 1):
    manifest.json           format, version, date, database vendor, applied migrations,
                            and per model: its file, row count and fields
    data/<app.model>.jsonl  one JSON object per row (field attnames → stored values)
    files/<storage name>    each attachment file, under the name the database refers to

`backup_site` reads one consistent snapshot without blocking writers; `restore_site` refuses a
database holding sheets, structures or accounts, then inserts everything in one transaction
(bulk inserts, primary keys kept, sequences reset) and loads or rebuilds the search index. Ids,
dates, source references and version counters come back as they were, so pages, API answers,
exports and a later import of the same SENACS file behave as before the backup.
"""

import base64
import io
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from essaimage.lib.french import count_noun
from search.changes import bump_generation
from search.indexing import rebuild_index as rebuild

FORMAT = "essaimage-backup"
VERSION = 1
CHUNK = 5000
# Saved, in an order where every foreign key points to rows inserted before.
BACKED_UP = (
    "pages.Page",
    "search.ThesaurusEntry",
    "catalogue.Region",
    "catalogue.Departement",
    "catalogue.ActionStatus",
    "catalogue.Dimension",
    "catalogue.Keyword",
    "catalogue.Initiator",
    "catalogue.Territory",
    "catalogue.Public",
    "catalogue.PartnerKind",
    "catalogue.Structure",
    "catalogue.TerritoryRelay",
    "auth.Group",
    "auth.Group_permissions",
    "contrib.User",
    "contrib.User_groups",
    "contrib.User_user_permissions",
    "discovery.SearchAlert",
    "catalogue.ActionSheet",
    "catalogue.ActionSheet_keywords",
    "catalogue.ActionSheet_initiators",
    "catalogue.ActionSheet_publics",
    "catalogue.ActionSheet_action_partners",
    "catalogue.ActionSheet_financial_partners",
    "catalogue.Attachment",
    "stats.SheetFigures",
    "stats.SheetFunding",
    "discovery.SimilarSheet",
    # Derived too, but the moderators' list needs a full computation to be complete again.
    "discovery.ProbableDuplicate",
    "discovery.DuplicateComputation",
    "contrib.Membership",
    "contrib.ModeratorTerritory",
    "contrib.JoinRequest",
    "contrib.Invitation",
    "contrib.PendingEdit",
    "contrib.Autosave",
    "contrib.Revision",
    "api.ApiToken",
    # Portal logos are files under MEDIA_ROOT, not in the archive (unlike attachments).
    "portals.Portal",
    "portals.Portal_highlighted",
    "portals.Portal_excluded",
    "portals.PortalAdministrator",
    "portals.PortalChange",
    "portals.PortalVisit",
)
# Not saved, and why (a test checks every model is in one list or the other).
NOT_BACKED_UP = {
    "contenttypes.ContentType": "recreated by migrate",
    "auth.Permission": "recreated by migrate; saved rows refer to them by app and codename",
    "sessions.Session": "people log in again after a restore",
    "admin.LogEntry": "the admin's own log, not the sheets' history (that is contrib.Revision)",
    "search.IndexState": "moved by the restore",
    "search.IndexChange": "the index's change log: the restore moves the generation instead",
    "catalogue.ExportJob": "background exports, kept a day; asked again after a restore",
    "django_tasks_database.DBTaskResult": "the job queue of those exports",
    "operations.JobRun": "the clock's log of scheduled runs; the next runs write it again",
    "discovery.SimilarityProfile": "terms of each sheet, derived from its text: made again for "
    "every published sheet at the next change or by compute_similar",
}
# The search index, saved too: restored as is into the same database engine, rebuilt from the
# sheets otherwise or on request. Rebuilding costs minutes at 100,000 sheets; loading it, seconds.
# SearchWord is saved as a model; SearchDocument with the backend's own tables, row for row (SQLite:
# the terms and the FTS5 inverted index itself, so nothing is analysed or tokenized again;
# PostgreSQL: the tsvector beside each document).
INDEX_MODELS = ("search.SearchDocument", "search.SearchWord")
_LENGTHS = ("title_length", "who_length", "summary_length", "body_length")
INDEX_TABLES = {
    "sqlite": (
        ("search_searchdocument", ("sheet_id", "indexed_at", *_LENGTHS)),
        ("search_terms", ("id", "title", "keywords", "structure", "summary", "body")),
        ("search_fts_data", ("id", "block")),
        ("search_fts_idx", ("segid", "term", "pgno")),
        ("search_fts_docsize", ("id", "sz")),
        ("search_fts_config", ("k", "v")),
    ),
    "postgresql": (("search_searchdocument", ("sheet_id", "indexed_at", "vector", *_LENGTHS)),),
}
# Rows loaded by migrations (information pages, thesaurus, territories, vocabularies), replaced
# by the archive's rows on restore: administrators and moderators may have edited them.
LOADED_BY_MIGRATIONS = BACKED_UP[:11]
# A database holding any of these is not empty: restore refuses to mix two sites.
CONTENT_MODELS = ("catalogue.ActionSheet", "catalogue.Structure", "contrib.User")
PERMISSION_TABLES = ("auth.Group_permissions", "contrib.User_user_permissions")


class RestoreRefused(Exception):
    """The archive cannot be restored here; nothing was written. The message is in French."""


@dataclass
class ArchiveReport:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    seconds: float = 0.0
    index_seconds: float = 0.0
    index_loaded: bool = False

    @property
    def sheets(self) -> int:
        return self.counts.get("catalogue.ActionSheet", 0)


def _model(label: str) -> type[models.Model]:
    app_label, name = label.split(".")
    return apps.get_model(app_label, name)


def _fields(model) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _to_json(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _applied_migrations() -> list[str]:
    project = {label.split(".")[0] for label in BACKED_UP}
    return sorted(
        f"{app}.{name}"
        for app, name in MigrationRecorder(connection).applied_migrations()
        if app in project
    )


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent read of the whole database that never blocks writers."""
    if connection.in_atomic_block:  # the caller's transaction is the snapshot (tests)
        yield
    elif connection.vendor == "sqlite":
        # Django opens SQLite transactions with BEGIN IMMEDIATE (the write lock): read in a
        # deferred transaction instead, which WAL serves from a snapshot.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield


def backup_site(path: str | Path) -> ArchiveReport:
    """Write the whole site to the zip archive `path` (written aside, then renamed into place)."""
    started = time.perf_counter()
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    report = ArchiveReport()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now().astimezone().isoformat(),
        "database": connection.vendor,
        "migrations": _applied_migrations(),
        "models": [],
        "files": [],
    }
    permission_keys = {
        p.pk: [p.content_type.app_label, p.content_type.model, p.codename]
        for p in Permission.objects.select_related("content_type")
    }
    with _snapshot(), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for label in (*BACKED_UP, "search.SearchWord"):
            model = _model(label)
            fields = _fields(model)
            names = [f.attname for f in fields]
            count = 0
            member = f"data/{label.lower()}.jsonl"
            with archive.open(member, "w", force_zip64=True) as out:
                rows = model._base_manager.order_by("pk").values_list(*names)
                buffer = []
                for row in rows.iterator(chunk_size=CHUNK):
                    record = {n: _to_json(v) for n, v in zip(names, row, strict=True)}
                    if label in PERMISSION_TABLES:
                        record["permission_id"] = permission_keys[record["permission_id"]]
                    buffer.append(json.dumps(record, ensure_ascii=False))
                    count += 1
                    if len(buffer) >= CHUNK:
                        out.write(("\n".join(buffer) + "\n").encode())
                        buffer = []
                if buffer:
                    out.write(("\n".join(buffer) + "\n").encode())
            manifest["models"].append(
                {"model": label, "file": member, "count": count, "fields": names}
            )
            report.counts[label] = count
        manifest["index"] = _dump_index(archive)
        report.counts["search.SearchDocument"] = manifest["index"][0]["count"]
        stored = _model("catalogue.Attachment").objects.exclude(file="").order_by("pk")
        for name in stored.values_list("file", flat=True):
            with default_storage.open(name, "rb") as source:
                data = source.read()
            archive.writestr(f"files/{name}", data, compress_type=zipfile.ZIP_STORED)
            manifest["files"].append({"name": name, "size": len(data)})
            report.files += 1
            report.file_bytes += len(data)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    partial.replace(path)
    report.seconds = time.perf_counter() - started
    return report


def _dump_index(archive: zipfile.ZipFile) -> list[dict]:
    """The index tables of this database engine, row for row (bytes in base64)."""
    entries = []
    for table, columns in INDEX_TABLES[connection.vendor]:
        member = f"data/{table}.jsonl"
        selected = ", ".join(f"{c}::text" if c == "vector" else c for c in columns)
        count = 0
        with archive.open(member, "w", force_zip64=True) as out, connection.cursor() as cursor:
            cursor.execute(f"SELECT {selected} FROM {table} ORDER BY {columns[0]}")
            while rows := cursor.fetchmany(CHUNK):
                out.write(
                    "".join(
                        json.dumps([_index_value(v) for v in row], ensure_ascii=False) + "\n"
                        for row in rows
                    ).encode()
                )
                count += len(rows)
        entries.append({"table": table, "file": member, "count": count, "columns": columns})
    return entries


def _index_value(value):
    if isinstance(value, bytes | memoryview):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    return _to_json(value)


def _from_index_value(value):
    return base64.b64decode(value["b64"]) if isinstance(value, dict) else value


def _load_index(archive: zipfile.ZipFile, entries: list[dict]) -> None:
    if connection.vendor == "sqlite":
        from search.backends import sqlite_fts5

        sqlite_fts5.clear_index()
        with connection.cursor() as cursor:
            # The FTS5 table's own rows (its structure and settings) come from the archive too.
            for table, _ in INDEX_TABLES["sqlite"]:
                cursor.execute(f"DELETE FROM {table}")
    else:
        with connection.cursor() as cursor:
            # One GIN build after the rows is much faster than growing it row by row.
            cursor.execute("DROP INDEX IF EXISTS search_document_vector")
    for entry in entries:
        table, columns = entry["table"], entry["columns"]
        values = ", ".join("%s::tsvector" if c == "vector" else "%s" for c in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"
        count = 0
        with connection.cursor() as cursor:
            rows = []
            for line in _lines(archive, entry["file"]):
                rows.append([_from_index_value(v) for v in _decode(line)])
                if len(rows) >= CHUNK:
                    cursor.executemany(sql, rows)
                    count += len(rows)
                    rows = []
            if rows:
                cursor.executemany(sql, rows)
                count += len(rows)
        if count != entry["count"]:
            raise RestoreRefused(
                f"{entry['file']} : {count_noun(count, 'ligne lue')}, le manifeste en annonce "
                f"{entry['count']} (archive incomplète ?)."
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # (Checking the foreign keys now: no index is built over pending checks.)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as error:
        raise RestoreRefused(
            "ce fichier n'est pas une sauvegarde d'Essaimage (manifest.json absent ou illisible)."
        ) from error
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise RestoreRefused(
            f"format de sauvegarde inconnu ({manifest.get('format')} "
            f"version {manifest.get('version')}) : attendu {FORMAT} version {VERSION}."
        )
    return manifest


def _check_empty() -> None:
    found = {label: _model(label).objects.count() for label in CONTENT_MODELS}
    if any(found.values()):
        raise RestoreRefused(
            "la base de données n'est pas vide ("
            f"{count_noun(found['catalogue.ActionSheet'], 'fiche')}, "
            f"{count_noun(found['catalogue.Structure'], 'structure')}, "
            f"{count_noun(found['contrib.User'], 'compte')}). Restaurez dans une base neuve "
            "(créée puis préparée par « manage.py migrate »)."
        )


def _converter(field_: models.Field) -> Callable | None:
    """The function turning an archive value into a database value (None: as it is)."""
    prep = field_.get_db_prep_save
    if isinstance(field_, models.DateTimeField):

        def slow(v):
            return None if v is None else prep(datetime.fromisoformat(v), connection)

        if connection.vendor == "sqlite":
            # The archive holds UTC ISO dates ("…T10:00:00.5+00:00"); SQLite stores the same
            # date as "… 10:00:00.5": no parsing for a million of them.
            def fast(v):
                if v is not None and v.endswith("+00:00") and v[10:11] == "T":
                    return v[:10] + " " + v[11:-6]
                return slow(v)

            return fast
        if connection.vendor == "postgresql":
            return None  # PostgreSQL reads ISO 8601 itself, offset included
        return slow
    if isinstance(field_, models.DateField):
        return None  # ISO dates ("2024-05-01"), as both databases store and read them
    if isinstance(field_, models.DecimalField):
        return None  # the decimal as text: both databases read it into their numeric column
    if isinstance(field_, models.JSONField | models.UUIDField):
        return lambda v: prep(field_.to_python(v), connection)
    return None


def _lines(archive: zipfile.ZipFile, member: str) -> Iterator[str]:
    """The lines of an archive member, read in large blocks (ZipExtFile's own readline is slow)."""
    with archive.open(member) as raw:
        yield from io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding="utf-8")


_decode = json.JSONDecoder().decode


def restore_site(path: str | Path, *, reindex: bool = False) -> ArchiveReport:
    """Restore the archive `path` into an empty database, in one transaction.

    The search index comes from the archive when it was made on this database engine and
    holds every sheet; otherwise, or with `reindex`, it is rebuilt from the restored sheets.

    Raise RestoreRefused (French message) before writing anything when the database is not
    empty, the file is not an Essaimage backup, or its schema differs from this database's.
    """
    started = time.perf_counter()
    report = ArchiveReport()
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive)
        here = _applied_migrations()
        if manifest["migrations"] != here:
            missing = sorted(set(manifest["migrations"]) - set(here))
            extra = sorted(set(here) - set(manifest["migrations"]))
            raise RestoreRefused(
                "la sauvegarde vient d'une autre version du schéma "
                f"(migrations absentes ici : {', '.join(missing) or 'aucune'} ; "
                f"en plus ici : {', '.join(extra) or 'aucune'}). "
                "Restaurez avec la version d'Essaimage qui l'a faite."
            )
        _check_empty()
        for item in manifest["files"]:
            _restore_file(item["name"], archive.read(f"files/{item['name']}"))
            report.files += 1
            report.file_bytes += item["size"]
        permissions = {
            (p.content_type.app_label, p.content_type.model, p.codename): p.pk
            for p in Permission.objects.select_related("content_type")
        }
        restored = []
        with transaction.atomic(), _large_cache():
            _check_empty()
            for label in reversed(LOADED_BY_MIGRATIONS):
                _model(label).objects.all().delete()
            index_entries = [m for m in manifest["models"] if m["model"] in INDEX_MODELS]
            index_tables = manifest.get("index") or []
            for entry in manifest["models"]:
                if entry["model"] in INDEX_MODELS:
                    continue
                model = _model(entry["model"])
                report.counts[entry["model"]] = _checked_insert(model, archive, entry, permissions)
                restored.append(model)
            index_started = time.perf_counter()
            sheets = report.counts.get("catalogue.ActionSheet", 0)
            expected = INDEX_TABLES.get(connection.vendor, ())
            can_load = (
                manifest["database"] == connection.vendor
                and len(index_entries) == 1
                and [(e["table"], tuple(e["columns"])) for e in index_tables] == list(expected)
                and index_tables[0]["count"] == sheets
            )
            if can_load and not reindex:
                _model("search.SearchDocument").objects.all().delete()
                _model("search.SearchWord").objects.all().delete()
                _checked_insert(_model("search.SearchWord"), archive, index_entries[0], permissions)
                restored.append(_model("search.SearchWord"))
                _load_index(archive, index_tables)
                report.index_loaded = True
            else:
                rebuild()
            report.index_seconds = time.perf_counter() - index_started
            sequences = connection.ops.sequence_reset_sql(no_style(), restored)
            if sequences:
                with connection.cursor() as cursor:
                    for sql in sequences:
                        cursor.execute(sql)
            # Every worker's in-memory search index (search.engines.memory) is now out of date.
            bump_generation()
    report.seconds = time.perf_counter() - started
    return report


def _checked_insert(model, archive: zipfile.ZipFile, entry: dict, permissions: dict) -> int:
    count = _insert(model, archive, entry, permissions)
    if count != entry["count"]:
        raise RestoreRefused(
            f"{entry['file']} : {count_noun(count, 'ligne lue')}, le manifeste en annonce "
            f"{entry['count']} (archive incomplète ?)."
        )
    return count


def _insert(model, archive: zipfile.ZipFile, entry: dict, permissions: dict) -> int:
    by_name = {f.attname: f for f in _fields(model)}
    names = [n for n in entry["fields"] if n in by_name]
    unknown = set(entry["fields"]) - set(by_name)
    if unknown:
        raise RestoreRefused(
            f"{entry['file']} : champs inconnus ici : {', '.join(sorted(unknown))}."
        )
    converters = [(i, c) for i, n in enumerate(names) if (c := _converter(by_name[n]))]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    is_permission_table = entry["model"] in PERMISSION_TABLES
    count = 0
    rows = []
    with connection.cursor() as cursor:
        for line in _lines(archive, entry["file"]):
            record = _decode(line)
            if is_permission_table:
                record["permission_id"] = permissions[tuple(record["permission_id"])]
            row = [record[n] for n in names]
            for i, convert in converters:
                row[i] = convert(row[i])
            rows.append(row)
            if len(rows) >= CHUNK:
                cursor.executemany(sql, rows)
                count += len(rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
            count += len(rows)
    return count


@contextmanager
def _large_cache() -> Iterator[None]:
    """SQLite: a page cache of 256 MB while restoring, so that index pages written again and
    again stay in memory instead of going through the write-ahead log each time."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _restore_file(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if existing.read() == data:
                return
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        raise RestoreRefused(f"fichier joint {name} : enregistré sous un autre nom ({saved}).")
