"""SQLite FTS5 backend: the analysed terms of search.analysis live in `search_terms` (id = sheet
id, one column per field), and `search_fts` is an external-content FTS5 table over it: only its
inverted index is stored (rowid = sheet id). A trigger removes a sheet's terms, and its entries
in the inverted index, with its SearchDocument. The database answers which sheets hold a term or
phrase and in which fields; search.matching does the rest."""

import json

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalogue.bulk import bulk_cursor
from search.scoring import field_lengths

COLUMNS = ("title", "keywords", "structure", "summary", "body")
_INSERT_TERMS = (
    f"INSERT INTO search_terms(id, {', '.join(COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)"
)
_INSERT_FTS = f"INSERT INTO search_fts(rowid, {', '.join(COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)"


def index_documents(rows: list[tuple[int, list[str]]]) -> None:
    """Write the index of new documents: (sheet id, the five columns' terms) each. Their old
    rows must be gone (deleting a SearchDocument removes them)."""
    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    flat = [(pk, *terms) for pk, terms in rows]
    with bulk_cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_searchdocument(sheet_id, indexed_at, title_length, who_length, "
            "summary_length, body_length) VALUES (%s, %s, %s, %s, %s, %s)",
            [(pk, now, *field_lengths(terms)) for pk, terms in rows],
        )
        cursor.executemany(_INSERT_TERMS, flat)
        cursor.executemany(_INSERT_FTS, flat)


# As created by migration 0006: a sheet's entries leave the inverted index with its terms.
TERMS_DELETE_TRIGGER = (
    "CREATE TRIGGER search_terms_delete AFTER DELETE ON search_terms BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {', '.join(COLUMNS)}) VALUES ('delete', old.id, "
    "old.title, old.keywords, old.structure, old.summary, old.body); END"
)


def clear_index() -> None:
    """Empty the whole index at once (not a row at a time through the trigger)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        cursor.execute("DROP TRIGGER search_terms_delete")
        cursor.execute("DELETE FROM search_terms")
        cursor.execute(TERMS_DELETE_TRIGGER)


def _phrase(terms: tuple[str, ...], prefix: bool) -> str:
    return '"' + " ".join(terms) + '"' + (" *" if prefix else "")


PHRASES_PER_QUERY = 100
# Field bit → the FTS5 columns it covers.
_COLUMNS = {1: "title", 2: "keywords structure", 4: "summary", 8: "body"}


def term_fields(phrases: list[tuple[tuple[str, ...], bool]]) -> list[dict[int, int]]:
    """For each (terms, prefix) phrase (one term = a word): {sheet id: field bits} of the sheets
    holding it, bits 1 title, 2 keywords or structure (with partners and publics), 4 summary,
    8 long texts. One query (a column filter per field: cheaper than ranking functions)."""
    out: list[dict[int, int]] = [{} for _ in phrases]
    wanted = [(i, p) for i, p in enumerate(phrases) if p[0] and all(t.isalnum() for t in p[0])]
    if not wanted:
        return out
    # SQLite allows 500 terms in a compound SELECT: PHRASES_PER_QUERY phrases (4 each) at once.
    for start in range(0, len(wanted), PHRASES_PER_QUERY):
        selects, params = [], []
        for i, (terms, prefix) in wanted[start : start + PHRASES_PER_QUERY]:
            for bit, columns in _COLUMNS.items():
                selects.append(
                    f"SELECT {i}, {bit}, rowid FROM search_fts WHERE search_fts MATCH %s"
                )
                params.append(f"{{{columns}}} : {_phrase(terms, prefix)}")
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for i, bit, rowid in cursor.fetchall():
                found = out[i]
                found[rowid] = found.get(rowid, 0) | bit
    return out


def near(pairs: list[tuple[str, str]], distance: int) -> list[set[int]]:
    """For each pair of terms: sheets where they are at most `distance` words apart, in one
    field. One query."""
    out: list[set[int]] = [set() for _ in pairs]
    if not pairs:
        return out
    sql = " UNION ALL ".join(
        f"SELECT {i}, rowid FROM search_fts WHERE search_fts MATCH %s" for i in range(len(pairs))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [f'NEAR("{a}" "{b}", {distance - 1})' for a, b in pairs])
        for i, rowid in cursor.fetchall():
            out[i].add(rowid)
    return out


def all_ids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sheet_id FROM search_searchdocument")
        return [row[0] for row in cursor.fetchall()]


def filter_ids(qs: QuerySet, ids: list[int]) -> QuerySet:
    """`qs` restricted to `ids` (one parameter, whatever their number)."""
    return qs.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))
