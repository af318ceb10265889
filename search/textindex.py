"""The in-memory text index of the memory engine: per analysed term, one bitmap of engine
positions per field class (title, keywords/structure/partners/publics, summary, long texts),
for the published sheets. A text search then costs bitmap operations and numpy arrays over
positions instead of {sheet id: field bits} dictionaries fetched from the database and walked
in Python (tens of milliseconds for "famille" in 60,000 sheets of 100,000).

It is read from the database's own index, never by analysing the texts again: SQLite's
`fts5vocab` (instance) of `search_fts`, PostgreSQL's `unnest(vector)`. It follows the change
log with the other bitmaps of search.engines.memory and is rebuilt with them. The thesaurus'
expressions of several words are read at build (PostgreSQL: from the words' positions, in the
same pass; SQLite: FTS5 phrase queries). Other phrases, prefixes and "words close together" are
asked from the database (phrases and close words are then kept with the index), and so are the
terms left out by the size cap (SEARCH_TEXT_INDEX_MB): the rarest.

`evaluate` gives exactly what search.matching.evaluate gives over the published sheets (same
sheets, ranks, relaxed/widened flags and corrections): both share the planning and expansion
(search.matching.expand) and the same arithmetic, done here per bitmap class with numpy;
search/tests/test_text_index.py and test_fast_path.py compare them.
"""

import array
import bisect
import logging
import sys
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from pyroaring import BitMap, FrozenBitMap

from essaimage.lib import malloc
from search import feedback, matching, rescoring, scoring
from search.matching import NEAR_DISTANCE, Alternative

logger = logging.getLogger(__name__)
BITS = (1, 2, 4, 8)  # field bit of each class: title, keywords/structure, summary, long texts
EMPTY = FrozenBitMap()
NOTHING = (EMPTY, EMPTY, EMPTY, EMPTY)
# FTS5 column -> field class (search.backends.sqlite_fts5._COLUMNS).
_CLASS_OF_COLUMN = {"title": 0, "keywords": 1, "structure": 1, "summary": 2, "body": 3}
# PostgreSQL weight -> field class (search.backends.postgres.WEIGHTS).
_CLASS_OF_WEIGHT = {"A": 0, "B": 1, "C": 2, "D": 3}
# Bytes of Python objects per stored term and per non-empty bitmap, beside the bitmaps' own.
_TERM_OVERHEAD, _BITMAP_OVERHEAD = 200, 100


def bitmap(positions) -> FrozenBitMap:
    """A bitmap of a numpy array of positions (through array.array: C speed)."""
    return FrozenBitMap(array.array("I", np.asarray(positions, dtype=np.uint32).tobytes()))


def positions_of(bits) -> np.ndarray:
    return np.frombuffer(bits.to_array(), dtype=np.uint32).astype(np.intp)


# Of the matches kept per index, in each worker: at 1,000,000 sheets a match of 600,000 sheets
# holds ≈ 8 MB (arrays and bitmap), so this keeps the last large one (the page and facet
# requests of one search) and smaller ones.
MAX_CACHE_BYTES = 16 * 1024 * 1024
# Phrases kept once asked from the database (beside the thesaurus', read at build).
MAX_PHRASES = 5000


@dataclass
class TextIndex:
    terms: dict[str, tuple[FrozenBitMap, ...]]  # term -> 4 bitmaps (field classes)
    complete: bool = True  # False: terms were left out by the cap, the database has them
    nbytes: int = 0  # estimated memory of the terms and bitmaps
    # Phrases (several terms in a row in one field) -> 4 bitmaps: the thesaurus' expressions
    # and phrases asked since, kept up to date with the terms.
    phrases: dict[tuple[str, ...], tuple[FrozenBitMap, ...]] = field(default_factory=dict)
    # Pairs of terms (in order) -> the sheets where they are close (NEAR_DISTANCE words, one
    # field), kept once asked from the database and up to date with the terms.
    near: dict[tuple[str, str], FrozenBitMap] = field(default_factory=dict)
    # Position -> terms per field class (search.scoring: BM25F's length normalisation).
    lengths: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.uint32))
    _sorted: list[str] | None = None
    _norms: tuple | None = None  # (averages, per class: position -> inverse norm)

    def norms(self, published: FrozenBitMap) -> tuple[tuple[float, ...], list[np.ndarray]]:
        """The average lengths over `published` and, per field class, BOOST / (1 − B + B ·
        length / average) of every position (computed once per index)."""
        if self._norms is None or self._norms[0] is not published:
            ps = positions_of(published)
            lengths = self.lengths
            inside = ps[ps < len(lengths)]
            sums = tuple(int(v) for v in lengths[inside].sum(axis=0, dtype=np.int64))
            holding = tuple(int(v) for v in np.count_nonzero(lengths[inside], axis=0))
            averages = scoring.averages(sums, holding)
            as_float = lengths.astype(np.float64)
            inverse = []
            for k in range(4):
                if averages[k]:
                    b = scoring.B[k]
                    inverse.append(scoring.BOOST[k] / (1.0 - b + b * as_float[:, k] / averages[k]))
                else:
                    inverse.append(np.full(len(lengths), scoring.BOOST[k]))
            self._norms = (published, averages, inverse)
        return self._norms[1], self._norms[2]

    def sorted_terms(self) -> list[str]:
        """The terms in order (prefixes: a range of them)."""
        if self._sorted is None:
            self._sorted = sorted(self.terms)
        return self._sorted

    def candidates(self, terms: tuple[str, ...]) -> tuple[FrozenBitMap, ...] | None:
        """Per field class, the sheets holding every term of a phrase (None: a term is not
        here and the index is incomplete)."""
        found = [self.terms.get(t) for t in terms]
        if any(f is None for f in found):
            return None if not self.complete else NOTHING
        return tuple(FrozenBitMap.intersection(*(f[k] for f in found)) for k in range(4))


