"""The French analyser: one Python function turns a sheet and a query into the same terms, for
SQLite (FTS5 stores them) and PostgreSQL (a `simple` tsvector built from them) alike.

    casefold → split on anything but letters and digits (elisions: "l'été" → "l", "été")
    → drop stop words → acronyms stay as written (lower case, never normalised)
    → normalise a word: exceptions (data/exceptions.txt), then its lemma (simplemma:
      "arrivent" → "arriver", "sociaux" → "social"), accents folded, feminine endings of the
      light stemmer ("sportive" → "sportif").

A token is an acronym when it is in the shipped table (`data/acronyms.txt`, whatever its case):
its term is the acronym itself, never normalised. A lone word in capitals (2 to 6 letters, in a
text not itself in capitals) is an acronym too (never corrected as a typo), normalised like any
word so that its case does not matter. Terms are ASCII letters and digits only, so FTS5's tokenizer and PostgreSQL's
tsvector see exactly the same tokens at the same positions.

The normaliser is chosen on the development sets (`manage.py relevance --normaliser …`): the
simplemma lemmatiser, ahead of the light stemmer on long sentences (a conjugated verb was a rare
term of its own) and far ahead of snowball, which over-stems ("café" and "CAF", "formation" and
"format"). See docs/search.md. `set_normaliser` exists for that comparison only. simplemma also
gives the French lexicon of the typo corrector (`is_french`).
"""

import re
import threading
import unicodedata
from collections import OrderedDict
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).resolve().parent / "data"
_TOKEN = re.compile(r"[^\W_]+")
_ACRONYM_WITH_NUMBER = re.compile(r"^([A-Za-z]{2,6})(\d+)$")
# PostgreSQL keeps positions up to 16383: every document is cut there, on both databases.
MAX_POSITION = 16_000
# PostgreSQL refuses a tsvector lexeme of 2,048 bytes or more: every word is cut to its first
# MAX_TOKEN_LENGTH characters, on both databases and in queries alike (no French word comes
# near; a pasted hash or a key held down does). Folding can double a character ("œ" → "oe"),
# so terms are cut again after normalisation.
MAX_TOKEN_LENGTH = 100
NORMALISERS = ("simplemma", "light", "snowball")
DEFAULT_NORMALISER = "simplemma"

# Snowball's French stop list, folded, plus a few words that carry no concept in a query.
STOP_WORDS = frozenset(
    [
        "a",
        "ai",
        "aie",
        "aient",
        "aies",
        "ait",
        "as",
        "au",
        "aura",
        "aurai",
        "auraient",
        "aurais",
        "aurait",
        "auras",
        "aurez",
        "auriez",
        "aurions",
        "aurons",
        "auront",
        "aux",
        "avaient",
        "avais",
        "avait",
        "avec",
        "avez",
        "aviez",
        "avions",
        "avons",
        "ayant",
        "ayez",
        "ayons",
        "c",
        "ce",
        "ceci",
        "cela",
        "celle",
        "celles",
        "celui",
        "ces",
        "cet",
        "cette",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "elles",
        "en",
        "es",
        "est",
        "et",
        "etaient",
        "etais",
        "etait",
        "etant",
        "ete",
        "etee",
        "etees",
        "etes",
        "etiez",
        "etions",
        "eu",
        "eue",
        "eues",
        "eumes",
        "eurent",
        "eus",
        "eusse",
        "eussent",
        "eusses",
        "eussiez",
        "eussions",
        "eut",
        "eutes",
        "eux",
        "fumes",
        "furent",
        "fus",
        "fusse",
        "fussent",
        "fusses",
        "fussiez",
        "fussions",
        "fut",
        "futes",
        "ici",
        "il",
        "ils",
        "j",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "n",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "s",
        "sa",
        "sans",
        "se",
        "sera",
        "serai",
        "seraient",
        "serais",
        "serait",
        "seras",
        "serez",
        "seriez",
        "serions",
        "serons",
        "seront",
        "ses",
        "si",
        "soi",
        "soient",
        "sois",
        "soit",
        "sommes",
        "son",
        "sont",
        "soyez",
        "soyons",
        "suis",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "afin",
        "ainsi",
        "alors",
        "aussi",
        "autre",
        "autres",
        "avant",
        "apres",
        "car",
        "ceux",
        "chaque",
        "comme",
        "dont",
        "donc",
        "etc",
        "lors",
        "lorsque",
        "ni",
        "or",
        "parmi",
        "plus",
        "puis",
        "quand",
        "sous",
        "tandis",
        "tout",
        "toute",
        "toutes",
        "tous",
        "tres",
        "vers",
        "via",
        "voici",
        "voila",
        "jusqu",
        "lorsqu",
        "puisqu",
        "quoiqu",
        "aujourd",
        "hui",
    ]
)


