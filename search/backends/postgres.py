"""PostgreSQL backend: `search_searchdocument.vector` (not a model field: the only copy of the
index, no text column beside it) is a tsvector written from the terms of search.analysis (the `simple` parser never sees the text: positions and weights are given),
with a GIN index. No text search dictionary of the server is used. Fields are weighted
A (title), B (keywords, structure, partners, publics), C (summary), D (long texts)."""

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalogue.bulk import bulk_cursor
from search.analysis import MAX_TOKEN_LENGTH
from search.indexing import GAP
from search.models import SearchDocument
from search.scoring import field_lengths

WEIGHTS = "ABCD"
_COLUMN_WEIGHT = "ABBCD"  # title, keywords, structure, summary, body


def vector_literal(columns: list[str]) -> str:
    """The tsvector of a document's five columns of terms: 'term':1A,5C ... (positions as on
    SQLite, plus gaps)."""
    positions: dict[str, list[str]] = {}
    start = 1
    for weight, text in zip(_COLUMN_WEIGHT, columns, strict=True):
        terms = text.split()
        for i, term in enumerate(terms, start):
            # The analyser already cuts words; kept here so no lexeme reaches 2,048 bytes.
            positions.setdefault(term[:MAX_TOKEN_LENGTH], []).append(f"{i}{weight}")
        start += len(terms) + GAP
    return " ".join(f"'{t}':{','.join(p)}" for t, p in positions.items())


def index_documents(rows: list[tuple[int, list[str]]]) -> None:
    """Write the index of new documents: (sheet id, the five columns' terms) each. Their old
    rows must be gone."""
    if not rows:
        return
    now = timezone.now()
    with bulk_cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_searchdocument(sheet_id, indexed_at, vector, title_length, "
            "who_length, summary_length, body_length) VALUES (%s, %s, %s::tsvector, %s, %s, %s, %s)",
            [(pk, now, vector_literal(columns), *field_lengths(columns)) for pk, columns in rows],
        )


def clear_index() -> None:
    """Nothing to do: the vectors go with the documents."""


def _tsquery(terms: tuple[str, ...], prefix: bool, weight: str = "") -> str:
    parts = [f"'{t}'" + (":" + weight if weight else "") for t in terms]
    if prefix:
        parts[-1] = f"'{terms[-1]}':*{weight}"
    return " <-> ".join(parts)


def term_fields(phrases: list[tuple[tuple[str, ...], bool]]) -> list[dict[int, int]]:
    """As search.backends.sqlite_fts5.term_fields (one query)."""
    out: list[dict[int, int]] = [{} for _ in phrases]
    wanted = [(i, p) for i, p in enumerate(phrases) if p[0] and all(t.isalnum() for t in p[0])]
    if not wanted:
        return out
    flags = ", ".join("vector @@ %s::tsquery" for _ in WEIGHTS)
    selects, params = [], []
    for i, (terms, prefix) in wanted:
        selects.append(
            f"SELECT {i}, sheet_id, {flags} FROM search_searchdocument WHERE vector @@ %s::tsquery"
        )
        params += [_tsquery(terms, prefix, w) for w in WEIGHTS] + [_tsquery(terms, prefix)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for i, pk, a, b, c, d in cursor.fetchall():
            out[i][pk] = a | b << 1 | c << 2 | d << 3
    return out


def near(pairs: list[tuple[str, str]], distance: int) -> list[set[int]]:
    """As search.backends.sqlite_fts5.near (FTS5's NEAR: both orders, up to `distance`)."""
    out: list[set[int]] = [set() for _ in pairs]
    if not pairs:
        return out
    selects, params = [], []
    for i, (a, b) in enumerate(pairs):
        options = [
            f"('{x}' <{k}> '{y}')" for k in range(1, distance + 1) for x, y in ((a, b), (b, a))
        ]
        selects.append(
            f"SELECT {i}, sheet_id FROM search_searchdocument WHERE vector @@ %s::tsquery"
        )
        params.append(" | ".join(options))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for i, pk in cursor.fetchall():
            out[i].add(pk)
    return out


def all_ids() -> list[int]:
    return list(SearchDocument.objects.values_list("pk", flat=True))


def filter_ids(qs: QuerySet, ids: list[int]) -> QuerySet:
    return qs.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
