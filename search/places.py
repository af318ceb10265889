"""Places typed in the search box: département, région and commune names become filters.

    recognise("aide aux devoirs en Gironde")
    -> Recognition(text="aide aux devoirs", places=(Place(kind="departement", values=("33",)…),))

What is recognised (docs/search.md, "Places"):
- the names of the catalogue's départements and régions (`catalogue.Departement`, `Region`,
  loaded by a data migration), without their article ("Réunion"), plus the other names of
  search/data/places.toml (PACA, former régions as lists of départements);
- the communes of the catalogue's structures (`Structure.commune`): a commune selects the
  structures of that commune (the `structure` filter), whatever their département;
- a département number after a number cue ("dans le 93", "département 33") or alone.

Typed with or without accents, capitals, hyphens or apostrophes, "St"/"Ste" for Saint/Sainte.
The longest name wins at each position ("Haute-Loire" is never "Loire"). Names that are also
ordinary words (Cher, Nord, Lot…) are places only after a cue word ("dans le", "en", "du"…),
typed with a capital letter, or as the whole query. Words in quotes, after a minus sign or next
to OR/OU are left alone: the visitor asked for that text.

Cost: the vocabulary is read once per worker and again when the search index's generation
token moves (a structure, département or région saved: search.changes); one small query per
search checks the token. Recognising a query is a few dictionary look-ups per word.
"""

import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from catalogue.models import Departement, Region, Structure
from essaimage.lib.text import normalize_key
from search.models import IndexState
from search.query import Place, cut_spans

DATA = Path(__file__).resolve().parent / "data" / "places.toml"
_WORD = re.compile(r"[^\W_]+")
# What the text matcher reads as exact or excluded (search.matching.parse_clauses).
_PROTECTED = re.compile(r'"[^"]*"?|«[^»]*»?|(?<!\S)-\S+')
_OR = ("OR", "OU")
# Kinds in the order a tie is settled: "Guadeloupe" is the département (same sheets as the
# région, and the finer filter).
_KIND_ORDER = {"departement": 0, "region": 1, "commune": 2}


@dataclass(frozen=True)
class Target:
    kind: str
    values: tuple
    label: str


@dataclass(frozen=True)
class Recognition:
    text: str  # the typed text without the places and their cue words
    places: tuple[Place, ...] = ()
    kept: tuple[str, ...] = ()  # the `as_text` names that kept a place as text


@dataclass
class Vocabulary:
    names: dict[tuple[str, ...], list[Target]] = field(default_factory=dict)
    numbers: dict[str, Target] = field(default_factory=dict)
    firsts: set[str] = field(default_factory=set)
    longest: int = 1
    prepositions: frozenset = frozenset()
    articles: frozenset = frozenset()
    nouns: frozenset = frozenset()
    commune_prepositions: frozenset = frozenset()
    number_cues: frozenset = frozenset()
    abbreviations: dict[str, str] = field(default_factory=dict)
    cue_words: frozenset = frozenset()  # ordinary words: a cue, a capital or alone needed
    strict_words: frozenset = frozenset()  # … a capital, alone or a strong cue
    strict_prepositions: frozenset = frozenset()
    strict_prepositions_of: dict[str, frozenset] = field(default_factory=dict)  # per name

    def add(self, name: str | tuple, target: Target) -> None:
        key = name if isinstance(name, tuple) else self.key(name)
        if not key:
            return
        targets = self.names.setdefault(key, [])
        if all((t.kind, t.values) != (target.kind, target.values) for t in targets):
            targets.append(target)
            targets.sort(key=lambda t: _KIND_ORDER[t.kind])
        self.firsts.add(key[0])
        self.longest = max(self.longest, len(key))

    def key(self, name: str) -> tuple[str, ...]:
        # Words as the query's words are read (_WORD), whatever punctuation the name holds.
        return tuple(self.abbreviations.get(w, w) for w in _WORD.findall(normalize_key(name)))


def read_data() -> dict:
    with open(DATA, "rb") as f:
        return tomllib.load(f)


def _folded(words) -> frozenset:
    return frozenset(normalize_key(w) for w in words)