def _size(bitmaps) -> int:
    return _TERM_OVERHEAD + sum(
        _BITMAP_OVERHEAD + len(b.serialize()) for b in bitmaps if b is not EMPTY
    )


def cap_bytes() -> int:
    return int(float(getattr(settings, "SEARCH_TEXT_INDEX_MB", 256)) * 1024 * 1024)


# --- Reading the database's index ------------------------------------------------------------------


def _sqlite_rows():
    """(term, "doc*4+class,...") for every term of search_fts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.essaimage_fts_instance "
            "USING fts5vocab(main, search_fts, instance)"
        )
        case = " ".join(f"WHEN '{c}' THEN {k}" for c, k in _CLASS_OF_COLUMN.items())
        # One row per occurrence, in (term, doc, column) order: the duplicates are dropped in
        # numpy (DISTINCT here costs more).
        cursor.execute(
            f"SELECT term, group_concat(doc * 4 + CASE col {case} ELSE 3 END) "  # noqa: S608
            "FROM temp.essaimage_fts_instance GROUP BY term"
        )
        while rows := cursor.fetchmany(2000):
            yield from rows


# Published sheets per PostgreSQL read: each read groups the postings of this many documents
# (a hash aggregate in memory), never the whole base at once.
CHUNK_DOCUMENTS = 20000


# An occurrence of a phrase word on PostgreSQL: sheet id << 17 | field class << 15 | position
# (tsvector positions stop at 16,383: position + 1 never reaches the class bits).
_CLASS_SHIFT, _SHEET_SHIFT = 15, 17
CHUNK_END = None  # what _postgres_rows yields after each chunk


def _postgres_rows(sheet_ids: np.ndarray, words: list[str]):
    """(term, "doc*16+classes,...", occurrences) per chunk of CHUNK_DOCUMENTS documents in id
    order, then CHUNK_END: a term comes once per chunk holding it, with one value per document
    (`classes`: the bits of the field classes holding it). One `GROUP BY lexeme` over a million
    tsvectors was one long server-side sort (870 s at 1,000,000 sheets); per chunk it is a hash
    aggregate in work_mem, and the bitmaps grow chunk by chunk.

    For the `words` of the thesaurus' phrases, `occurrences` gives their positions too, as four
    strings (None for the other terms): the documents' ids, each one's number of positions, the
    positions, their weights (one letter each), so that the chunk's phrases are found from the
    same pass over the tsvectors. No row per position is made on the server: unnesting the
    positions cost twice this whole query."""
    mask = " | ".join(
        f"(('{w}' = ANY(u.weights))::int << {k})" for w, k in _CLASS_OF_WEIGHT.items()
    )
    bounds = sheet_ids[::CHUNK_DOCUMENTS].tolist() + [int(sheet_ids[-1]) + 1]
    phrase = "FILTER (WHERE pw.word IS NOT NULL)"
    with connection.cursor() as cursor:
        # Local to the build's transaction: a chunk's groups stay in memory.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        for low, high in zip(bounds, bounds[1:], strict=False):
            cursor.execute(
                f"SELECT u.lexeme, string_agg((d.sheet_id::bigint * 16 + ({mask}))::text, ','), "  # noqa: S608
                f"string_agg(d.sheet_id::text, ',') {phrase}, "
                f"string_agg(cardinality(u.positions)::text, ',') {phrase}, "
                f"string_agg(array_to_string(u.positions, ','), ',') {phrase}, "
                f"string_agg(array_to_string(u.weights, ''), '') {phrase} "
                "FROM search_searchdocument d CROSS JOIN LATERAL unnest(d.vector) u "
                "LEFT JOIN (SELECT unnest(%s::text[]) AS word) pw ON pw.word = u.lexeme "
                "WHERE d.sheet_id >= %s AND d.sheet_id < %s GROUP BY u.lexeme",
                [words, low, high],
            )
            while rows := cursor.fetchmany(2000):
                yield from rows
            yield CHUNK_END


def _occurrences(sheets: str, counts: str, positions: str, weights: str) -> np.ndarray:
    """The sorted codes (see _CLASS_SHIFT) of a word's occurrences in a chunk."""
    per_sheet = np.fromstring(counts, dtype=np.int64, sep=",")
    sheet = np.repeat(np.fromstring(sheets, dtype=np.int64, sep=","), per_sheet)
    classes = np.frombuffer(weights.encode("ascii"), dtype=np.uint8).astype(np.int64) - ord("A")
    at = np.fromstring(positions, dtype=np.int64, sep=",")
    return np.sort(sheet << _SHEET_SHIFT | classes << _CLASS_SHIFT | at)


