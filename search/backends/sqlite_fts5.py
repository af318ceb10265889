"""SQLite FTS5 backend: the `search_fts` table stores the terms of search.analysis, one column
per field (rowid = sheet id). The database answers which sheets hold a term or phrase and in
which fields; search.matching does the rest."""

import json

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from search import analysis
from search.models import SearchDocument


def index_documents(documents: list[SearchDocument]) -> None:
    """Write the FTS rows of `documents` (their old rows are gone with the old documents)."""
    rows = [(d.sheet_id, *fields) for d in documents for fields in [document_terms(d)]]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_fts(rowid, title, keywords, structure, summary, body) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )


def document_terms(d: SearchDocument) -> list[str]:
    """The five columns' terms, cut so that the whole document stays within MAX_POSITION
    (PostgreSQL's limit; search.backends.postgres lays them out the same way)."""
    out, used = [], 0
    for value in (d.title, d.keywords, d.structure, d.summary, d.body):
        room = max(0, analysis.MAX_POSITION - used)
        terms = analysis.terms(value)[:room]
        used += len(terms) + GAP
        out.append(" ".join(terms))
    return out


GAP = 20  # positions left between fields on PostgreSQL (> NEAR distance): kept in the count


def clear_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_fts")


def _phrase(terms: tuple[str, ...], prefix: bool) -> str:
    return '"' + " ".join(terms) + '"' + (" *" if prefix else "")


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
    selects, params = [], []
    for i, (terms, prefix) in wanted:
        for bit, columns in _COLUMNS.items():
            selects.append(f"SELECT {i}, {bit}, rowid FROM search_fts WHERE search_fts MATCH %s")
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
        cursor.execute("SELECT rowid FROM search_fts")
        return [row[0] for row in cursor.fetchall()]


def filter_ids(qs: QuerySet, ids: list[int]) -> QuerySet:
    """`qs` restricted to `ids` (one parameter, whatever their number)."""
    return qs.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))
