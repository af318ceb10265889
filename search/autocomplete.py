"""Suggestions for the search boxes (issue 14, item 5): keywords, structures, communes,
départements and titles of published sheets that match what a visitor is typing.

Matching: the typed text is folded (case, accents, punctuation: `normalize_key`); every typed
word must begin a word of the label, in any order ("paren" finds "Soutien à la parentalité",
"35" finds "Ille-et-Vilaine (35)"). The text needs at least `MIN_CHARS` letters or digits.

Cost: keywords, structures, communes and départements are a few thousand labels, read once per
worker into `LabelIndex` (sorted distinct words → labels, looked up with bisect) and read again
when the search index's generation moves (`search.changes`: a sheet published or withdrawn, a
structure or a keyword edited). Titles are never held in memory: one bounded query on the search
index (title column, last word as a prefix) returns at most `TITLE_CANDIDATES` published sheets.

Only what the public catalogue shows is suggested: published sheets, and keywords, structures,
communes and départements having at least one.
"""

import heapq
import logging
import threading
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.text import slugify

from catalogue.display import display_label
from catalogue.models import (
    ActionSheet,
    Keyword,
    PublicationStatus,
    Structure,
)
from essaimage.lib.french import count_noun
from essaimage.lib.text import normalize_key
from search import analysis
from search.query import SheetQuery

MIN_CHARS = 2
LIMIT = 8  # suggestions shown at most, all groups together
PER_GROUP = LIMIT  # candidates kept per group: one group alone may fill LIMIT
TITLE_CANDIDATES = 200  # sheets read from the index for one prefix, at most
MAX_WORDS = 6  # typed words looked at (the box allows 200 characters)

# Group order on screen, with its French heading.
GROUPS = (
    ("keyword", "Mots clés"),
    ("structure", "Structures"),
    ("commune", "Communes"),
    ("departement", "Départements"),
    ("sheet", "Fiches actions"),
)
GROUP_LABELS = dict(GROUPS)

_PUBLISHED = PublicationStatus.PUBLISHED
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    kind: str  # one of GROUPS
    label: str
    url: str
    detail: str = ""  # a second, quieter line: "Rennes (35)", "12 fiches"


@dataclass(frozen=True)
class SuggestionGroup:
    kind: str
    label: str
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class Suggestions:
    text: str  # what was typed
    groups: list[SuggestionGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(g.suggestions) for g in self.groups)

    @property
    def announcement(self) -> str:
        """What the polite live region says: "5 suggestions", "1 suggestion"."""
        return count_noun(self.count, "suggestion") if self.count else "Aucune suggestion"


@dataclass(frozen=True, slots=True)
class Entry:
    """A label of the in-memory index; `key` is the label folded (for ranking)."""

    kind: str
    label: str
    key: str
    count: int  # published sheets: the more, the higher
    target: object  # what the URL is built from (keyword value, structure ids, code…)
    detail: str = ""


@dataclass
class LabelIndex:
    entries: list[Entry]
    words: list[str]  # sorted distinct folded words of every label
    postings: list[list[int]]  # for words[i]: indexes of the entries holding it

    @classmethod
    def build(cls, entries: list[Entry]) -> "LabelIndex":
        by_word: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(entries):
            for word in set(entry.key.split()):
                by_word[word].append(i)
        words = sorted(by_word)
        return cls(entries, words, [by_word[w] for w in words])

    def lookup(self, prefixes: list[str]) -> list[Entry]:
        """Entries holding, for each prefix, a word that begins with it."""
        found: set[int] | None = None
        for prefix in prefixes:
            matched: set[int] = set()
            i = bisect_left(self.words, prefix)
            while i < len(self.words) and self.words[i].startswith(prefix):
                matched.update(self.postings[i])
                i += 1
            found = matched if found is None else found & matched
            if not found:
                return []
        return [self.entries[i] for i in found or ()]


# --- The in-memory labels, one copy per worker ---------------------------------------------------

