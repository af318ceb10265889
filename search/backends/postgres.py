"""PostgreSQL backend: `french_unaccent` text search configuration, the weighted stored `vector`
column of search_searchdocument (GIN index), websearch_to_tsquery, ts_rank, ts_headline and a
pg_trgm fallback for typos (all created by migration 0002)."""

import difflib

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db.models import FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from search import text as french
from search.models import SearchDocument, SearchWord

CONFIG = "french_unaccent"
# Private-use characters mark matches; the text is HTML-escaped before they become <mark>.
START_SEL = "\ue000"
STOP_SEL = "\ue001"
_TSQUERY = f"websearch_to_tsquery('{CONFIG}', %s)"


def index_documents(documents: list[SearchDocument]) -> None:
    """Nothing to do: `vector` is a generated column of search_searchdocument."""


def clear_index() -> None:
    """Nothing to do: the vectors went with the documents."""


def filter_matching(qs: QuerySet, text: str, parsed: french.ParsedQuery) -> QuerySet:
    return qs.filter(
        pk__in=RawSQL(
            f"SELECT sheet_id FROM search_searchdocument WHERE vector @@ {_TSQUERY}", [text]
        )
    )


def annotate_rank(qs: QuerySet, text: str, parsed: french.ParsedQuery) -> QuerySet:
    sql = (
        f"(SELECT ts_rank(vector, {_TSQUERY}) FROM search_searchdocument "
        'WHERE search_searchdocument.sheet_id = "catalogue_actionsheet"."id")'
    )
    return qs.annotate(search_rank=RawSQL(sql, [text], output_field=FloatField()))


def snippets(sheets, text: str, parsed: french.ParsedQuery) -> dict[int, SafeString]:
    from search.indexing import snippet_sources

    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    options = {
        "config": CONFIG,
        "start_sel": START_SEL,
        "stop_sel": STOP_SEL,
        "max_words": 35,
        "min_words": 15,
        "max_fragments": 2,
        "fragment_delimiter": " … ",
    }
    rows = (
        SearchDocument.objects.filter(pk__in=[s.pk for s in sheets])
        .annotate(h_summary=SearchHeadline("summary", query, **options))
        .annotate(h_body=SearchHeadline("body", query, **options))
        .values_list("pk", "h_summary", "h_body")
    )
    headlines = {pk: (h_summary, h_body) for pk, h_summary, h_body in rows}
    result = {}
    for sheet in sheets:
        chosen = next(
            (h for h in headlines.get(sheet.pk, ()) if h and START_SEL in h),
            None,
        )
        if chosen:
            result[sheet.pk] = french.headline_to_html(chosen, START_SEL, STOP_SEL)
        else:
            sources = snippet_sources(sheet)
            result[sheet.pk] = french.excerpt(next((s for s in sources if s), ""))
    return result


def closest_word(word: str) -> str | None:
    """The indexed word closest to `word`: trigram candidates (pg_trgm `%` operator, indexed),
    the best by edit similarity (so "parentalte" gives "parentalite" rather than "parental")."""
    if len(word) < 3:
        return None
    candidates = list(
        SearchWord.objects.annotate(
            similarity=RawSQL("similarity(word, %s)", [word], output_field=FloatField())
        )
        .extra(where=["word %% %s"], params=[word])
        .order_by("-similarity", "word")
        .values_list("word", flat=True)[:10]
    )
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None
