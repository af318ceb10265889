"""Free-text matching, the same on SQLite and PostgreSQL: a query becomes concepts, each a set of
weighted alternatives (the typed words, thesaurus expansions, keyword spellings, a typo
correction); the database only answers "which sheets hold this term or phrase, in which fields"
(`backend.term_fields`) and "where are these two terms close" (`backend.near`). The soft AND
and the ranking (BM25F, search.scoring; docs/search.md) are computed here, so both databases
give the same sheets in the same order.

Weights of the alternatives (a typed word is 1): prefix of the last word 0.8, acronym expansion,
other name, derived form and keyword spelling 0.6, synonym 0.45, typo correction 0.3.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from search import analysis, derivation, dictionary, feedback, rescoring, scoring, thesaurus

TYPED, VARIANT, TYPO = 1.0, 0.6, 0.3
# A general dictionary's synonym of a French word no sheet holds (search.dictionary): as a
# typo correction; 0.3 and 0.45 gave the same results on the development sets.
DICTIONARY = 0.3
PREFIX = 0.8
NEAR_DISTANCE = 5
# An acronym's expansion matched as near words: this share of the phrase's weight.
NEAR_SHARE = 0.8
MAX_NEAR_TERMS = 5
# Fewer sheets than this holding SHARE of a query's weight: those holding RELAXED_SHARE follow.
# A sentence (3 required words or more) has its rare word lost among common ones more often:
# a longer list before it widens (measured on the development sets, docs/search.md).
FEW = 3
FEW_SENTENCE = 10
_CLAUSE = re.compile(r'(-?)(?:"([^"]*)"?|«([^»]*)»?)|(\S+)')
OR_WORDS = ("OR", "OU")


@dataclass(frozen=True)
class Alternative:
    terms: tuple[str, ...]  # several = a phrase (or, `near`, words close to each other)
    weight: float = TYPED
    prefix: bool = False
    near: bool = False

    @property
    def key(self) -> tuple:
        return (self.terms, self.prefix, self.near) if self.near else (self.terms, self.prefix)

    @property
    def near_pairs(self) -> list[tuple[str, str]]:
        return list(zip(self.terms, self.terms[1:], strict=False))


def near_expansion(terms: tuple[str, ...], weight: float) -> Alternative | None:
    """An acronym's expansion of several words found as words close to each other (each next
    one within NEAR_DISTANCE), below the exact phrase: "atelier linguistique et social" for
    "atelier socio-linguistique" (ASL)."""
    if 2 <= len(terms) <= MAX_NEAR_TERMS and all(t.isalnum() for t in terms):
        return Alternative(terms, weight * NEAR_SHARE, near=True)
    return None


def near_bits(singles: list[int]) -> int:
    """Field classes of a `near` alternative in a sheet, from its words' field bits: those
    holding every word, or (none does) those holding any."""
    together, anywhere = ~0, 0
    for bits in singles:
        together &= bits
        anywhere |= bits
    return together or anywhere


@dataclass
class Concept:
    label: str  # as typed
    alternatives: list[Alternative]
    exact: bool = False  # quoted: no expansion, no correction
    word: bool = False  # one typed word, not quoted, not an acronym
    # A word of a typed thesaurus expression, also searched alone at PART weight, never
    # required (`plan_query`).
    part: bool = False

    @property
    def close(self) -> list[Alternative]:
        """The typed words and their close forms (weighing VARIANT or more: derived forms, an
        acronym and its name, keyword spellings), whose sheets make its rarity
        (`rarity_counts`)."""
        return [a for a in self.alternatives if a.weight >= VARIANT]

    @property
    def correctable(self) -> bool:
        """One typed word long enough to be a typo (search.matching.expand)."""
        return self.word and len(self.label) >= 5


@dataclass
class Plan:
    concepts: list[Concept]
    excluded: list[Alternative]
    table: thesaurus.Thesaurus | None = None  # the thesaurus it was planned with
    # Typed word no sheet holds -> the dictionary's synonyms searched instead (`expand`).
    stand_ins: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.concepts or self.excluded)


@dataclass
class TextMatch:
    """Sheets matching a query (published or not), with their rank (higher first)."""

    ranks: dict[int, float]
    relaxed: bool = False  # no sheet holds every concept: those holding the most
    widened: bool = False  # very few hold every concept: those missing one follow
    corrections: dict[str, str] = field(default_factory=dict)  # typed word → suggestion
    highlight: frozenset[str] = frozenset()
    missing: tuple[str, ...] = ()  # typed words (or phrases) no sheet holds
    # (value, label) of keywords the first results agree on (search.feedback): filters to offer.
    related_keywords: tuple[tuple[str, str], ...] = ()
    # (typed word no sheet holds, the dictionary synonyms searched instead).
    stand_ins: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The ranking's second stage for this query (search.rescoring.gains, bound): applied by
    # the engines' ordering to the first page of the filtered list.
    rescorer: Callable[[list[int]], dict[int, float]] | None = field(default=None, compare=False)

    @property
    def ids(self) -> list[int]:
        return list(self.ranks)


@dataclass(frozen=True)
class Clause:
    text: str
    quoted: bool = False
    negated: bool = False
    joined: bool = False  # OR with the previous clause


def parse_clauses(text: str) -> list[Clause]:
    """Websearch-like syntax: words, "phrases" and « phrases », -exclusions, OR / OU."""
    clauses: list[Clause] = []
    join_next = False
    for match in _CLAUSE.finditer((text or "").replace("\x00", "")):
        negated, straight, french, bare = match.groups()
        quoted = bare is None
        body = straight if straight is not None else french if french is not None else bare
        if bare is not None:
            if bare in OR_WORDS:
                join_next = bool(clauses)
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            body = bare[1:] if negated else bare
        if not analysis.tokens(body):
            continue
        clauses.append(Clause(body, quoted, bool(negated), join_next and bool(clauses)))
        join_next = False
    return clauses


def plan_query(text: str, *, prefix_last: bool = False) -> Plan:
    """The concepts of `text`: stop words never count; quoted text is exact."""
    clauses = parse_clauses(text)
    if not clauses:
        return Plan([], [])
    table = thesaurus.current()
    # One item per word (or per phrase), keeping which clause it came from.
    items: list[dict] = []
    for clause in clauses:
        toks = analysis.tokens(clause.text)
        if clause.quoted or len(toks) > 1 and not _is_plain_words(clause.text):
            items.append(dict(clause=clause, terms=tuple(t.term for t in toks), label=clause.text))
        else:
            for i, tok in enumerate(toks):
                items.append(
                    dict(
                        clause=clause if i == 0 else Clause(tok.surface, negated=clause.negated),
                        terms=(tok.term,),
                        label=tok.surface,
                        acronym=tok.is_acronym,
                    )
                )
    items = _merge_expressions(items, table)
    concepts: list[Concept] = []
    excluded: list[Alternative] = []
    for position, item in enumerate(items):
        clause = item["clause"]
        typed = Alternative(item["terms"])
        if clause.negated:
            excluded.append(typed)
            continue
        alternatives = [typed]
        if not clause.quoted:
            expansions = table.expansions(item["terms"])
            alternatives += [Alternative(t, w) for t, w in expansions]
            if item.get("acronym"):
                alternatives += filter(None, (near_expansion(t, w) for t, w in expansions))
            if not item.get("acronym"):
                alternatives += _family(item["terms"], alternatives)
            if prefix_last and position == len(items) - 1 and len(item["terms"]) == 1:
                alternatives.append(Alternative((analysis.fold(item["label"]),), PREFIX, True))
        word = not clause.quoted and len(item["terms"]) == 1 and not item.get("acronym")
        concept = Concept(
            label=item["label"],
            alternatives=alternatives,
            exact=clause.quoted,
            word=word,
        )
        if clause.joined and concepts:
            concepts[-1].alternatives += concept.alternatives
            concepts[-1].label += f" OU {concept.label}"
            concepts[-1].word = False
        else:
            concepts.append(concept)
    concepts += _expression_parts(items, concepts)
    return Plan(concepts, excluded, table)


def _expression_parts(items: list[dict], concepts: list[Concept]) -> list[Concept]:
    """The words of each typed expression the thesaurus merged ("groupe de parole pour les
    parents"), as concepts of their own: a sheet saying "parents" ten times but never the whole
    expression still counts them, below the words typed alone (weight `scoring.PART`)."""
    # A word the query already searches, typed or as a typed word's close form ("parole" of
    # "parler"), is not counted twice.
    seen = {a.terms for c in concepts for a in c.alternatives if a.weight >= VARIANT}
    parts = []
    for item in items:
        for word in item.get("parts", ()):
            if word["terms"] in seen:
                continue
            seen.add(word["terms"])
            typed = Alternative(word["terms"])
            family = [] if word.get("acronym") else _family(word["terms"], [typed])
            parts.append(Concept(word["label"], [typed, *family], part=True))
    return parts


def _family(terms: tuple[str, ...], known: list[Alternative]) -> list[Alternative]:
    """Derived forms and the other spelling of a prefixed word (search.derivation), at the
    weight of a derived form, unless the thesaurus gave them already."""
    seen = {a.terms for a in known}
    found = [(t,) for t in derivation.family(terms[0])] if len(terms) == 1 else []
    other = derivation.prefixed(terms)
    if other:
        found.append(other)
    weight = thesaurus.WEIGHTS["famille"]
    return [Alternative(t, weight) for t in found if t not in seen]


def _is_plain_words(text: str) -> bool:
    # "d'allocations" is one word after its elision; "week-end" or "porte-monnaie" is a phrase.
    return not re.search(r"[^\W_][-/.][^\W_]", text)


def _merge_expressions(items: list[dict], table: thesaurus.Thesaurus) -> list[dict]:
    """Consecutive plain words forming an expression of the thesaurus become one concept:
    "caisse d'allocations familiales" is the CAF, "France Travail" is Pôle emploi."""
    out: list[dict] = []
    i = 0
    while i < len(items):
        merged = False
        for size in range(min(table.longest, len(items) - i), 1, -1):
            run = items[i : i + size]
            if any(
                r["clause"].quoted or r["clause"].negated or (k and r["clause"].joined)
                for k, r in enumerate(run)
            ) or any(len(r["terms"]) != 1 for r in run):
                continue
            terms = tuple(r["terms"][0] for r in run)
            if table.expansions(terms):
                out.append(
                    dict(
                        clause=Clause(
                            " ".join(r["label"] for r in run), joined=run[0]["clause"].joined
                        ),
                        terms=terms,
                        label=" ".join(r["label"] for r in run),
                        parts=run,
                    )
                )
                i += size
                merged = True
                break
        if not merged:
            out.append(items[i])
            i += 1
    return out


def max_typos(word: str) -> int:
    """Edit distance allowed for a word of this length: none up to 4 letters, 1 from 5, 2 from 9."""
    return 0 if len(word) <= 4 else 1 if len(word) <= 8 else 2


def closest_words(word: str, vocabulary: dict[str, str]) -> list[str]:
    """Spellings (accents kept) of the indexed words nearest to `word`, the typo anywhere in the
    word, at the smallest distance found within max_typos."""
    folded = analysis.fold(word)
    limit = max_typos(folded)
    if not limit or not vocabulary:
        return []
    found = extract(folded, list(vocabulary), scorer=OSA.distance, score_cutoff=limit, limit=50)
    if not found:
        return []
    nearest = min(f[1] for f in found)
    # Sharing the longest start first, then alphabetical: deterministic on both databases.
    tied = sorted(
        (f for f in found if f[1] == nearest), key=lambda f: (-_common_prefix(folded, f[0]), f[0])
    )
    return [vocabulary[f[0]] or f[0] for f in tied]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def keyword_variants(concept: Concept, labels: list[str]) -> list[Alternative]:
    """Vocabulary spellings close to the typed word: SENACS's keyword "Viellissement" is found by
    "vieillissement" (PRODUCT §3)."""
    word = analysis.fold(concept.label)
    limit = max_typos(word)
    if not limit:
        return []
    typed = {a.terms for a in concept.alternatives}
    out = []
    for label in labels:
        for tok in analysis.tokens(label):
            if (tok.term,) in typed or len(tok.surface) < 5:
                continue
            if OSA.distance(word, analysis.fold(tok.surface), score_cutoff=limit) <= limit:
                out.append(Alternative((tok.term,), VARIANT))
                typed.add((tok.term,))
    return out


def expand(plan: Plan, *, count, prefetch, vocabulary, labels) -> dict[str, str]:
    """Add to the concepts of `plan` the keyword spellings close to a real word and the typo
    correction of an unknown word; returns {typed word: suggestion}. `count(alt)` is the number
    of sheets holding an alternative, `prefetch(alts)` may fetch several at once first. The same
    for every way of matching (search.matching.evaluate, search.textindex)."""
    corrections: dict[str, str] = {}
    prefetch([a for c in plan.concepts for a in c.alternatives] + plan.excluded)
    # A real word also finds the keyword spellings close to it; an unknown word is a typo.
    known = [c for c in plan.concepts if c.correctable and count(c.alternatives[0])]
    if known:
        keyword_labels = labels()
        for concept in known:
            concept.alternatives += keyword_variants(concept, keyword_labels)
    for concept in plan.concepts:
        if (
            concept.correctable
            and not any(count(a) for a in concept.alternatives)
            # A French word is never "corrected" into another one: it found nothing, the
            # other words still answer (TextMatch.missing).
            and not analysis.is_french(concept.label)
        ):
            candidates = [
                (spelling, Alternative(terms, TYPO))
                for spelling in closest_words(concept.label, vocabulary())
                if (terms := tuple(analysis.terms(spelling)))
            ]
            prefetch([alt for _, alt in candidates])
            if candidates:
                # Among the nearest words, the one most sheets hold ("parentalité", not
                # "parentale"); the first on a tie. A word no published sheet holds (a
                # draft's, a deleted sheet's) is never suggested.
                spelling, alt = max(candidates, key=lambda c: count(c[1]))
                if not count(alt):
                    continue
                concept.alternatives.append(alt)
                # The correction then behaves as if typed, below the typed words.
                concept.alternatives += [
                    Alternative(t, w * TYPO) for t, w in plan.table.expansions(alt.terms)
                ]
                corrections[concept.label] = spelling
    for concept in plan.concepts:
        if concept.word and concept.label not in corrections:
            _stand_in(plan, concept, count, prefetch)
    prefetch([a for c in plan.concepts for a in c.alternatives])
    return corrections


def _stand_in(plan: Plan, concept: Concept, count, prefetch) -> None:
    """A French word that no sheet holds, in any of its forms, is searched through its synonyms
    in a general dictionary (search.dictionary) that some sheet holds: "chagrin" finds the
    sheets about "deuil"."""
    if any(count(a) for a in concept.alternatives) or not analysis.is_french(concept.label):
        return
    found: dict[tuple[str, ...], str] = {}
    for spelling in dictionary.synonyms(concept.label):
        terms = tuple(analysis.terms(spelling))
        if terms and all(t.isalnum() for t in terms):
            found.setdefault(terms, spelling)
    alternatives = [Alternative(terms, DICTIONARY) for terms in found]
    prefetch(alternatives)
    held = [a for a in alternatives if count(a)]
    if held:
        concept.alternatives += held
        plan.stand_ins[concept.label] = tuple(found[a.terms] for a in held)


class _Lookup:
    """Which sheets hold an alternative, in which field classes: asked from the database once
    per alternative (`fetch` several at once), the published ones only (`universe`)."""

    def __init__(self, backend, universe: set[int] | None):
        self.backend = backend
        self.universe = universe
        self.cache: dict[tuple, dict[int, int]] = {}

    def fetch(self, alts: list[Alternative]) -> None:
        # Every missing alternative in one query (the words of `near` ones first).
        cache = self.cache
        near = [a for a in alts if a.near and a.key not in cache]
        alts = [a for a in alts if not a.near] + [Alternative((t,)) for a in near for t in a.terms]
        missing = list({a.key: a for a in alts if a.key not in cache}.values())
        answers = self.backend.term_fields([(a.terms, a.prefix) for a in missing])
        for alt, found in zip(missing, answers, strict=True):
            if self.universe is not None:
                found = {pk: bits for pk, bits in found.items() if pk in self.universe}
            cache[alt.key] = found
        if near:
            self._fetch_near(near)

    def _fetch_near(self, near: list[Alternative]) -> None:
        pairs = list(dict.fromkeys(p for a in near for p in a.near_pairs))
        close = dict(zip(pairs, self.backend.near(pairs, NEAR_DISTANCE), strict=True))
        for alt in near:
            singles = [self.cache[(t,), False] for t in alt.terms]
            sheets = set.intersection(*(set(close[p]) for p in alt.near_pairs))
            self.cache[alt.key] = {
                pk: near_bits([s[pk] for s in singles])
                for pk in sorted(sheets)
                if all(pk in s for s in singles)
            }

    def hits(self, alt: Alternative) -> dict[int, int]:
        if alt.key not in self.cache:
            self.fetch([alt])
        return self.cache[alt.key]


def _score_concepts(plan, holders, weights, hits, inverse):
    """{sheet: Σ q·idf·S_c} and {sheet: Σ q·idf of the required concepts it holds}."""
    score: dict[int, float] = {}
    matched: dict[int, float] = {}
    for concept, held, (q_idf, required) in zip(plan.concepts, holders, weights, strict=True):
        best: dict[int, float] = {}
        for alt in concept.alternatives:
            for pk, bits in hits(alt).items():
                value = scoring.concept_value(alt.weight, scoring.field_sum(bits, inverse[pk]))
                if value > best.get(pk, 0.0):
                    best[pk] = value
        for pk in held:
            score[pk] = score.get(pk, 0.0) + q_idf * best[pk]
            if required:
                matched[pk] = matched.get(pk, 0.0) + q_idf
    return score, matched


def _lend_feedback(plan, chosen, score, lookup, inverse, total) -> list[tuple[str, str]]:
    """The first results lend their words and keywords (search.feedback) to the chosen sheets;
    returns the keywords to offer."""
    top = feedback.top_sheets([(pk, score[pk]) for pk in chosen])
    lent = feedback.expansions(
        plan,
        [(pk, score[pk]) for pk in top],
        count=lambda terms: len(lookup.hits(Alternative(terms))),
        prefetch=lookup.fetch,
        total=total,
    )
    for terms, q_idf, mask in lent.scored:
        for pk, bits in lookup.hits(Alternative(terms)).items():
            bits &= mask
            if bits and pk in chosen:
                value = scoring.concept_value(1.0, scoring.field_sum(bits, inverse[pk]))
                score[pk] = score.get(pk, 0.0) + q_idf * value
    return lent.keywords


def evaluate(
    plan: Plan,
    backend,
    *,
    total: int,
    vocabulary,
    labels,
    lengths,
    averages: tuple[float, ...],
    universe: set[int] | None = None,
) -> TextMatch:
    """Match `plan` against the index. `vocabulary()` gives {folded word: spelling} for typo
    corrections, `labels()` the keyword labels (both called only when needed), `lengths(ids)`
    {sheet id: terms per field class}, `averages` the average of each over the `total` sheets.
    `universe`: the sheets that may match (the published ones; `total` is their number), None
    for every indexed sheet. The model: search.scoring."""
    lookup = _Lookup(backend, universe)
    hits = lookup.hits
    corrections = expand(
        plan,
        count=lambda a: len(hits(a)),
        prefetch=lookup.fetch,
        vocabulary=vocabulary,
        labels=labels,
    )
    holders = [set().union(*(hits(alt) for alt in c.alternatives)) for c in plan.concepts]
    sizes = lengths(set().union(*holders)) if holders else {}
    inverse: dict[int, tuple[float, ...]] = {
        pk: tuple(scoring.inverse_norm(size[k], averages[k], k) for k in range(4))
        for pk, size in sizes.items()
    }
    close = [len(set().union(*(hits(a) for a in c.close))) for c in plan.concepts]
    weights = concept_weights(plan, rarity_counts(close, [len(h) for h in holders]), total)
    score, matched = _score_concepts(plan, holders, weights, hits, inverse)
    excluded: set[int] = set().union(*(hits(alt) for alt in plan.excluded))
    candidates = set(score) - excluded
    chosen, relaxed, widened = soft_and(weights, {pk: matched.get(pk, 0.0) for pk in candidates})
    related_keywords: list[tuple[str, str]] = []
    if not plan.concepts:
        # Only exclusions: every indexed sheet but those.
        chosen = (set(backend.all_ids()) if universe is None else set(universe)) - excluded
    elif feedback.applies(plan, len(chosen)):
        related_keywords = _lend_feedback(plan, chosen, score, lookup, inverse, total)
    # Typed words close together.
    pairs, bonuses = proximity_pairs(plan, weights)
    if pairs and len(chosen) > 1:
        for close, bonus in zip(backend.near(pairs, NEAR_DISTANCE), bonuses, strict=True):
            for pk in close & chosen:
                score[pk] = score.get(pk, 0.0) + bonus
    ranks = {pk: round(score.get(pk, 0.0), 6) for pk in chosen}
    highlight = frozenset(
        t
        for c in plan.concepts
        for a in c.alternatives
        if not a.prefix and not chosen.isdisjoint(hits(a))
        for t in a.terms
    )
    missing = missing_labels(plan, holders)
    # A word no sheet holds: no sheet holds them all.
    relaxed = relaxed or bool(missing and chosen)
    rescorer = None
    if plan.concepts:
        rescorer = rescoring.Rescorer(
            plan,
            weights,
            field_bits=lambda alt, pk: hits(alt).get(pk, 0),
            norms=inverse.__getitem__,
        )
    return TextMatch(
        ranks,
        relaxed,
        widened,
        corrections,
        highlight,
        missing,
        tuple(related_keywords),
        tuple(plan.stand_ins.items()),
        rescorer,
    )


def rarity_counts(close: list[int], holding: list[int]) -> list[int]:
    """Per concept, the number of sheets its rarity (idf) is computed from: those holding the
    typed word or one of its close forms (`close`: alternatives weighing VARIANT or more: its
    derived forms, an acronym and its name, keyword spellings), not the sheets its synonyms and
    broader terms add; those (`holding`) when only these hold it (a typo's correction, a
    dictionary stand-in). Measured on the eight development sets (docs/search.md): MRR 0.792
    → 0.807 at equal success; natural sentences 0.884 → 0.901."""
    return [c or n for c, n in zip(close, holding, strict=True)]


def concept_weights(plan: Plan, holding: list[int], total: int) -> list[tuple[float, bool]]:
    """(q · idf, required) per concept: filler words weigh FILLER and are never required, nor is
    a concept no sheet holds; if every concept is a filler word, they are all required."""
    out = []
    for concept, n in zip(plan.concepts, holding, strict=True):
        filler = not concept.exact and scoring.is_filler(concept.alternatives[0].terms)
        q = scoring.FILLER if filler else scoring.PART if concept.part else 1.0
        out.append((q * scoring.idf(total, n), not (filler or concept.part) and n > 0))
    if not any(r for _, r in out):
        out = [(w, n > 0) for (w, _), n in zip(out, holding, strict=True)]
    return out


def missing_labels(plan: Plan, holders: list) -> tuple[str, ...]:
    """What was typed and no sheet holds (the words of an expression count with it)."""
    return tuple(
        c.label for c, h in zip(plan.concepts, holders, strict=True) if not h and not c.part
    )


def few_needed(required: int) -> int:
    return FEW_SENTENCE if required >= 3 else FEW


def soft_and(weights: list[tuple[float, bool]], matched: dict[int, float]):
    """The sheets kept (`matched`: sheet → Σ q·idf of the required concepts it holds), and the
    relaxed / widened flags: a sheet needs SHARE of the required weight (all of it for one or
    two required concepts); fewer than FEW such sheets: those holding RELAXED_SHARE follow."""
    required = [w for w, r in weights if r]
    whole = 0.0
    for w in required:
        whole += w
    if not required:
        return set(matched), False, False
    every = {pk for pk, m in matched.items() if m >= whole - scoring.EPSILON}
    share = 1.0 if len(required) <= 2 else scoring.SHARE
    chosen = {pk for pk, m in matched.items() if m >= share * whole - scoring.EPSILON}
    if len(required) >= 2 and len(chosen) < few_needed(len(required)):
        chosen = {
            pk for pk, m in matched.items() if m >= scoring.RELAXED_SHARE * whole - scoring.EPSILON
        }
        if not chosen:
            best = max(matched.values(), default=0.0)
            chosen = {pk for pk, m in matched.items() if best and m >= best - scoring.EPSILON}
    relaxed = bool(chosen) and not every
    widened = bool(every) and len(chosen) > len(every)
    return chosen, relaxed, widened


def proximity_pairs(plan: Plan, weights: list[tuple[float, bool]]):
    """Consecutive typed single words (distinct), with the bonus of finding them close."""
    pairs, bonuses = [], []
    previous = None
    for concept, (w, _) in zip(plan.concepts, weights, strict=True):
        if concept.part:
            break  # after the typed concepts
        terms = concept.alternatives[0].terms
        current = (terms[0], w) if len(terms) == 1 else None
        if previous and current and previous[0] != current[0]:
            pairs.append((previous[0], current[0]))
            bonuses.append(scoring.PROXIMITY * min(previous[1], current[1]))
        previous = current
    return pairs, bonuses
