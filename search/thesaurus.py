"""The field's thesaurus at query time: groups of expressions (search.ThesaurusEntry, loaded from
`data/thesaurus.txt` and the acronym table), analysed into term sequences.

`related(terms)` gives the other expressions of every group holding `terms`, with the weight of
the group's kind; the query adds them as alternatives below the typed words.

Two structures: a group of equals (synonyms, word families, names, an acronym and its
expansion: every expression expands to the others) and a hierarchy, `générique` rows written
"broader > narrower, narrower": the broader term expands to the narrower ones (a search for
"spectacle" wants the théâtre sheets), a narrower term to the broader one at a lower weight (a
search for "théâtre" may take a "spectacle" sheet, after the théâtre ones), and narrower terms
never to each other (théâtre is not concert).
"""

from dataclasses import dataclass

from django.db.models import Count, Max

from search import analysis

# Weights of an expansion relative to a typed word (1.0): see docs/search.md, "The model: BM25F".
WEIGHTS = {"sigle": 0.6, "nom": 0.6, "famille": 0.9, "synonymes": 0.45}
# A hierarchy (`générique` rows): broader → narrower, and narrower → broader.
NARROWER, BROADER = 0.5, 0.3
HIERARCHY = "générique"
HIERARCHY_MARK = ">"


def split_hierarchy(expressions: str) -> tuple[str, list[str]] | None:
    """("broader", ["narrower", ...]) of a `générique` row "broader > narrower, narrower";
    None when the row has no single ">"."""
    parts = expressions.split(HIERARCHY_MARK)
    if len(parts) != 2:
        return None
    broader = " ".join(parts[0].split())
    return broader, [n for e in parts[1].split(",") if (n := " ".join(e.split()))]


def edges(kind: str, expressions: str):
    """(terms, other terms, weight) of one row: what a query for `terms` adds."""
    if kind == HIERARCHY:
        split = split_hierarchy(expressions)
        if split is None:
            return
        broader = tuple(analysis.terms(split[0]))
        for narrower in (tuple(analysis.terms(e)) for e in split[1]):
            if broader and narrower and broader != narrower:
                yield broader, narrower, NARROWER
                yield narrower, broader, BROADER
        return
    weight = WEIGHTS.get(kind, 0.5)
    group = [t for e in expressions.split(",") if (t := tuple(analysis.terms(e.strip())))]
    for terms in group:
        for other in group:
            if other != terms:
                yield terms, other, weight


def file_entries() -> list[tuple[str, str]]:
    """(kind, "expression, expression") rows of the shipped files: the thesaurus, then one
    `sigle` row per acronym with its expansion."""
    rows = [(row[0], row[1]) for row in analysis._read_table("thesaurus.txt")]
    rows += [("sigle", f"{row[0]}, {row[1]}") for row in analysis._read_table("acronyms.txt")]
    return rows


def load_file_entries(model) -> int:
    """Replace the thesaurus rows of `model` (the current or a migration's ThesaurusEntry) by the
    shipped files' rows. Returns the number of rows."""
    model.objects.all().delete()
    model.objects.bulk_create(
        [model(kind=kind, expressions=expressions) for kind, expressions in file_entries()]
    )
    return model.objects.count()


@dataclass(frozen=True)
class Thesaurus:
    # term sequence -> [(other term sequence, weight)]
    related: dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]]
    longest: int  # words in the longest expression

    def expansions(self, terms: tuple[str, ...]) -> list[tuple[tuple[str, ...], float]]:
        return self.related.get(terms, [])


_cache: tuple[object, Thesaurus] | None = None


def current() -> Thesaurus:
    """The thesaurus as the database holds it now (rebuilt when a row changes)."""
    global _cache
    from search.models import ThesaurusEntry

    key = tuple(ThesaurusEntry.objects.aggregate(n=Count("pk"), at=Max("updated_at")).values())
    if _cache is not None and _cache[0] == key:
        return _cache[1]
    related: dict[tuple[str, ...], dict[tuple[str, ...], float]] = {}
    longest = 1
    for kind, expressions in ThesaurusEntry.objects.values_list("kind", "expressions"):
        for terms, other, weight in edges(kind, expressions):
            longest = max(longest, len(terms), len(other))
            others = related.setdefault(terms, {})
            others[other] = max(others.get(other, 0.0), weight)
    thesaurus = Thesaurus({k: sorted(v.items()) for k, v in related.items()}, longest)
    _cache = (key, thesaurus)
    return thesaurus