def build(ids: list[int], published: FrozenBitMap) -> TextIndex | None:
    """The text index of the published positions `published` (`ids`: position -> sheet id),
    or None when the database cannot give it (a read-only SQLite file refuses the temporary
    vocabulary table): the database then matches the text."""
    try:
        with transaction.atomic():
            return _build(ids, published)
    except DatabaseError as error:
        logger.warning("text index unavailable, the database matches the text: %s", error)
        return None


def _build(ids: list[int], published: FrozenBitMap) -> TextIndex:
    n = len(ids)
    if not n:
        return TextIndex({})
    ids_arr = np.asarray(ids, dtype=np.int64)
    position = np.full(int(ids_arr.max()) + 1, -1, dtype=np.int64)
    pub = positions_of(published)
    position[ids_arr[pub]] = pub  # the published sheets only
    top = len(position)
    expressions = _thesaurus_phrases()
    on_postgres = connection.vendor == "postgresql"
    phrases = expressions
    if on_postgres:
        # As the backend: a phrase with a word that is not alphanumeric matches nothing.
        phrases = [terms for terms in expressions if all(t.isalnum() for t in terms)]
        words = sorted({t for terms in phrases for t in terms})
        rows = _postgres_rows(np.sort(ids_arr[pub]), words) if len(pub) else iter(())
    else:
        rows = _sqlite_rows()
    # term -> 4 growing bitmaps (a term comes once on SQLite, once per chunk on PostgreSQL).
    growing: dict[str, list] = {}
    # PostgreSQL: phrase -> 4 growing bitmaps, and the occurrences of the phrases' words in
    # the current chunk (sorted codes, see _postgres_rows).
    growing_phrases: dict[tuple[str, ...], list] = {}
    occurrences: dict[str, np.ndarray] = {}
    # One value per posting: doc << shift | field class bits (PostgreSQL), or doc*4+class.
    shift = 4 if on_postgres else 2
    for row in rows:
        if row is CHUNK_END:
            _find_phrases(phrases, occurrences, position, growing_phrases)
            occurrences.clear()
            continue
        term, packed, *coded = row
        if coded and coded[0]:
            occurrences[term] = _occurrences(*coded)
        if not packed:
            continue
        values = np.fromstring(packed, dtype=np.int64, sep=",")
        docs = values >> shift
        keep = docs < top
        docs, values = docs[keep], values[keep]
        bits = values & 15 if on_postgres else 1 << (values & 3)
        pos = position[docs]
        found = pos >= 0
        if not found.any():
            continue
        bitmaps = growing.get(term)
        if bitmaps is None:
            bitmaps = growing[term] = [None, None, None, None]
        _grow(bitmaps, pos[found], bits[found])
    terms: dict[str, tuple[FrozenBitMap, ...]] = {}
    sizes: dict[str, int] = {}
    for term in list(growing):
        terms[term] = _frozen(growing.pop(term))
        sizes[term] = _size(terms[term])
    text = _capped(TextIndex(terms, True, sum(sizes.values())), sizes)
    text.lengths = read_lengths(position, n)
    if on_postgres:
        text.phrases = {
            phrase: _frozen(growing_phrases[phrase]) if phrase in growing_phrases else NOTHING
            for phrase in expressions
        }
    else:
        _read_phrases(text, phrases, position, published)
    return text


def read_lengths(position: np.ndarray, size: int, sheet_ids=None) -> np.ndarray:
    """Position -> terms per field class (SearchDocument's lengths) for `size` positions, of
    every indexed sheet with a position (or only of `sheet_ids`)."""
    from search.models import SearchDocument

    out = np.zeros((size, 4), dtype=np.uint32)
    documents = SearchDocument.objects.all()
    if sheet_ids is not None:
        documents = documents.filter(pk__in=list(sheet_ids))
    rows = documents.values_list("pk", *scoring.LENGTH_FIELDS)
    table = np.array(list(rows), dtype=np.int64).reshape(-1, 5)
    if len(table):
        table = table[table[:, 0] < len(position)]
        pos = position[table[:, 0]]
        keep = (pos >= 0) & (pos < size)
        out[pos[keep]] = table[keep, 1:]
    return out


def _grow(bitmaps: list, pos: np.ndarray, bits: np.ndarray) -> None:
    """Add positions `pos` to the growing bitmaps of their field classes (`bits`: 1 << class,
    or several)."""
    for k in range(4):
        ps = pos[(bits & 1 << k) != 0]
        if not len(ps):
            continue
        # Sorted and without repeats: the fastest input for a bitmap.
        chunk = BitMap(array.array("I", np.unique(ps).astype(np.uint32).tobytes()))
        if bitmaps[k] is None:
            bitmaps[k] = chunk
        else:
            bitmaps[k] |= chunk


