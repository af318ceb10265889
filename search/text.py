"""French text handling shared by the index and the query: words, stems, query parsing, snippets.

A word is indexed as `fold(stem(word))`: the French snowball stemmer reads accents
("parentalité" -> "parental"), then diacritics are removed. A query word also tries the stem
of its unaccented form and of a few accent restorations, so "parentalite" finds "parentalité"
and a sheet typed without accents is found by a query typed with them.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from essaimage.lib.text import strip_accents

_WORD = re.compile(r"\w+")
_STEMMER = Stemmer.Stemmer("french")
# Accent restorations tried on an unaccented query word (the stemmer needs "ité", "ée"...).
_RESTORATIONS = (
    ("ites", "ités"),
    ("ite", "ité"),
    ("ees", "ées"),
    ("ee", "ée"),
    ("es", "és"),
    ("e", "é"),
    ("ere", "ère"),
    ("eres", "ères"),
)
MARK_START = "<mark>"
MARK_END = "</mark>"


def fold(text: str) -> str:
    """Lower case, no diacritics, ligatures spelled out."""
    return strip_accents(text.casefold().replace("œ", "oe").replace("æ", "ae"))


def words(text: str) -> list[str]:
    return _WORD.findall(text or "")


@lru_cache(maxsize=50_000)
def term(word: str) -> str:
    """The index term of a word: stemmed with its accents, then folded."""
    return fold(_STEMMER.stemWord(word.casefold()))


def index_text(text: str) -> str:
    """The terms of `text`, space separated, in order (what the FTS5 table stores)."""
    return " ".join(term(w) for w in words(text))


@lru_cache(maxsize=10_000)
def query_terms(word: str) -> tuple[str, ...]:
    """Index terms a query word may match; the most likely first."""
    lowered = word.casefold()
    folded = fold(lowered)
    candidates = [term(lowered)]
    if folded == lowered:
        for ending, accented in _RESTORATIONS:
            if folded.endswith(ending) and len(folded) > len(ending) + 2:
                candidates.insert(0, term(folded[: -len(ending)] + accented))
                break
    candidates.append(fold(_STEMMER.stemWord(folded)))
    return tuple(dict.fromkeys(candidates))


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of a query."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """A free-text query: all `required` groups must match (a group is Terms joined by OR),
    no `excluded` Term may match."""

    required: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    highlight: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.required or self.excluded)

    @property
    def words(self) -> list[str]:
        return [w for group in self.required for t in group for w in t.words]


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text: str) -> ParsedQuery:
    """Parse websearch-like syntax: words, "phrases", -exclusions, OR."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in _TOKEN.finditer(text or ""):
        negated, phrase, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                join_next = bool(groups)
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[1:] if negated else bare
        found = tuple(words(phrase))
        if not found:
            continue
        item = Term(found)
        if negated:
            excluded.append(item)
        elif join_next and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
        join_next = False
    highlight = frozenset(
        t for group in groups for item in group for w in item.words for t in query_terms(w)
    )
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded), highlight)


def _fts_term(item: Term) -> str:
    if item.is_phrase:
        return '"' + " ".join(query_terms(w)[0] for w in item.words) + '"'
    alternatives = [f'"{t}"' for t in query_terms(item.words[0])]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def fts5_expression(terms: "list[tuple[Term, ...]] | tuple[tuple[Term, ...], ...]") -> str:
    """An FTS5 MATCH expression: AND of groups, each group an OR of terms."""
    parts = []
    for group in terms:
        inner = " OR ".join(_fts_term(t) for t in group)
        parts.append(f"({inner})" if len(group) > 1 else inner)
    return " AND ".join(parts)


def highlight(text: str, terms: frozenset[str], *, size: int = 30) -> SafeString | None:
    """A window of about `size` words of `text` around the first matching word, HTML-escaped,
    matching words wrapped in <mark>; None when no word matches."""
    if not text or not terms:
        return None
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text) if term(m.group()) in terms]
    if not spans:
        return None
    all_words = list(_WORD.finditer(text))
    first = next(i for i, m in enumerate(all_words) if (m.start(), m.end()) == spans[0])
    start_word = max(0, first - size // 3)
    end_word = min(len(all_words), start_word + size)
    start = all_words[start_word].start() if start_word else 0
    end = all_words[end_word - 1].end() if end_word < len(all_words) else len(text)
    pieces = ["… " if start else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        pieces.append(escape(text[cursor:s]))
        pieces.append(MARK_START + escape(text[s:e]) + MARK_END)
        cursor = e
    pieces.append(escape(text[cursor:end]))
    pieces.append(" …" if end < len(text) else "")
    return mark_safe(" ".join("".join(pieces).split()))  # user text escaped above


def excerpt(text: str, *, size: int = 30) -> SafeString:
    """The first `size` words of `text`, escaped (a snippet when nothing is highlighted)."""
    found = list(_WORD.finditer(text or ""))
    if len(found) <= size:
        return escape(" ".join((text or "").split()))
    return escape(" ".join(text[: found[size - 1].end()].split()) + " …")


def headline_to_html(text: str, start_sel: str, stop_sel: str) -> SafeString:
    """Escape a database headline whose marks are the private characters `start_sel`/`stop_sel`."""
    escaped = escape(" ".join(text.split()))
    return mark_safe(escaped.replace(start_sel, MARK_START).replace(stop_sel, MARK_END))


def expand_query(text: str, vocabulary: Iterable[str], *, only: set[str] | None = None) -> str:
    """`text` where a word close to a vocabulary word spelled differently also searches that
    word: SENACS's keyword "Viellissement" is found by "vieillissement" (PRODUCT §3).
    `only`, when given, holds the folded words that may be widened."""
    known = {fold(w): w for label in vocabulary for w in words(label) if len(w) >= 5}

    def expand(match: re.Match) -> str:
        bare = match.group(3)
        if bare is None or bare == "OR" or bare.startswith("-"):
            return match.group()
        found = words(bare)
        if len(found) != 1 or len(found[0]) < 5:
            return match.group()
        word = fold(found[0])
        if only is not None and word not in only:
            return match.group()
        stems = set(query_terms(word))
        close = [
            original
            for folded, original in known.items()
            if folded != word
            and difflib.SequenceMatcher(None, word, folded).ratio() >= 0.85
            and not stems & set(query_terms(folded))
        ]
        return " OR ".join([bare, *close[:2]])

    return _TOKEN.sub(expand, text or "")