def fold(text: str) -> str:
    """Lower case, no diacritics, ligatures spelled out."""
    if text.isascii():  # most words: nothing to decompose
        return text.lower()
    text = text.casefold().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _read_table(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append([part.strip() for part in line.split("|")])
    return rows


@lru_cache(maxsize=1)
def acronym_table() -> dict[str, str]:
    """Folded acronym -> its expansion, from data/acronyms.txt."""
    return {fold(row[0]): row[1] for row in _read_table("acronyms.txt")}


@lru_cache(maxsize=1)
def exceptions() -> dict[str, str]:
    """Folded word -> term, where the lemmatiser is wrong for this field (data/exceptions.txt)."""
    return {fold(row[0]): fold(row[1]) for row in _read_table("exceptions.txt")}


_normaliser = DEFAULT_NORMALISER


def set_normaliser(name: str) -> None:
    """Choose the normaliser (for `manage.py relevance --normaliser`); clears the caches."""
    global _normaliser
    if name not in NORMALISERS:
        raise ValueError(name)
    _normaliser = name
    normalise.cache_clear()
    _word.cache_clear()
    _word_terms.cache_clear()
    with _recent_lock:
        _recent.clear()


@lru_cache(maxsize=1)
def _french_lexicon():
    """simplemma's French dictionary (inflected form -> lemma) and its lemmas: ~250,000 forms,
    loaded on first use (0.3 s)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    forms = DefaultDictionaryFactory().get_dictionary("fr")
    return forms, frozenset(forms.values())


@lru_cache(maxsize=1)
def _unaccented_french() -> frozenset[str]:
    """The dictionary's forms that have accents, without them ("embeter" for "embêter"):
    ~90,000 words, built on first use."""
    forms, lemmas = _french_lexicon()
    return frozenset(fold(w) for w in chain(forms, lemmas) if not w.isascii())


def is_french(word: str) -> bool:
    """Whether `word` is a French word of simplemma's dictionary, as typed or with its accents
    left off ("embeter"): the typo corrector never replaces one by another word."""
    word = word.casefold()
    forms, lemmas = _french_lexicon()
    if word in lemmas or word in forms:
        return True
    return word.isascii() and word in _unaccented_french()


def lemma(word: str) -> str | None:
    """simplemma's lemma of a lower case word (accents kept), None for an unknown word."""
    forms, _ = _french_lexicon()
    return forms.get(word)


def current_normaliser() -> str:
    return _normaliser


def light_stem(word: str, *, plural: bool = True) -> str:
    """Plural and feminine endings only (a folded word): "sociaux" → "social", "sportive" →
    "sportif", "culturelles" → "culturel"; anything else is left as it is."""
    if plural and len(word) > 5 and word.endswith("eaux"):
        return word[:-1]
    if plural and len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if plural and len(word) > 3 and (word[-1] == "x" or word[-1] == "s" and word[-2] not in "su"):
        word = word[:-1]
    for ending, replacement in (("euse", "eur"), ("rice", "eur"), ("ive", "if"), ("elle", "el"),
                                ("enne", "en"), ("ere", "er"), ("ale", "al"), ("ee", "e")):  # fmt: skip
        if len(word) > len(ending) + 2 and word.endswith(ending):
            return word[: -len(ending)] + replacement
    return word


@lru_cache(maxsize=100_000)
def normalise(word: str) -> str:
    """The term of a (lower case) word that is not an acronym."""
    folded = fold(word)
    if folded in exceptions():
        return exceptions()[folded]
    if _normaliser == "snowball":
        import Stemmer

        term = fold(Stemmer.Stemmer("french").stemWord(word))
    elif _normaliser == "light":
        term = light_stem(folded)
    else:
        import simplemma

        lemma = simplemma.lemmatize(word, lang="fr")
        # A known word's lemma is singular already ("cours", "parcours"); an unknown one may not be.
        known = lemma != word or simplemma.is_known(word, lang="fr")
        term = light_stem(fold(lemma), plural=not known)
    # A word never becomes an acronym of the field ("café" is not the CAF).
    if term in acronym_table() and term != folded:
        return folded
    return term or folded


def is_shouting(text: str) -> bool:
    """Mostly capitals (a SENACS title such as "CAFE DE LA CONNAISSANCE")."""
    letters = sum(map(str.isalpha, text))
    # Counting every capital first (a bound: letters or not) settles most texts cheaply.
    if letters < 8 or sum(map(str.isupper, text)) <= 0.6 * letters:
        return False
    return sum(map(str.isupper, filter(str.isalpha, text))) > 0.6 * letters


class Token(NamedTuple):  # a tuple: made by the million when indexing
    surface: str  # as written
    term: str
    is_acronym: bool = False


def _find_words(text: str) -> list[str]:
    """The words of `text` as written (`_TOKEN`), each cut to MAX_TOKEN_LENGTH characters."""
    return [raw[:MAX_TOKEN_LENGTH] for raw in _TOKEN.findall(text)]


def tokens(text: str, *, keep_stop_words: bool = False) -> list[Token]:
    """The tokens of `text` in order; stop words are dropped unless `keep_stop_words`."""
    if not text:
        return []
    shouting = is_shouting(text)
    out: list[Token] = []
    found = _find_words(text)
    words = [_word(raw) for raw in found]
    last = len(found) - 1
    for index, raw in enumerate(found):
        folded, in_table, capitals, neighbour_capitals, term, numbered = words[index]
        if numbered:  # "PIJ25" → pij, 25
            out.append(Token(numbered[0], numbered[1], True))
            out.append(Token(numbered[2], numbered[2]))
            continue
        if in_table or (
            not shouting
            and capitals
            # "CENTRE SOCIAL DES MARAIS" is a name in capitals, not four acronyms.
            and not (index > 0 and words[index - 1][3])
            and not (index < last and words[index + 1][3])
        ):
            if folded in STOP_WORDS and not in_table:
                if keep_stop_words:
                    out.append(Token(raw, folded))
                continue
            # Only the table's acronyms escape normalisation: "MARAIS" in capitals is "marais".
            out.append(Token(raw, folded if in_table else term, True))
            continue
        if folded in STOP_WORDS or len(folded) == 1 and not folded.isdigit():
            if keep_stop_words:
                out.append(Token(raw, folded))
            continue
        out.append(Token(raw, term))
    return out


@lru_cache(maxsize=300_000)
def _word(raw: str) -> tuple:
    """What `tokens` needs to know of a word, whatever its neighbours (words repeat: computed
    once): folded, in the acronym table, in capitals (as an acronym; as a neighbour), its term
    as a plain word, and for "PIJ25" (acronym, folded acronym, number)."""
    table = acronym_table()
    numbered = _ACRONYM_WITH_NUMBER.match(raw)
    parts = None
    if numbered and _fold_word(numbered.group(1)) in table:
        parts = (numbered.group(1), _fold_word(numbered.group(1)), numbered.group(2))
    folded = _fold_word(raw)
    return (
        folded[:MAX_TOKEN_LENGTH],
        folded in table,
        _is_capitals(raw),
        _is_capitals(raw, 1),
        normalise(raw.casefold())[:MAX_TOKEN_LENGTH],
        parts,
    )


_fold_word = lru_cache(maxsize=200_000)(fold)


def _is_capitals(raw: str, shortest: int = 2) -> bool:
    return (
        raw.isupper()
        and raw.isalpha()
        and shortest <= len(raw) <= 6
        or (shortest == 1 and raw.isupper() and len(raw) > 6)
    )


def terms(text: str) -> list[str]:
    """The terms of `tokens(text)`."""
    return list(_recent_terms(text))


def terms_and_words(text: str) -> tuple[tuple[str, ...], list[str]]:
    """The terms of `text` and its words as written (`_TOKEN`), from one pass over it: the
    search index keeps the words of the texts it analyses (suggestions, typo corrections)."""
    if not text:
        return (), []
    words = _find_words(text)
    with _recent_lock:
        found = _recent.get(text)
    return (found if found is not None else _keep_terms(text, words)), words


# The same texts are analysed again within a batch (the search index, then the similarity
# profiles; titles twice): keep the latest RECENT_TEXTS (least recently used first out).
RECENT_TEXTS = 4096
_recent: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_recent_lock = threading.Lock()


def _recent_terms(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    with _recent_lock:
        found = _recent.get(text)
        if found is not None:
            _recent.move_to_end(text)
            return found
    return _keep_terms(text, _find_words(text))


def _keep_terms(text: str, words: list[str]) -> tuple[str, ...]:
    found = tuple(chain.from_iterable(map(_word_terms, words)))
    with _recent_lock:
        _recent[text] = found
        _recent.move_to_end(text)
        if len(_recent) > RECENT_TEXTS:
            _recent.popitem(last=False)
    return found


@lru_cache(maxsize=300_000)
def _word_terms(raw: str) -> tuple[str, ...]:
    """The terms `tokens` gives a word, which never depend on its neighbours nor on the text's
    case: those only decide whether a word in capitals is marked an acronym, and its term is
    the same either way (a stop word is dropped either way; it has two letters or more). So the
    indexers, which want terms only, skip the per-token work (test_analysis checks it)."""
    folded, in_table, _, _, term, numbered = _word(raw)
    if numbered:
        return (numbered[1], numbered[2])
    if in_table:
        return (folded,)
    if folded in STOP_WORDS or len(folded) == 1 and not folded.isdigit():
        return ()
    return (term,)


def index_text(text: str, *, limit: int = MAX_POSITION) -> str:
    """The terms of `text`, space separated, at most `limit` of them (what the index stores)."""
    return " ".join(terms(text)[:limit])


@lru_cache(maxsize=100_000)
def word_terms(word: str) -> frozenset[str]:
    """Terms a word of a snippet may stand for (to highlight it): as a word and as an acronym."""
    folded = fold(word)
    if folded in STOP_WORDS:
        return frozenset()
    return frozenset((normalise(word.casefold()), folded))