def build_vocabulary() -> Vocabulary:
    """Départements, régions and communes from the database, the words around them from
    search/data/places.toml (3 queries)."""
    data = read_data()
    cues, ambiguous = data["cues"], data["ambiguous"]
    vocabulary = Vocabulary(
        prepositions=_folded(cues["prepositions"]),
        articles=_folded(cues["articles"]),
        nouns=_folded(cues["nouns"]),
        commune_prepositions=_folded(cues["commune_prepositions"]),
        number_cues=_folded(cues["number_cues"]),
        abbreviations={normalize_key(k): v for k, v in data["abbreviations"].items()},
        cue_words=_folded(ambiguous["cue"]),
        strict_words=_folded(ambiguous["strict"]),
        strict_prepositions=_folded(ambiguous["strict_prepositions"]),
        strict_prepositions_of={
            normalize_key(name): _folded(words)
            for name, words in ambiguous.get("strict_prepositions_of", {}).items()
        },
    )
    departements = dict(Departement.objects.values_list("code", "name"))
    regions = dict(Region.objects.values_list("code", "name"))
    for kind, table in (("departement", departements), ("region", regions)):
        for code, name in table.items():
            target = Target(kind, (code,), name)
            vocabulary.add(name, target)
            first, _, rest = normalize_key(name).partition(" ")
            if rest and first in vocabulary.articles:  # "La Réunion" is also "Réunion"
                vocabulary.add(rest, target)
    for code, name in departements.items():
        vocabulary.numbers[code.casefold()] = Target("departement", (code,), name)
    for alias, target in data["aliases"].items():
        if isinstance(target, dict):
            codes = tuple(c for c in target["departements"] if c in departements)
            vocabulary.add(alias, Target("departement", codes, target["label"]))
            continue
        kind, code = target.split(":")
        name = (departements if kind == "departement" else regions).get(code)
        if name:
            vocabulary.add(alias, Target(kind, (code,), name))
    communes: dict[tuple[str, ...], tuple[list[int], list[str]]] = {}
    for pk, commune in Structure.objects.exclude(commune="").values_list("pk", "commune"):
        key = vocabulary.key(commune)
        if key:
            ids, spellings = communes.setdefault(key, ([], []))
            ids.append(pk)
            spellings.append(commune.strip())
    for key, (ids, spellings) in communes.items():
        vocabulary.add(key, Target("commune", tuple(sorted(ids)), _spelling(spellings)))
    return vocabulary


def _spelling(spellings: list[str]) -> str:
    """The commune's name as most structures write it, not in capitals if avoidable."""
    ordinary = [s for s in spellings if not s.isupper()]
    if ordinary:
        return max(set(ordinary), key=lambda s: (ordinary.count(s), s))
    return spellings[0].title()


_lock = threading.Lock()
_cached: tuple[str, Vocabulary] | None = None


def _token() -> str:
    generation = IndexState.objects.filter(pk=1).values_list("generation", flat=True).first()
    return f"{connection.alias}:{connection.settings_dict['NAME']}:{generation}"


def vocabulary() -> Vocabulary:
    """The worker's vocabulary, read again when the search index's generation token moved."""
    global _cached
    token = _token()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != token:
            _cached = (token, build_vocabulary())
        return _cached[1]


def clear_cache() -> None:
    global _cached
    _cached = None


@dataclass
class _Word:
    start: int
    end: int
    surface: str
    norm: str
    free: bool = True  # not quoted, not excluded, not part of a place yet


def _words(text: str, vocabulary: Vocabulary) -> list[_Word] | None:
    """The words of `text`, or None when none can begin a place (most queries: the fast way)."""
    matches = list(_WORD.finditer(text))
    abbreviations = vocabulary.abbreviations
    norms = [normalize_key(m.group()) for m in matches]
    norms = [abbreviations.get(n, n) for n in norms]
    if not any(n in vocabulary.firsts or n in vocabulary.numbers for n in norms):
        return None
    protected = [m.span() for m in _PROTECTED.finditer(text)]
    return [
        _Word(
            m.start(),
            m.end(),
            m.group(),
            norm,
            not protected or not any(a <= m.start() < b for a, b in protected),
        )
        for m, norm in zip(matches, norms, strict=True)
    ]