def _frozen(bitmaps: list) -> tuple[FrozenBitMap, ...]:
    return tuple(FrozenBitMap(b) if b else EMPTY for b in bitmaps)


def _thesaurus_phrases() -> list[tuple[str, ...]]:
    """The thesaurus' expressions of several words (an index keeps their sheets: a search
    expanded by the thesaurus never asks the database for them)."""
    from search import thesaurus

    table = thesaurus.current()
    wanted = {k for k in table.related if len(k) > 1}
    wanted |= {o for others in table.related.values() for o, _ in others if len(o) > 1}
    return sorted(wanted)


def _find_phrases(
    phrases: list[tuple[str, ...]],
    occurrences: dict[str, np.ndarray],
    position: np.ndarray,
    growing: dict[tuple[str, ...], list],
) -> None:
    """Add to `growing` the sheets of one chunk holding each phrase: its words at consecutive
    positions of one field class (PostgreSQL's `'a':A <-> 'b':A`, read from the same positions
    and weights), from the chunk's `occurrences` (sorted codes per word)."""
    for terms in phrases:
        codes = [occurrences.get(t) for t in terms]
        if any(c is None for c in codes):
            continue
        at = codes[0]
        for following in codes[1:]:
            # The occurrences of the next word one position further, same sheet and class.
            wanted = at + 1
            where = np.minimum(np.searchsorted(following, wanted), len(following) - 1)
            at = wanted[following[where] == wanted]
            if not len(at):
                break
        if not len(at):
            continue
        docs = at >> _SHEET_SHIFT
        keep = docs < len(position)
        pos, classes = position[docs[keep]], (at[keep] >> _CLASS_SHIFT) & 3
        found = pos >= 0
        if found.any():
            bitmaps = growing.setdefault(terms, [None, None, None, None])
            _grow(bitmaps, pos[found], 1 << classes[found])


def _read_phrases(
    text: TextIndex, phrases: list[tuple[str, ...]], position: np.ndarray, published: FrozenBitMap
) -> None:
    """The thesaurus' `phrases` from the database (SQLite: one query per 100)."""
    from search.backends import get_backend

    asked = []
    for terms in phrases:
        if not all(t.isalnum() for t in terms):
            text.phrases[terms] = NOTHING
            continue
        candidates = text.candidates(terms)
        if candidates is not None and not any(candidates):
            text.phrases[terms] = NOTHING
        else:
            asked.append(terms)
    backend = get_backend()
    for start in range(0, len(asked), 100):
        chunk = asked[start : start + 100]
        for terms, found in zip(
            chunk, backend.term_fields([(t, False) for t in chunk]), strict=True
        ):
            text.phrases[terms] = _to_positions(found, position, published)


def position_array(ids: list[int]) -> np.ndarray:
    """Sheet id -> engine position (-1: none), as a numpy array indexed by id."""
    ids_arr = np.asarray(ids, dtype=np.int64)
    position = np.full(int(ids_arr.max()) + 1 if len(ids_arr) else 1, -1, dtype=np.int64)
    position[ids_arr] = np.arange(len(ids_arr))
    return position


def _to_positions(found: dict[int, int], position: np.ndarray, published: FrozenBitMap):
    """{sheet id: field bits} -> 4 bitmaps of published positions (`position`: a numpy array
    sheet id -> position, -1 for none)."""
    if not found:
        return NOTHING
    pks = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
    bits = np.fromiter(found.values(), dtype=np.int64, count=len(found))
    inside = pks < len(position)
    pos, bits = position[pks[inside]], bits[inside]
    known = pos >= 0
    pos, bits = pos[known], bits[known]
    out = []
    for k in range(4):
        ps = pos[(bits & 1 << k) != 0]
        out.append(bitmap(np.sort(ps)) & published if len(ps) else EMPTY)
    return tuple(out)


def _capped(text: TextIndex, sizes: dict[str, int]) -> TextIndex:
    """Above the cap, the rarest terms leave (the database answers them: few sheets each)."""
    cap = cap_bytes()
    if text.nbytes <= cap:
        return text
    by_size = sorted(text.terms, key=lambda t: (sum(len(b) for b in text.terms[t]), t))
    for term in by_size:
        if text.nbytes <= cap:
            break
        text.nbytes -= sizes[term]
        del text.terms[term]
    text.complete = False
    return text


