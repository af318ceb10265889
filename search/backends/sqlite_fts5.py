"""SQLite FTS5 backend: the `search_fts` table stores French terms computed in Python
(search.text: PyStemmer stems, diacritics removed), rowid = sheet id."""

import difflib

from django.db import connection
from django.db.models import FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from search import text as french
from search.models import SearchDocument, SearchWord

# bm25 column weights: title, keywords, structure, summary, body.
WEIGHTS = "10.0, 8.0, 4.0, 2.0, 1.0"
_MATCH = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"


def index_documents(documents: list[SearchDocument]) -> None:
    """Write the FTS rows of `documents` (their old rows are gone with the old documents)."""
    rows = [
        (
            d.sheet_id,
            french.index_text(d.title),
            french.index_text(d.keywords),
            french.index_text(d.structure),
            french.index_text(d.summary),
            french.index_text(d.body),
        )
        for d in documents
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_fts(rowid, title, keywords, structure, summary, body) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )


def clear_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_fts")


def filter_matching(qs: QuerySet, text: str, parsed: french.ParsedQuery) -> QuerySet:
    if parsed.required:
        qs = qs.filter(pk__in=RawSQL(_MATCH, [french.fts5_expression(parsed.required)]))
    if parsed.excluded:
        groups = [(t,) for t in parsed.excluded]
        expression = " OR ".join(french.fts5_expression([g]) for g in groups)
        qs = qs.exclude(pk__in=RawSQL(_MATCH, [expression]))
    return qs


def annotate_rank(qs: QuerySet, text: str, parsed: french.ParsedQuery) -> QuerySet:
    """Annotate `search_rank` (higher is better). A join, not a correlated subquery: SQLite
    then evaluates the MATCH once instead of once per matching sheet."""
    if not parsed.required:
        return qs.annotate(search_rank=RawSQL("0.0", [], output_field=FloatField()))
    joined = qs.extra(
        tables=["search_fts"],
        where=['search_fts.rowid = "catalogue_actionsheet"."id"', "search_fts MATCH %s"],
        params=[french.fts5_expression(parsed.required)],
    )
    # An annotation (not an extra select), so values_list("pk") may still order by it.
    rank = RawSQL(f"-bm25(search_fts, {WEIGHTS})", [], output_field=FloatField())
    return joined.annotate(search_rank=rank)


def snippets(sheets, text: str, parsed: french.ParsedQuery) -> dict[int, SafeString]:
    from search.indexing import snippet_sources

    result = {}
    for sheet in sheets:
        sources = snippet_sources(sheet)
        found = None
        for source in sources:
            found = french.highlight(source, parsed.highlight)
            if found:
                break
        result[sheet.pk] = found or french.excerpt(next((s for s in sources if s), ""))
    return result


def closest_word(word: str) -> str | None:
    """The indexed word closest to `word` (difflib ratio), or None."""
    if len(word) < 3:
        return None
    candidates = SearchWord.objects.filter(
        word__startswith=word[0],
    ).values_list("word", flat=True)
    close = [c for c in candidates if abs(len(c) - len(word)) <= 3]
    found = difflib.get_close_matches(word, close, n=1, cutoff=0.7)
    return found[0] if found else None
