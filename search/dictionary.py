"""Synonyms from a general French dictionary, for a typed word that no sheet holds (issue 20):
"chagrin" → tristesse, deuil; "enterrement" → obsèques, funérailles. The field's thesaurus
(search.thesaurus) links the words of the catalogue; a visitor's everyday or familiar word
that no sheet uses gets no help from it, and without this it matches nothing at all.

The data is an extract of LibreOffice's French thesaurus (LGPL-2.1+, see the file's header),
made by `manage.py build_synonym_dictionary`: each word with its FIRST synonyms, in the
thesaurus' order (its first sense first). The thesaurus is broad and noisy ("boîte" is also a
dancing), so its synonyms only stand in for a word that matches nothing, at a low weight
(search.matching.DICTIONARY), and only those some sheet holds count."""

import gzip
from functools import lru_cache
from pathlib import Path

from search import analysis

DATA = Path(__file__).resolve().parent / "data" / "synonyms_fr.txt.gz"
# Synonyms kept per word (5 and 10 gave the same results on the development sets; 10 keeps
# "obsèques" for "enterrement").
FIRST = 10


def read_mythes(text: str) -> list[tuple[str, list[str]]]:
    """(word, its FIRST synonyms) of a MyThes file ("word|n" then n lines "(Nom)|syn|syn…"),
    for one-word entries."""
    lines = text.split("\n")
    rows: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    i = 1  # the first line names the encoding
    while i < len(lines):
        if "|" not in lines[i]:
            i += 1
            continue
        word, count = lines[i].rsplit("|", 1)
        senses = lines[i + 1 : i + 1 + int(count)]
        i += 1 + int(count)
        word = word.strip().casefold()
        if not word or " " in word or word in seen:
            continue
        synonyms: list[str] = []
        for sense in senses:
            for synonym in sense.split("|")[1:]:
                synonym = synonym.strip()
                if synonym and synonym.casefold() != word and synonym not in synonyms:
                    synonyms.append(synonym)
        if synonyms:
            seen.add(word)
            rows.append((word, synonyms[:FIRST]))
    return rows


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """word -> its synonyms joined by "|", read once per process (≈ 40 ms, split on lookup)."""
    if not DATA.exists():
        return {}
    table: dict[str, str] = {}
    with gzip.open(DATA, "rt", encoding="utf-8") as data:
        for line in data.read().splitlines():
            if not line.startswith("#"):
                word, _, synonyms = line.partition("|")
                table[word] = synonyms
    return table


@lru_cache(maxsize=1)
def _unaccented() -> dict[str, str]:
    """The table keyed by its words without accents ("embeter" → embêter's synonyms), for a
    word typed without them; where two words fold alike, the first in the file's order."""
    table: dict[str, str] = {}
    for word, synonyms in _table().items():
        table.setdefault(analysis.fold(word), synonyms)
    return table


def synonyms(word: str) -> tuple[str, ...]:
    """The dictionary's synonyms of `word` as typed (or of its lemma, or of the word its
    accents were left off), as written there."""
    table = _table()
    folded = word.casefold()
    found = table.get(folded)
    if found is None:
        lemma = analysis.lemma(folded)
        found = table.get(lemma) if lemma else None
    if found is None:
        found = _unaccented().get(analysis.fold(folded))
    return tuple(found.split("|")) if found else ()
