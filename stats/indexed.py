"""The catalogue's breakdowns from the search engine's in-memory bitmaps, when they are ready.

At 100,000 sheets the GROUP BY … COUNT(DISTINCT) queries of stats.queries (one per breakdown,
over the joins of the many-to-many vocabularies, then keyword × year and partner × partner)
take about 10 s on a cold page. The memory engine (search.engines.memory) already holds, in
each worker, one bitmap of published sheets per département, région, vocabulary value, year and
structure: each count is then an `intersection_cardinality` with the selection's bitmap, in
milliseconds. Same figures, same order as stats.queries (stats/tests/test_indexed.py compares
both on random selections); when the index is off or rebuilding, stats.queries answers.
"""

from collections import Counter

from django.db.models import QuerySet
from pyroaring import FrozenBitMap

from catalogue.models import Structure
from search.engines import memory
from search.service import choose_engine, filtered_sheets
from stats.queries import (
    CatalogueStats,
    KeywordTrends,
    PartnerStats,
    Row,
    _rows,
    keyword_table_trends,
    pair_rows,
    sort_groups,
)


def selection(query) -> tuple[memory.Index, FrozenBitMap] | None:
    """(index, bitmap of the published sheets `query` selects) from the memory engine, or None
    when the database engine answers searches now."""
    return selection_and_sheets(query)[0]


def selection_and_sheets(query) -> tuple[tuple[memory.Index, FrozenBitMap] | None, QuerySet]:
    """`selection(query)` and the same sheets as a queryset (for the aggregates still done by
    the database), with one choice of engine and one text match."""
    engine = choose_engine()
    match = engine.text_match(query.q)
    sheets = filtered_sheets(query, match=match)
    index = getattr(engine, "index", None)
    if index is None:
        return None, sheets
    _, _, mask, _ = memory.select(index, query, match)
    return (index, mask), sheets


def _counts(index: memory.Index, mask: FrozenBitMap, facet: str) -> dict:
    return {
        value: n
        for value, bits in index.bitmaps[facet].items()
        if (n := mask.intersection_cardinality(bits))
    }


def _vocabulary(index: memory.Index, mask: FrozenBitMap, facet: str) -> list[Row]:
    labels = index.labels[facet]
    groups = sort_groups(
        [
            (labels.get(value, str(value)), value, n)
            for value, n in _counts(index, mask, facet).items()
        ]
    )
    return _rows([(label, n, value) for label, value, n in groups])


def catalogue_stats(index: memory.Index, mask: FrozenBitMap) -> CatalogueStats:
    labels = index.labels
    departements = sort_groups(
        [
            (code, labels["departement"].get(code, code), n)
            for code, n in _counts(index, mask, "departement").items()
        ]
    )
    regions = sort_groups(
        [
            (code, labels["region"].get(code, code), n)
            for code, n in _counts(index, mask, "region").items()
        ]
    )
    years = _counts(index, mask, "year")
    unknown_year = len(mask) - sum(years.values())
    year_rows = [(str(year), n, str(year)) for year, n in sorted(years.items(), reverse=True)]
    if unknown_year:
        year_rows.append(("Année inconnue", unknown_year, ""))
    type_labels = dict(Structure.Type.choices)
    types = sort_groups([(t, n) for t, n in _counts(index, mask, "structure_type").items()])
    structures = (
        len({index.structure_of[p] for p in mask} - {memory.NONE})
        if len(mask) < len(index.bitmaps["structure"])
        else sum(1 for bits in index.bitmaps["structure"].values() if mask.intersect(bits))
    )
    return CatalogueStats(
        total_sheets=len(mask),
        total_structures=structures,
        total_departements=len(departements),
        by_region=_rows([(name, n, code) for code, name, n in regions]),
        by_departement=_rows([(f"{name} ({code})", n, code) for code, name, n in departements]),
        by_keyword=_vocabulary(index, mask, "keywords"),
        by_dimension=_vocabulary(index, mask, "dimension"),
        by_status=_vocabulary(index, mask, "status"),
        by_public=_vocabulary(index, mask, "publics"),
        by_action_partner=_vocabulary(index, mask, "action_partners"),
        by_year=_rows(year_rows),
        by_structure_type=_rows([(type_labels.get(t, "Autre"), n, t) for t, n in types]),
    )


def keyword_trends(index: memory.Index, mask: FrozenBitMap, by_year: list[Row]) -> KeywordTrends:
    def table(years: list[int]) -> dict[tuple[str, str], dict[int, int]]:
        out: dict[tuple[str, str], dict[int, int]] = {}
        labels = index.labels["keywords"]
        for year in years:
            in_year = mask & index.bitmaps["year"].get(year, memory.EMPTY)
            if not in_year:
                continue
            for value, bits in index.bitmaps["keywords"].items():
                if n := in_year.intersection_cardinality(bits):
                    out.setdefault((labels.get(value, value), value), {})[year] = n
        return out

    return keyword_table_trends(by_year, table)


def partner_stats(
    index: memory.Index, mask: FrozenBitMap, by_action_partner: list[Row]
) -> PartnerStats:
    labels_action = index.labels["action_partners"]
    labels_financial = index.labels["financial_partners"]
    pairs = Counter()
    for value, bits in index.bitmaps["action_partners"].items():
        with_action = mask & bits
        if not with_action:
            continue
        for other, other_bits in index.bitmaps["financial_partners"].items():
            if n := with_action.intersection_cardinality(other_bits):
                pairs[(labels_action.get(value, value), labels_financial.get(other, other))] = n
    return PartnerStats(
        action=by_action_partner,
        financial=_vocabulary(index, mask, "financial_partners"),
        pairs=pair_rows([(a, f, n) for (a, f), n in pairs.items()]),
    )
