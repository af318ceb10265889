"""Word families at query time: a typed word also finds the words derived from the same base
(jardiner, jardin, jardinage, jardinier; accueillir, accueil, accueilli; réparé, réparer,
réparation), by suffix rules over analysed terms, plus the irregular families of
data/derivations.txt (coudre, couture); and a word with a hyphenated prefix meets the same word
written solid (ré-emploi, réemploi; co-construction, coconstruction).

Nothing is indexed differently: the forms are alternatives of the typed word's concept, at the
weight of a derived form (thesaurus.WEIGHTS["famille"]), so a typed word still ranks first at
equal position. A generated form that no sheet holds costs one dictionary lookup.
"""

from functools import lru_cache

from search import analysis

# Prefixes written with or without a hyphen.
PREFIXES = ("re", "co", "pre", "auto", "inter", "anti", "multi", "non", "sur", "semi", "pluri")
# Endings of a derived noun, of an -er verb's family (longest first).
_NOUN_ENDINGS = ("issement", "ement", "ation", "ateur", "ier", "age", "eur", "at")
_ER_FAMILY = ("er", "age", "ement", "ation", "ateur", "eur")
_SHORTEST_BASE = 4


@lru_cache(maxsize=20_000)
def family(term: str) -> tuple[str, ...]:
    """Other terms of the family of an analysed term (folded, light-stemmed), sorted: those the
    suffix rules give (words of 5 letters or more) and those of its irregular family, whatever
    their length (jouer, jeu; vivre, vie)."""
    out = set(_rule_forms(term)) | irregular().get(term, frozenset())
    out.discard(term)
    return tuple(sorted(t for t in out if t.isalnum()))


def _rule_forms(term: str) -> set[str]:
    if not term.isalpha() or len(term) < 5:
        return set()
    forms: set[str] = set()

    def base_of(ending: str) -> str | None:
        if term.endswith(ending) and len(term) - len(ending) >= _SHORTEST_BASE:
            return term[: -len(ending)]
        return None

    noun = next(((e, b) for e in _NOUN_ENDINGS if (b := base_of(e))), None)
    if noun and noun[0] == "issement":  # vieillissement → vieillir
        forms.update((noun[1] + "ir", noun[1] + "i"))
    elif noun:  # jardinage, animation, animateur, jardinier, bénévolat → the verb, the others
        ending, base = noun
        forms.update(base + e for e in _ER_FAMILY)
        forms.update((base, base + "ier"))
        if ending == "at":
            forms.add(base + "e")  # bénévolat → bénévole
    elif base := base_of("er"):  # jardiner → jardin, jardinage, jardinier, jardiné
        forms.update(base + e for e in _ER_FAMILY)
        forms.update((base, base + "e", base + "ier"))
    elif base := base_of("ir"):  # accueillir → accueilli, accueil
        forms.update((base + "i", base + "issement"))
        if base.endswith("ll"):
            forms.add(base[:-1])
    elif base := base_of("i"):  # accueilli → accueillir, accueil
        forms.add(base + "ir")
        if base.endswith("ll"):
            forms.add(base[:-1])
    elif (base := base_of("e")) and not term.endswith("ee"):  # réparé → réparer, bénévole
        forms.update(base + e for e in _ER_FAMILY)
        forms.add(base + "at")
    else:  # jardin → jardiner, jardinage; accueil → accueillir
        forms.update((term + "er", term + "age", term + "ier"))
        if term.endswith("l"):
            forms.update((term + "lir", term + "li"))
    return {analysis.normalise(f) for f in forms if len(f) >= 5}


@lru_cache(maxsize=1)
def irregular() -> dict[str, frozenset[str]]:
    """Term -> the other terms of its line of data/derivations.txt."""
    out: dict[str, set[str]] = {}
    for row in analysis._read_table("derivations.txt"):
        terms = [t for word in row[0].split(",") if (t := tuple(analysis.terms(word.strip())))]
        singles = {t[0] for t in terms if len(t) == 1}
        for term in singles:
            out.setdefault(term, set()).update(singles - {term})
    return {k: frozenset(v) for k, v in out.items()}


def prefixed(terms: tuple[str, ...]) -> tuple[str, ...] | None:
    """The other spelling of a prefixed word: ("re", "emploi") ↔ ("reemploi",)."""
    if len(terms) == 2 and terms[0] in PREFIXES and len(terms[1]) >= 4:
        return (terms[0] + terms[1],)
    if len(terms) == 1:
        for prefix in PREFIXES:
            rest = terms[0][len(prefix) :]
            if terms[0].startswith(prefix) and len(rest) >= 5:
                return (prefix, rest)
    return None