# Sheets published, edited or withdrawn one by one (the change log of search.changes) move
# labels only a little (a count, a structure's first or last published sheet): the labels are
# read again at most this often for them. Anything else (a structure or keyword edited, an
# import: a new generation token) reads them again at once. Titles are always read live.
LABELS_MAX_AGE = 30.0  # seconds

_lock = threading.Lock()
_cached: tuple[str, str, float, LabelIndex] | None = None  # token, state, built at, labels


def index_state() -> tuple[str, str]:
    """(token, state) of the search index (search.changes), in one query: the token moves on a
    full rebuild, the state on every change; the last log row's stamp tells a row from one that
    reused its id after a rollback."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT generation FROM search_indexstate WHERE id = 1), COUNT(*), MAX(id), "
            "(SELECT stamp FROM search_indexchange ORDER BY id DESC LIMIT 1) "
            "FROM search_indexchange"
        )
        token, count, last, stamp = cursor.fetchone()
    token = f"{connection.alias}:{connection.settings_dict['NAME']}:{token}"
    return token, f"{token}:{count}:{last}:{stamp}"


def _fresh(cached, token: str, state: str) -> bool:
    return cached is not None and (
        cached[1] == state or (cached[0] == token and time.monotonic() - cached[2] < LABELS_MAX_AGE)
    )


def label_index() -> LabelIndex:
    """The worker's labels, read again when the search index has moved (see LABELS_MAX_AGE).

    Only a worker's first call waits for them; later, stale labels answer while a background
    thread reads them again (as search.engines.memory; off with SEARCH_FAST_PATH_BACKGROUND,
    as in tests, whose rows another connection cannot see)."""
    global _cached
    token, state = index_state()
    cached = _cached
    if _fresh(cached, token, state):
        return cached[3]
    if (
        cached is not None
        and cached[0].rsplit(":", 1)[0] == token.rsplit(":", 1)[0]  # the same database
        and getattr(settings, "SEARCH_FAST_PATH_BACKGROUND", True)
    ):
        _refresh_in_background()
        return cached[3]
    with _lock:
        if _fresh(_cached, token, state):
            return _cached[3]
        index = LabelIndex.build(load_entries())
        _cached = (token, state, time.monotonic(), index)
        return index


_refreshing: threading.Thread | None = None


def _refresh_in_background() -> None:
    global _refreshing
    with _lock:
        if _refreshing is not None and _refreshing.is_alive():
            return
        _refreshing = threading.Thread(target=_refresh, name="suggestion-labels", daemon=True)
        _refreshing.start()


def _refresh() -> None:
    global _cached
    try:
        # The state as this thread's connection sees it (committed rows), read before them.
        token, state = index_state()
        index = LabelIndex.build(load_entries())
        _cached = (token, state, time.monotonic(), index)
    except Exception:  # the stale labels keep answering; the next request tries again
        logger.exception("suggestion_labels_failed")
    finally:
        connection.close()  # this thread's own connection


def clear_cache() -> None:
    global _cached
    _cached = None


def _departement_label(name: str, code: str) -> str:
    return f"{name} ({code})"


def load_entries() -> list[Entry]:
    """Keywords, structures, communes and départements having published sheets (2 queries)."""
    entries: list[Entry] = []
    published = Q(sheets__publication_status=_PUBLISHED)
    keywords = (
        Keyword.objects.filter(published)
        .annotate(n=Count("sheets"))
        .values_list("value", "label", "n")
    )
    for value, label, n in keywords:
        shown = display_label(label)
        entries.append(
            Entry("keyword", shown, normalize_key(shown), n, value, count_noun(n, "fiche"))
        )
    structures = (
        Structure.objects.filter(published)
        .annotate(n=Count("sheets"))
        .values_list("pk", "name", "commune", "departement__code", "departement__name", "n")
    )
    communes: dict[tuple[str, str], list] = {}
    departements: dict[str, list] = {}
    for pk, name, commune, code, dep_name, n in structures:
        place = ", ".join(
            filter(None, [commune.strip(), _departement_label(dep_name, code) if code else ""])
        )
        entries.append(Entry("structure", name, normalize_key(name), n, (pk, name), place))
        if commune.strip():
            key = (normalize_key(commune), code or "")
            spellings, ids, total = communes.setdefault(key, [Counter(), [], 0])[:3]
            spellings[commune.strip()] += 1
            ids.append((pk, name))
            communes[key][2] = total + n
        if code:
            departements.setdefault(code, [dep_name, 0])[1] += n
    for (key, code), (spellings, ids, total) in communes.items():
        # The spelling most structures use; in capitals only if no other spelling exists.
        label = spellings.most_common(1)[0][0] if len(spellings) > 1 else next(iter(spellings))
        if label.isupper() and len(spellings) > 1:
            label = next((s for s, _ in spellings.most_common() if not s.isupper()), label)
        detail = ", ".join(
            filter(
                None,
                [
                    _departement_label(departements[code][0], code) if code else "",
                    count_noun(len(ids), "structure"),
                ],
            )
        )
        entries.append(Entry("commune", label, key, total, tuple(sorted(ids)), detail))
    for code, (name, total) in departements.items():
        label = _departement_label(name, code)
        entries.append(
            Entry(
                "departement",
                label,
                normalize_key(label),
                total,
                code,
                count_noun(total, "fiche"),
            )
        )
    return entries


# --- Typed text -----------------------------------------------------------------------------------


def typed_words(text: str) -> list[str]:
    """The folded words of `text` (at most MAX_WORDS), or [] under MIN_CHARS letters or digits."""
    key = normalize_key(text or "")
    words = [w for w in (_alnum(w) for w in key.split()) if w][:MAX_WORDS]
    if sum(len(w) for w in words) < MIN_CHARS:
        return []
    return words


def _alnum(word: str) -> str:
    return "".join(c for c in word if c.isalnum())


# --- Titles: a bounded query on the search index ------------------------------------------------


def _title_terms(words: list[str]) -> list[tuple[str, ...]]:
    """For each typed word, the index terms it may begin (alternatives): the folded word and its
    normalised form ("sociaux" is stored "social"). Stop words (but the last word, a prefix) and
    single letters are left out."""
    out = []
    for i, word in enumerate(words):
        last = i == len(words) - 1  # a prefix: "par" may begin "parentalité"
        if (word in analysis.STOP_WORDS and not last) or (len(word) < 2 and not word.isdigit()):
            continue
        forms = {analysis.fold(word), analysis.normalise(word)}
        forms = {f for f in forms if f and f.isalnum()}
        if forms:
            out.append(tuple(sorted(forms)))
    return out


def _title_ids(alternatives: list[tuple[str, ...]], limit: int) -> list[int]:
    if not alternatives:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery = " & ".join(
                "(" + " | ".join(f"'{t}':*A" for t in forms) + ")" for forms in alternatives
            )
            cursor.execute(
                "SELECT d.sheet_id FROM search_searchdocument d "
                "JOIN catalogue_actionsheet s ON s.id = d.sheet_id "
                "WHERE d.vector @@ %s::tsquery AND s.publication_status = %s LIMIT %s",
                [tsquery, _PUBLISHED, limit],
            )
        else:
            match = (
                "{title} : ("
                + " AND ".join(
                    "(" + " OR ".join(f"{t}*" for t in forms) + ")" for forms in alternatives
                )
                + ")"
            )
            # CROSS JOIN keeps the index first: the planner would otherwise read the published
            # sheets and run the match once per sheet (seconds instead of milliseconds).
            cursor.execute(
                "SELECT f.rowid FROM search_fts f CROSS JOIN catalogue_actionsheet s "
                "ON s.id = f.rowid "
                "WHERE search_fts MATCH %s AND s.publication_status = %s LIMIT %s",
                [match, _PUBLISHED, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def _rank(key: str, words: list[str], count: int = 0) -> tuple:
    """Labels that begin with the typed text first, then those whose words begin with the typed
    words in the same order, then the most used, the shortest."""
    typed = " ".join(words)
    return (
        not key.startswith(typed),
        (" " + typed) not in (" " + key),
        -count,
        len(key),
        key,
    )


def title_suggestions(words: list[str], limit: int = PER_GROUP) -> list[Suggestion]:
    ids = _title_ids(_title_terms(words), TITLE_CANDIDATES)
    if not ids:
        return []
    rows = ActionSheet.objects.filter(pk__in=ids, publication_status=_PUBLISHED).values_list(
        "pk", "title", "structure__name"
    )
    # The index stores stemmed terms: keep the titles whose words really begin as typed.
    lookup = LabelIndex.build(
        [
            Entry("sheet", title, normalize_key(title), 0, (pk, structure))
            for pk, title, structure in rows
        ]
    ).lookup(words)
    best = heapq.nsmallest(limit, lookup, key=lambda e: _rank(e.key, words))
    if len(best) < limit:  # "sociaux" typed, "Centre social" stored: still a match
        chosen = {e.target for e in best}
        rest = [
            Entry("sheet", t, normalize_key(t), 0, (pk, s))
            for pk, t, s in rows
            if (pk, s) not in chosen
        ]
        best += heapq.nsmallest(limit - len(best), rest, key=lambda e: _rank(e.key, words))
    return [
        Suggestion(
            "sheet",
            e.label,
            reverse("catalogue:sheet-detail", args=[e.target[0], slugify(e.label)[:80] or "fiche"]),
            e.target[1],
        )
        for e in best
    ]


# --- Suggestions ----------------------------------------------------------------------------------


def _url(entry: Entry, query: SheetQuery) -> str:
    catalogue = reverse("catalogue:sheet-list")
    if entry.kind == "keyword":
        # Applies the filter: the catalogue's other filters stay, the typed text goes.
        keywords = query.keywords + ((entry.target,) if entry.target not in query.keywords else ())
        return catalogue + "?" + replace(query, q="", keywords=keywords).querystring()
    if entry.kind == "structure":
        pk, name = entry.target
        return reverse("catalogue:structure-detail", args=[pk, slugify(name)[:80] or "structure"])
    if entry.kind == "departement":
        return reverse("catalogue:departement-detail", args=[entry.target])
    # A commune: its one structure's page, or the catalogue filtered on its structures.
    structures = entry.target
    if len(structures) == 1:
        return _url(Entry("structure", "", "", 0, structures[0]), query)
    return catalogue + "?" + urlencode([("structure", pk) for pk, _ in structures])


def suggest(text: str, query: SheetQuery | None = None, limit: int = LIMIT) -> Suggestions:
    """Up to `limit` suggestions for `text`, grouped (GROUPS order); the groups share `limit`
    in turn, so one large group never hides the others. `query` is the catalogue's current
    query: a keyword suggestion adds its filter to it."""
    words = typed_words(text)
    if not words:
        return Suggestions(text)
    query = query or SheetQuery()
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    for entry in label_index().lookup(words):
        by_kind[entry.kind].append(entry)
    candidates: dict[str, list] = {
        kind: heapq.nsmallest(PER_GROUP, entries, key=lambda e: _rank(e.key, words, e.count))
        for kind, entries in by_kind.items()
    }
    candidates["sheet"] = title_suggestions(words)
    # Share `limit` in turn between the groups.
    taken = {kind: 0 for kind, _ in GROUPS}
    total = 0
    while total < limit:
        progressed = False
        for kind, _ in GROUPS:
            if total < limit and taken[kind] < len(candidates.get(kind, ())):
                taken[kind] += 1
                total += 1
                progressed = True
        if not progressed:
            break
    groups = []
    for kind, heading in GROUPS:
        chosen = candidates.get(kind, [])[: taken[kind]]
        if not chosen:
            continue
        if kind != "sheet":
            chosen = [Suggestion(kind, e.label, _url(e, query), e.detail) for e in chosen]
        groups.append(SuggestionGroup(kind, heading, chosen))
    return Suggestions(text, groups)