def document_fields(sheet_ids: list[int]) -> dict[int, list[tuple[int, list[str]]]]:
    """{sheet id: [(field class, its terms in order), ...]} of the indexed documents of
    `sheet_ids` (one item per run of words: a column on SQLite, consecutive positions on
    PostgreSQL), from the index as written (a few sheets: the change log)."""
    out: dict[int, list[tuple[int, list[str]]]] = {}
    if not sheet_ids:
        return out
    if connection.vendor == "postgresql":
        placed: dict[int, dict[int, tuple[str, int]]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.sheet_id, u.lexeme, u.positions, u.weights "
                "FROM search_searchdocument d, unnest(d.vector) u WHERE d.sheet_id = ANY(%s)",
                [list(sheet_ids)],
            )
            for pk, term, positions, weights in cursor.fetchall():
                at = placed.setdefault(pk, {})
                for p, w in zip(positions or [], weights or [], strict=False):
                    at[p] = (term, _CLASS_OF_WEIGHT.get(w, 3))
        for pk, at in placed.items():
            runs = out.setdefault(pk, [])
            previous = None
            for p in sorted(at):
                term, k = at[p]
                if previous is None or p != previous + 1 or runs[-1][0] != k:
                    runs.append((k, []))
                runs[-1][1].append(term)
                previous = p
        return out
    # SQLite: the terms exactly as the index holds them (search_terms, the content table of the
    # external-content FTS5 table search_fts).
    classes = (0, 1, 1, 2, 3)  # title, keywords, structure, summary, body
    ids = list(sheet_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                "SELECT id, title, keywords, structure, summary, body FROM search_terms "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )
            for pk, *columns in cursor.fetchall():
                out[pk] = [
                    (k, text.split()) for k, text in zip(classes, columns, strict=True) if text
                ]
    return out


def _close(runs: list[tuple[int, list[str]]], a: str, b: str) -> bool:
    """Whether `a` and `b` are at most NEAR_DISTANCE words apart in one run."""
    for _, terms in runs:
        at_a = [i for i, t in enumerate(terms) if t == a]
        if not at_a:
            continue
        at_b = [i for i, t in enumerate(terms) if t == b]
        if any(abs(i - j) <= NEAR_DISTANCE for i in at_a for j in at_b):
            return True
    return False


def _holds(runs: list[tuple[int, list[str]]], phrase: tuple[str, ...]) -> int:
    """Field class bits of the runs holding `phrase` (its terms in a row)."""
    bits, size = 0, len(phrase)
    for k, terms in runs:
        if bits & 1 << k:
            continue
        for i in range(len(terms) - size + 1):
            if terms[i] == phrase[0] and tuple(terms[i : i + size]) == phrase:
                bits |= 1 << k
                break
    return bits


def _without(table: dict, cleared: FrozenBitMap) -> dict:
    out = dict(table)
    if cleared:
        for key, bitmaps in list(out.items()):
            if any(b.intersect(cleared) for b in bitmaps):
                out[key] = tuple(b - cleared if b else EMPTY for b in bitmaps)
    return out


def _add(table: dict, added: dict) -> None:
    for key, lists in added.items():
        old = table.get(key, NOTHING)
        table[key] = tuple(
            old[k] | FrozenBitMap(lists[k]) if lists[k] else old[k] for k in range(4)
        )


def _place(table: dict, key, bits: int, position: int) -> None:
    """Add `position` to the lists of the field classes in `bits` of `table[key]`."""
    lists = table.setdefault(key, [[], [], [], []])
    for k in range(4):
        if bits & 1 << k:
            lists[k].append(position)


def apply(
    text: TextIndex,
    cleared: FrozenBitMap,
    documents: dict[int, list[tuple[int, list[str]]]],
    lengths: dict[int, np.ndarray] | None = None,
) -> TextIndex:
    """A copy of `text` without the positions `cleared`, then with `documents` ({position:
    document_fields' runs}: the changed sheets that are published now) and their `lengths`
    ({position: terms per field class})."""
    terms = _without(text.terms, cleared)
    phrases = _without(text.phrases, cleared)
    # list(dict.items()) copies at once: searches of other threads may add pairs meanwhile.
    near = {pair: bits - cleared for pair, bits in list(text.near.items())}
    added_near: dict[tuple[str, str], list[int]] = {}
    added: dict[str, list[list[int]]] = {}
    added_phrases: dict[tuple[str, ...], list[list[int]]] = {}
    for p, runs in documents.items():
        held: dict[str, int] = {}
        for k, words in runs:
            for term in words:
                held[term] = held.get(term, 0) | 1 << k
        for term, bits in held.items():
            if text.complete or term in terms:  # else left out by the cap: the database answers
                _place(added, term, bits, p)
        for pair in near:
            if pair[0] in held and pair[1] in held and _close(runs, *pair):
                added_near.setdefault(pair, []).append(p)
        for phrase in phrases:
            if all(t in held for t in phrase) and (bits := _holds(runs, phrase)):
                _place(added_phrases, phrase, bits, p)
    _add(terms, added)
    _add(phrases, added_phrases)
    for pair, ps in added_near.items():
        near[pair] = near[pair] | FrozenBitMap(ps)
    nbytes = text.nbytes + sum(_size(terms[t]) for t in added)
    size = max([len(text.lengths), *(p + 1 for p in (lengths or {}))])
    new_lengths = np.zeros((size, 4), dtype=np.uint32)
    new_lengths[: len(text.lengths)] = text.lengths
    for p, row in (lengths or {}).items():
        new_lengths[p] = row
    return TextIndex(terms, text.complete, nbytes, phrases, near, new_lengths)


