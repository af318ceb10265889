"""Pseudo-relevance feedback (RM3, issue #20 item 3): the first results of a query lend it their
words, at low weight, to reorder the sheets the query already found.

The best DOCS sheets of the first ranking (score, then id) are read back from the index
(search.textindex.document_fields: the same terms on SQLite and PostgreSQL). Each term they
hold gets the relevance model's weight (RM1): Σ_d p(d|q) · tf(t, d) / |d|, with p(d|q) the
sheet's share of their scores. Terms of the query, filler words, short words and terms held by
fewer than MIN_DOCS of those sheets are left out; the others are ranked by RM1 × idf and the
best TERMS kept. Each then adds, to the chosen sheets holding it,
WEIGHT · (its RM1 × idf / the best one's) · idf · BM25F value: never a new sheet, and at most
WEIGHT of a typed word's worth. Only for queries of MIN_CONCEPTS words or more, where the first
ranking has enough to say and reordering more than DOCS sheets matters: one or two typed words
keep their exact order (the typo, acronym and collision cases).

The bridge to the catalogue's vocabulary is the same vote the suggestion model of the edit page
makes (discovery.suggestions: neighbours vote for their keywords), with the first results as the
neighbours: a keyword held by MIN_DOCS of them, with KEYWORD_SHARE of their votes or more, is
proposed as a filter under the results ("Mots clés proches") and expands the query at
KEYWORD_WEIGHT, only where a sheet holds it as a keyword. The trained model itself lives above
search (discovery) and sees the text of sheets, not of queries; the first results are the
query's own neighbours, on both engines alike.

The same terms reach both engines (search.matching.evaluate, search.textindex.evaluate), which
score them like concepts: the same arithmetic in the same order, so both rank the same.
"""

from collections import Counter
from dataclasses import dataclass

from search import analysis, scoring

DOCS = 5
MIN_DOCS = 2
TERMS = 8
WEIGHT = 0.1
MIN_CONCEPTS = 3
SHORTEST = 4
# Terms whose rarity is looked up, the best by RM1 weight.
CANDIDATES = 30
KEYWORD_SHARE = 0.3
KEYWORD_WEIGHT = 0.1
MAX_KEYWORDS = 3
# The keyword field class of the index (search.scoring: title, keywords and who, summary, body).
KEYWORD_CLASS = 1 << 1
EVERY_CLASS = 0b1111


def applies(plan, chosen_count: int) -> bool:
    concepts = [c for c in plan.concepts if not c.exact]
    return len(concepts) >= MIN_CONCEPTS and chosen_count > DOCS


def top_sheets(scores: list[tuple[int, float]]) -> list[int]:
    """The DOCS best (sheet id, score) pairs' ids: higher score first, then lower id."""
    return [pk for pk, _ in sorted(scores, key=lambda item: (-item[1], item[0]))[:DOCS]]


def candidate_terms(plan, top: list[tuple[int, float]]) -> list[tuple[str, float]]:
    """(term, RM1 weight) of the words the first sheets `top` ((id, score), best first) share."""
    from search.textindex import document_fields

    documents = document_fields([pk for pk, _ in top])
    known = {t for c in plan.concepts for a in c.alternatives for t in a.terms}
    filler = scoring.filler_words()
    whole = sum(s for _, s in top) or 1.0
    model: dict[str, float] = {}
    held_by: Counter[str] = Counter()
    for pk, score in top:
        terms = [t for _, run in documents.get(pk, []) for t in run]
        if not terms:
            continue
        share = score / whole
        for term, n in sorted(Counter(terms).items()):
            if term in known or term in filler or len(term) < SHORTEST or not term.isalpha():
                continue
            if analysis.fold(term) in analysis.STOP_WORDS:
                continue
            model[term] = model.get(term, 0.0) + share * n / len(terms)
            held_by[term] += 1
    return sorted(
        ((t, w) for t, w in model.items() if held_by[t] >= MIN_DOCS), key=lambda x: (-x[1], x[0])
    )[:CANDIDATES]


def related_keywords(plan, top: list[tuple[int, float]]) -> list[tuple[str, str, float]]:
    """(value, label, vote share) of the keywords the first sheets `top` agree on, best first:
    held by MIN_DOCS of them and KEYWORD_SHARE of their scores, not already typed."""
    from catalogue.models import ActionSheet

    whole = sum(s for _, s in top) or 1.0
    share = dict(top)
    votes: dict[tuple[str, str], float] = {}
    held: Counter[tuple[str, str]] = Counter()
    rows = ActionSheet.keywords.through.objects.filter(actionsheet_id__in=list(share)).values_list(
        "actionsheet_id", "keyword__value", "keyword__label"
    )
    for pk, value, label in sorted(rows):
        votes[value, label] = votes.get((value, label), 0.0) + share[pk] / whole
        held[value, label] += 1
    typed = {t for c in plan.concepts for t in c.alternatives[0].terms}
    found = [
        (value, label, vote)
        for (value, label), vote in votes.items()
        if held[value, label] >= MIN_DOCS
        and vote >= KEYWORD_SHARE
        and not set(analysis.terms(label)) <= typed
    ]
    found.sort(key=lambda x: (-x[2], x[1]))
    return found[:MAX_KEYWORDS]


@dataclass
class Feedback:
    # (terms, q · idf, field classes) to score on the chosen sheets, in this order.
    scored: list[tuple[tuple[str, ...], float, int]]
    keywords: list[tuple[str, str]]  # (value, label): the filters proposed under the results


def expansions(plan, top, *, count, prefetch, total) -> Feedback:
    """What the first results `top` ((id, score), best first) add: their shared words, then
    the keywords they agree on. `count(terms)`: sheets holding the terms; `prefetch(alts)`
    fetches several at once. Both engines call it the same way."""
    from search.matching import Alternative

    candidates = candidate_terms(plan, top)
    keywords = related_keywords(plan, top)
    labels = [tuple(analysis.terms(label)) for _, label, _ in keywords]
    prefetch([Alternative((t,)) for t, _ in candidates] + [Alternative(t) for t in labels if t])
    scored = [((t,), q_idf, EVERY_CLASS) for t, q_idf in term_weights(candidates, count, total)]
    for terms, (_, _, vote) in zip(labels, keywords, strict=True):
        if terms:
            idf = scoring.idf(total, count(terms))
            scored.append((terms, KEYWORD_WEIGHT * vote * idf, KEYWORD_CLASS))
    return Feedback(scored, [(value, label) for value, label, _ in keywords])


def term_weights(candidates: list[tuple[str, float]], count, total: int) -> list[tuple[str, float]]:
    """(term, q · idf) of the TERMS best candidates by RM1 × idf (`count(term)`: sheets holding
    it among the `total` published)."""
    ranked = []
    for term, rm in candidates:
        idf = scoring.idf(total, count((term,)))
        ranked.append((term, rm * idf, idf))
    ranked.sort(key=lambda x: (-x[1], x[0]))
    ranked = [r for r in ranked[:TERMS] if r[1] > 0]
    if not ranked:
        return []
    best = ranked[0][1]
    return [(term, WEIGHT * (value / best) * idf) for term, value, idf in ranked]
