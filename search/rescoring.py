"""The ranking's second stage: term frequency for the first sheets (issue #20).

The index keeps which field classes hold a term, not how often (search.scoring), so the whole
list is ranked with tf = 1. The WINDOW best sheets of that ranking, among those the visitor
sees (filters applied: a place, a keyword), are then read back from the index
(search.textindex.document_fields: the same terms on SQLite and PostgreSQL) and each concept is
scored again with BM25F's term frequency for the words as typed, damped as 1 + ln tf (tf
capped at TF_CAP): a sheet that says "parents" fifteen times outranks one that says it once in
passing. This is the rescoring window of Lucene and Elasticsearch: an exact but costlier score
for the first results only.

Only the typed words count their occurrences: derived forms, synonyms, phrases and prefixes
keep tf = 1, so an expansion said often never outranks the typed word. A sheet only gains
(tf ≥ 1 wherever the first stage counted 1): the window stays above the sheets after it, whose
order does not change, and only the first page is ever reordered. The text match of each engine
keeps `gains` bound to its query (`Rescorer`, which remembers each sheet's gain), and each
engine's ordering step calls `reorder` on the filtered list: the same numbers in plain Python,
so they give the same ranks.
"""

import math
from collections import Counter
from functools import partial

from search import scoring

# The first page of results (search.forms.DEFAULT_PAGE_SIZE); 10 to 50 gave the same results on
# the development sets.
WINDOW = 25
# Past this many occurrences in a field a word counts no more (well below the 256 positions of a
# word PostgreSQL's tsvector keeps: both databases count the same).
TF_CAP = 16


def reorder(ordered: list[int], ranks_of, gains_of) -> list[int]:
    """`ordered` (sheet ids in the first stage's order: at least its first WINDOW, those the
    visitor sees, filters applied) with its first WINDOW sorted again by rank + gain, rounded
    as the ranks are; ties keep their order. `ranks_of(ids)`: their first-stage ranks;
    `gains_of(ids)`: the query's Rescorer (TextMatch.rescorer)."""
    head = ordered[:WINDOW]
    gained = gains_of(head) if head else {}
    if not gained:
        return ordered
    final = {
        pk: round(rank + gained.get(pk, 0.0), 6)
        for pk, rank in zip(head, ranks_of(head), strict=True)
    }
    return sorted(head, key=lambda pk: -final[pk]) + ordered[WINDOW:]


class Rescorer:
    """`gains` bound to one query, remembering each sheet's gain: a sheet's gain depends on the
    query and the sheet only, and the text match (with this) is cached per query text, so
    paging, sorting back or toggling a filter reads no sheet's terms twice (3 ms of a 27 ms
    search at 100,000 sheets, docs/benchmarks/2026-12-07-latency.md). Bounded by the sheets
    ever shown in a first page for this text."""

    def __init__(self, plan, weights, *, field_bits, norms):
        self.compute = partial(gains, plan, weights, field_bits=field_bits, norms=norms)
        self.known: dict[int, float] = {}

    def __call__(self, sheet_ids: list[int]) -> dict[int, float]:
        unknown = [pk for pk in sheet_ids if pk not in self.known]
        if unknown:
            found = self.compute(unknown)
            self.known.update({pk: found.get(pk, 0.0) for pk in unknown})
        return {pk: gain for pk in sheet_ids if (gain := self.known[pk]) > 0.0}


def frequency(tf: int) -> float:
    return 1.0 + math.log(min(tf, TF_CAP)) if tf > 1 else 1.0


def gains(plan, weights, sheet_ids: list[int], *, field_bits, norms) -> dict[int, float]:
    """{sheet id: what its score gains with term frequency} for the window `sheet_ids`.
    `weights`: (q · idf, required) per concept (search.matching.concept_weights);
    `field_bits(alt, pk)`: the field classes of the sheet holding the alternative (bits);
    `norms(pk)`: the sheet's inverse length norm per field class (search.scoring)."""
    from search.textindex import document_fields

    typed = [
        {alt.terms[0] for alt in concept.alternatives if _counted(alt)} if q_idf else set()
        for concept, (q_idf, _) in zip(plan.concepts, weights, strict=True)
    ]
    wanted = set().union(*typed)
    documents = document_fields(sheet_ids) if wanted else {}
    out: dict[int, float] = {}
    for pk in sheet_ids:
        # How often each term is in each field class of the sheet.
        counts = [Counter() for _ in range(scoring.CLASSES)]
        for k, run in documents.get(pk, []):
            counts[k].update(run)
        repeated = {t for t in wanted if any(count[t] > 1 for count in counts)}
        inverse = None
        gain = 0.0
        for concept, words, (q_idf, _) in zip(plan.concepts, typed, weights, strict=True):
            if words.isdisjoint(repeated):
                continue  # no typed word said twice in one field: nothing changes
            inverse = inverse or norms(pk)
            gain += q_idf * _gain(concept, pk, counts, field_bits, inverse)
        if gain > 0.0:
            out[pk] = gain
    return out


def _counted(alt) -> bool:
    """The words as typed (weight 1) count their occurrences: a derived form or a synonym said
    often never outranks the typed word."""
    return alt.weight >= 1.0 and len(alt.terms) == 1 and not alt.prefix


def _gain(concept, pk: int, counts, field_bits, inverse) -> float:
    """S_c with the typed words' term frequency minus S_c with tf = 1 (search.scoring)."""
    binary = frequent = 0.0
    for alt in concept.alternatives:
        bits = field_bits(alt, pk)
        if not bits:
            continue
        counted = _counted(alt)
        often = 0.0
        for k in range(scoring.CLASSES):
            if bits & 1 << k:
                tf = counts[k].get(alt.terms[0], 1) if counted else 1
                often += inverse[k] * frequency(tf)
        once = scoring.field_sum(bits, inverse)  # as the first stage
        binary = max(binary, scoring.concept_value(alt.weight, once))
        frequent = max(frequent, scoring.concept_value(alt.weight, often))
    return frequent - binary