def release_memory() -> None:
    """Give the build's transient memory (texts of the whole index) back to the system."""
    malloc.release_memory()


# --- Matching ------------------------------------------------------------------------------------


class IndexedTextMatch:
    """search.matching.TextMatch over engine positions: `positions` (the matching published
    sheets, a bitmap) and their ranks (`rank_at`)."""

    def __init__(self, ids, positions, ranks, relaxed, widened, corrections, highlight):
        self._ids = ids
        self.positions = positions
        self._ps = positions_of(positions).astype(np.uint32)  # in order
        self._rank = ranks  # of each of _ps
        self.relaxed = relaxed
        self.widened = widened
        self.corrections = corrections
        self.highlight = highlight
        self.missing: tuple[str, ...] = ()
        self.related_keywords: tuple[tuple[str, str], ...] = ()
        self.stand_ins: tuple[tuple[str, tuple[str, ...]], ...] = ()
        self.rescorer = None  # as search.matching.TextMatch.rescorer

    @property
    def ranks(self) -> dict[int, float]:
        """{sheet id: rank} as search.matching.TextMatch (the database engine, statistics and
        exports read it). Made on each call, never kept: the match stays in the match cache,
        where a dict of 600,000 sheets would hold some 60 MB uncounted."""
        return dict(zip(self.ids, self._rank.tolist(), strict=True))

    def rank_at(self, ps: np.ndarray) -> np.ndarray:
        """The ranks of positions `ps` (all of them matching)."""
        return self._rank[np.searchsorted(self._ps, ps)]

    @property
    def nbytes(self) -> int:
        """What the match holds: its arrays and its bitmap (pyroaring counts its containers)."""
        return self._ps.nbytes + self._rank.nbytes + sys.getsizeof(self.positions)

    @property
    def ids(self) -> list[int]:
        """The matching sheets' ids, in position order (as `ranks`)."""
        ids = self._ids
        if isinstance(ids, array.array):
            ids = np.frombuffer(ids, dtype=np.int64)  # a view of the index's ids, no copy
        return np.asarray(ids, dtype=np.int64)[self._ps].tolist()


class Matcher:
    """Field bitmaps of alternatives: from the text index, or from the database (phrases,
    prefixes, terms left out by the cap) converted to positions."""

    def __init__(self, text: TextIndex, position: np.ndarray, published: FrozenBitMap, backend):
        self.text = text
        self.position = position
        self.published = published
        self.backend = backend
        self.cache: dict[tuple, tuple[FrozenBitMap, ...]] = {}
        self.unions: dict[tuple, FrozenBitMap] = {}

    def _local(self, alt: Alternative):
        if not alt.terms or not all(t.isalnum() for t in alt.terms):
            return NOTHING  # as the backends: nothing to match
        text = self.text
        if len(alt.terms) == 1 and not alt.prefix:
            found = text.terms.get(alt.terms[0])
            if found is not None:
                return found
            return NOTHING if text.complete else None
        if alt.prefix and len(alt.terms) == 1:
            if not text.complete:
                return None
            words = text.sorted_terms()
            start = alt.terms[0]
            first = bisect.bisect_left(words, start)
            last = bisect.bisect_left(words, start + "\U0010ffff", first)
            found = [text.terms[w] for w in words[first:last]]
            return tuple(FrozenBitMap.union(*(f[k] for f in found), EMPTY) for k in range(4))
        if not alt.prefix:
            found = text.phrases.get(alt.terms)
            if found is not None:
                return found
            candidates = text.candidates(alt.terms)
            if candidates is not None and not any(candidates):
                return NOTHING
        return None

    def prefetch(self, alts: list[Alternative]) -> None:
        remote = {}
        alts = [a for a in alts if not a.near] + [
            Alternative((t,)) for a in alts if a.near for t in a.terms
        ]
        for alt in alts:
            if alt.key in self.cache:
                continue
            found = self._local(alt)
            if found is None:
                remote[alt.key] = alt
            else:
                self.cache[alt.key] = found
        if not remote:
            return
        answers = self.backend.term_fields([(a.terms, a.prefix) for a in remote.values()])
        for (terms, prefix), found in zip(remote, answers, strict=True):
            bitmaps = _to_positions(found, self.position, self.published)
            self.cache[terms, prefix] = bitmaps
            phrases = self.text.phrases
            if len(terms) > 1 and not prefix and len(phrases) < MAX_PHRASES:
                # Kept with the index: the next change of these sheets updates it.
                phrases[terms] = bitmaps

    def near(self, pairs: list[tuple[str, str]]) -> list[FrozenBitMap]:
        """For each pair of terms, the published sheets where they are close: kept with the
        index once asked from the database (one query for the missing pairs)."""
        memo = self.text.near
        missing = list(dict.fromkeys(p for p in pairs if p not in memo))
        if missing:
            for pair, close in zip(missing, self.backend.near(missing, NEAR_DISTANCE), strict=True):
                found = _to_positions(dict.fromkeys(close, 1), self.position, self.published)
                if len(memo) < MAX_PHRASES:
                    memo[pair] = found[0]
                else:
                    self.cache["near", pair] = found[0]
        return [memo[p] if p in memo else self.cache["near", p] for p in pairs]

    def fields(self, alt: Alternative) -> tuple[FrozenBitMap, ...]:
        if alt.key not in self.cache:
            if alt.near:
                self.cache[alt.key] = self._near_fields(alt)
            else:
                self.prefetch([alt])
        return self.cache[alt.key]

    def _near_fields(self, alt: Alternative) -> tuple[FrozenBitMap, ...]:
        """search.matching.near_bits over bitmaps: sheets where each next word is close, in
        the field classes holding every word (or, where none does, any)."""
        singles = [self.fields(Alternative((t,))) for t in alt.terms]
        close = FrozenBitMap.intersection(*self.near(alt.near_pairs))
        together = [FrozenBitMap.intersection(*(f[k] for f in singles)) for k in range(4)]
        anywhere = [FrozenBitMap.union(*(f[k] for f in singles)) for k in range(4)]
        in_one = FrozenBitMap.union(*together)
        return tuple(((together[k] | (anywhere[k] - in_one)) & close) for k in range(4))

    def union(self, alt: Alternative) -> FrozenBitMap:
        if alt.key not in self.unions:
            self.unions[alt.key] = FrozenBitMap.union(*self.fields(alt))
        return self.unions[alt.key]