def recognise(text: str, as_text=(), vocabulary: Vocabulary | None = None) -> Recognition:
    """The places named in `text` (longest names first) and the text without them. Places whose
    name is in `as_text` (folded) stay text."""
    if not text or not _WORD.search(text):
        return Recognition(text or "")
    vocab = vocabulary or globals()["vocabulary"]()
    words = _words(text, vocab)
    if words is None:
        return Recognition(text)
    keep = {normalize_key(v) for v in as_text}
    places, kept, spans = [], [], []
    i = 0
    while i < len(words):
        found = _match(words, i, vocab)
        if found is None:
            i += 1
            continue
        length, targets = found
        name = " ".join(w.norm for w in words[i : i + length])
        start, cue = _cue(words, i, vocab)
        end = i + length
        target = _accept(words, i, end, start, cue, targets, vocab, text)
        if target is not None and name in keep:
            kept.append(name)
            target = None
        if target is None:
            i = end
            continue
        for w in words[start:end]:
            w.free = False
        span = (words[start].start, words[end - 1].end)
        spans.append(span)
        places.append(
            Place(
                kind=target.kind,
                name=name,
                label=target.label,
                values=target.values,
                typed=text[span[0] : span[1]],
                start=span[0],
                end=span[1],
            )
        )
        i = end
    if not places:
        return Recognition(text, (), tuple(dict.fromkeys(kept)))
    return Recognition(cut_spans(text, spans), tuple(places), tuple(dict.fromkeys(kept)))


def _match(words: list[_Word], i: int, vocab: Vocabulary):
    """(length, targets) of the longest name starting at word `i`, or None."""
    first = words[i]
    if not first.free or (first.norm not in vocab.firsts and first.norm not in vocab.numbers):
        return None
    if first.norm in vocab.numbers and (i + 1 == len(words) or words[i + 1].norm != "e"):
        return 1, [vocab.numbers[first.norm]]  # "93" (but not "2e" arrondissement)
    if first.norm not in vocab.firsts:
        return None
    for length in range(min(vocab.longest, len(words) - i), 0, -1):
        chunk = words[i : i + length]
        if not all(w.free for w in chunk):
            continue
        targets = vocab.names.get(tuple(w.norm for w in chunk))
        if targets:
            return length, targets
    return None


@dataclass(frozen=True)
class _Cue:
    noun: str = ""
    preposition: str = ""
    article: str = ""
    words: str = ""  # the cue words, folded, in order


def _cue(words: list[_Word], i: int, vocab: Vocabulary) -> tuple[int, _Cue]:
    """(index of the first cue word, the cue) before word `i`: [noun] [preposition] [article]."""
    k = i
    found = {}
    for part, allowed in (
        ("article", vocab.articles),
        ("preposition", vocab.prepositions),
        ("noun", vocab.nouns),
    ):
        if k > 0 and words[k - 1].free and words[k - 1].norm in allowed:
            found[part] = words[k - 1].norm
            k -= 1
    return k, _Cue(**found, words=" ".join(w.norm for w in words[k:i]))


def _accept(words, i, end, start, cue: _Cue, targets, vocab: Vocabulary, text: str):
    """The target the words i..end name, or None when they are better read as text."""
    before = words[start - 1] if start > 0 else None
    after = words[end] if end < len(words) else None
    if (before and before.surface in _OR) or (after and after.surface in _OR):
        return None  # "Gironde OR Landes" is the visitor's own text query
    alone = start == 0 and end == len(words)
    if end - i > 1 and words[i].norm in vocab.articles:  # "la réunion": the article is a cue
        cue = _Cue(cue.noun, cue.preposition, words[i].norm, cue.words)
        i += 1
    name = " ".join(w.norm for w in words[i:end])
    if words[i].norm in vocab.numbers and (
        len(targets) == 1 and targets[0] is vocab.numbers[words[i].norm]
    ):
        return targets[0] if alone or cue.words in vocab.number_cues else None
    capital = words[i].surface[:1].isupper() and not text.isupper()
    has_cue = bool(cue.preposition or cue.noun)
    if name in vocab.strict_words:
        prepositions = vocab.strict_prepositions_of.get(name, vocab.strict_prepositions)
        strong = bool(cue.noun) or (
            cue.preposition in prepositions and (not cue.article or cue.preposition == "dans")
        )
        if not (capital or alone or strong):
            return None
    # One-word communes need a cue too: thousands of them are also words ("Sens", "Orange"),
    # and a commune's name already finds its structures as text.
    elif (name in vocab.cue_words or (end - i == 1 and targets[0].kind == "commune")) and not (
        capital or alone or has_cue
    ):
        return None
    if cue.preposition in vocab.commune_prepositions:
        for target in targets:
            if target.kind == "commune":
                return target  # "à Vienne": the town
    return targets[0]