def evaluate(
    plan: matching.Plan, matcher: Matcher, ids: list[int], *, vocabulary, labels
) -> IndexedTextMatch:
    """search.matching.evaluate over the published sheets, with bitmaps and numpy arrays over
    positions: the same operations on the same numbers, in the same order (search.scoring)."""
    published = matcher.published
    total = len(published)
    corrections = matching.expand(
        plan,
        count=lambda a: len(matcher.union(a)),
        prefetch=matcher.prefetch,
        vocabulary=vocabulary,
        labels=labels,
    )
    size = len(ids)
    holders = [
        FrozenBitMap.union(*(matcher.union(a) for a in c.alternatives), EMPTY)
        for c in plan.concepts
    ]
    close = [
        len(FrozenBitMap.union(*(matcher.union(a) for a in c.close), EMPTY)) for c in plan.concepts
    ]
    rarity = matching.rarity_counts(close, [len(h) for h in holders])
    weights = matching.concept_weights(plan, rarity, total)
    averages, inverse = matcher.text.norms(published)
    score = np.zeros(size)
    matched = np.zeros(size)
    floor, rest, k1 = scoring.FLOOR, 1.0 - scoring.FLOOR, scoring.K1
    for concept, holder, (q_idf, required) in zip(plan.concepts, holders, weights, strict=True):
        if not holder:
            continue
        ps_h = positions_of(holder)
        best = np.zeros(len(ps_h))
        for alt in concept.alternatives:
            union = matcher.union(alt)
            if not union:
                continue
            ps_u = positions_of(union)
            t = np.zeros(len(ps_u))
            for k, bits in enumerate(matcher.fields(alt)):
                if bits:
                    ps_k = positions_of(bits)
                    t[np.searchsorted(ps_u, ps_k)] += inverse[k][ps_k]
            value = alt.weight * (floor + rest * (t / (k1 + t)))
            at = np.searchsorted(ps_h, ps_u)
            best[at] = np.maximum(best[at], value)
        score[ps_h] += q_idf * best
        if required:
            matched[ps_h] += q_idf
    excluded = FrozenBitMap.union(*(matcher.union(a) for a in plan.excluded), EMPTY)
    relaxed = widened = False
    if plan.concepts:
        candidates = positions_of(FrozenBitMap.union(*holders, EMPTY) - excluded)
        chosen_ps, relaxed, widened = _soft_and(weights, candidates, matched[candidates])
        chosen = bitmap(chosen_ps)
    else:
        # Only exclusions: every published sheet but those.
        chosen = published - excluded
        chosen_ps = positions_of(chosen)
    related_keywords = []
    if plan.concepts and feedback.applies(plan, len(chosen_ps)):
        related_keywords = _feedback(plan, matcher, ids, score, chosen, chosen_ps, inverse, total)
    # Typed words close together.
    pairs, bonuses = matching.proximity_pairs(plan, weights)
    if pairs and len(chosen) > 1:
        for near, bonus in zip(matcher.near(pairs), bonuses, strict=True):
            ps = positions_of(near & chosen)
            score[ps] += bonus
    # round() as Python does it (search.matching), once per distinct value.
    ranks = _rounded(score[chosen_ps]) if len(chosen_ps) else np.zeros(0)
    highlight = frozenset(
        t
        for c in plan.concepts
        for a in c.alternatives
        if not a.prefix and matcher.union(a).intersect(chosen)
        for t in a.terms
    )
    missing = matching.missing_labels(plan, holders)
    relaxed = relaxed or bool(missing and chosen)  # as search.matching.evaluate
    match = IndexedTextMatch(ids, chosen, ranks, relaxed, widened, corrections, highlight)
    match.missing = missing
    match.related_keywords = tuple(related_keywords)
    match.stand_ins = tuple(plan.stand_ins.items())
    if plan.concepts:
        match.rescorer = _rescorer(plan, matcher, weights, inverse)
    return match


def _feedback(plan, matcher, ids, score, chosen, chosen_ps, inverse, total) -> list:
    """search.matching.evaluate's feedback step (search.feedback) over positions."""
    values = score[chosen_ps]
    # The DOCS best by score then id: every sheet scoring at least the DOCS-th best score.
    cut = np.partition(values, len(values) - feedback.DOCS)[len(values) - feedback.DOCS]
    tied = chosen_ps[values >= cut]
    top = feedback.top_sheets([(ids[p], float(score[p])) for p in tied.tolist()])
    position = matcher.position
    lent = feedback.expansions(
        plan,
        [(pk, float(score[position[pk]])) for pk in top],
        count=lambda terms: len(matcher.union(Alternative(terms))),
        prefetch=matcher.prefetch,
        total=total,
    )
    floor, rest, k1 = scoring.FLOOR, 1.0 - scoring.FLOOR, scoring.K1
    for terms, q_idf, mask in lent.scored:
        alt = Alternative(terms)
        fields = [
            bits & chosen if bits and mask & 1 << k else EMPTY
            for k, bits in enumerate(matcher.fields(alt))
        ]
        union = FrozenBitMap.union(*fields, EMPTY)
        if not union:
            continue
        ps_u = positions_of(union)
        t = np.zeros(len(ps_u))
        for k, bits in enumerate(fields):
            if bits:
                ps_k = positions_of(bits)
                t[np.searchsorted(ps_u, ps_k)] += inverse[k][ps_k]
        score[ps_u] += q_idf * (1.0 * (floor + rest * (t / (k1 + t))))
    return lent.keywords


def _rescorer(plan, matcher, weights, inverse):
    """search.rescoring.gains bound to this query, over this engine's bitmaps and norms."""
    position = matcher.position

    def field_bits(alt: Alternative, pk: int) -> int:
        p = int(position[pk])
        return sum(1 << k for k, bits in enumerate(matcher.fields(alt)) if p in bits)

    def norms(pk: int) -> tuple[float, ...]:
        p = position[pk]
        return tuple(float(inverse[k][p]) for k in range(scoring.CLASSES))

    return rescoring.Rescorer(plan, weights, field_bits=field_bits, norms=norms)


def _soft_and(weights, candidates: np.ndarray, matched: np.ndarray):
    """search.matching.soft_and over arrays: (chosen positions, relaxed, widened)."""
    required = [w for w, r in weights if r]
    whole = 0.0
    for w in required:
        whole += w
    if not required:
        return candidates, False, False
    eps = scoring.EPSILON
    every = int(np.count_nonzero(matched >= whole - eps))
    share = 1.0 if len(required) <= 2 else scoring.SHARE
    keep = matched >= share * whole - eps
    if len(required) >= 2 and np.count_nonzero(keep) < matching.few_needed(len(required)):
        keep = matched >= scoring.RELAXED_SHARE * whole - eps
        if not keep.any():
            best = float(matched.max()) if len(matched) else 0.0
            keep = matched >= best - eps if best else np.zeros(len(matched), dtype=bool)
    chosen = candidates[keep]
    relaxed = bool(len(chosen)) and not every
    widened = bool(every) and len(chosen) > every
    return chosen, relaxed, widened


def _rounded(values: np.ndarray) -> np.ndarray:
    if not len(values):
        return values
    unique, inverse = np.unique(values, return_inverse=True)
    return np.array([round(v, 6) for v in unique.tolist()], dtype=np.float64)[inverse]


# --- A small cache of matches per index -------------------------------------------------------------


@dataclass
class MatchCache:
    """The last matches of one index (an Index is replaced on every change: its cache goes
    with it). The facet and page requests of one search (htmx, API pages) evaluate once."""

    entries: OrderedDict = field(default_factory=OrderedDict)

    def get(self, key, table, vocabulary_key):
        entry = self.entries.get(key)
        if entry is None:
            return None
        match, cached_table, needed_vocabulary = entry
        if cached_table is not table or (
            needed_vocabulary is not None and needed_vocabulary != vocabulary_key()
        ):
            return None
        self.entries.move_to_end(key)
        return match

    def put(self, key, match, table, needed_vocabulary) -> None:
        limit = int(getattr(settings, "SEARCH_TEXT_CACHE", 64))
        if limit <= 0:
            return
        self.entries[key] = (match, table, needed_vocabulary)
        # At most `limit` matches and MAX_CACHE_BYTES (a match of 1,000,000 sheets: 12 MB).
        while len(self.entries) > limit or (
            len(self.entries) > 1
            and sum(m.nbytes for m, _, _ in self.entries.values()) > MAX_CACHE_BYTES
        ):
            self.entries.popitem(last=False)
