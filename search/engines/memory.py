"""The memory engine: filters, facet counts and ordering from in-memory bitmaps.

At 100,000 sheets the database engine runs 13 GROUP BY queries over joins per search and sorts
every match in SQL: seconds per page. Here each worker process keeps, for the published sheets,
one bitmap (pyroaring: compressed, C set operations; the positions of its sheets) per facet
value, the position of each sheet in every sort order, and the labels. A search then costs: one query for the index state,
the text matches (search.matching), bit operations for filters and disjunctive counts
(`intersection_cardinality`: no position is materialised), and the queries of the page's sheets.

Results are exactly those of the database engine (same ids, order, totals, facet values and
counts): `search/tests/test_fast_path.py` compares both on random queries and random writes.
Sort orders and labels are read from the database itself, so collations never differ.

The index follows writes through search.changes: a new generation token means a full rebuild
(in a background thread: the database engine answers meanwhile); new rows of the change log
mean that only those sheets are read again and their bits and sort positions updated, in every
worker of every server. A changed sheet is placed in each sort order by asking the database to
order it among a few pivots (three or four small queries per order at 100,000 sheets).
A full build is written to disk (search.snapshot): the next process needing the same generation
loads it and applies the log rows written since, in seconds instead of minutes.
"""

import array
import gc
import heapq
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import connection
from pyroaring import FrozenBitMap

from catalogue.models import ActionSheet
from search import matching, rescoring, textindex
from search.backends import get_backend
from search.changes import log_state
from search.engines.base import (
    ORDERINGS,
    _vocabulary,
    keyword_labels,
    text_match,
    vocabulary_key,
)
from search.facets import DEFINITIONS, facet_from_counts
from search.models import IndexChange
from search.results import load_sheets, page_bounds, result_for
from search.signals import index_loaded

# Facets whose value is one column of the sheet (or its structure): name -> values_list path.
SCALAR = {
    "departement": "structure__departement__code",
    "region": "structure__departement__region__code",
    "dimension": "dimension__value",
    "status": "status__value",
    "territory": "territory__value",
    "structure": "structure_id",
    "structure_type": "structure__type",
    "year": "year",
}
LABELS = {
    "departement": "structure__departement__name",
    "region": "structure__departement__region__name",
    "dimension": "dimension__label",
    "status": "status__label",
    "territory": "territory__label",
    "structure": "structure__name",
}
# Many-to-many facets: name -> (through model, its column to the sheet, value path, label path).
MULTI = {
    "keywords": (ActionSheet.keywords.through, "keyword__value", "keyword__label"),
    "initiators": (ActionSheet.initiators.through, "initiator__value", "initiator__label"),
    "publics": (ActionSheet.publics.through, "public__value", "public__label"),
    "action_partners": (
        ActionSheet.action_partners.through,
        "partnerkind__value",
        "partnerkind__label",
    ),
    "financial_partners": (
        ActionSheet.financial_partners.through,
        "partnerkind__value",
        "partnerkind__label",
    ),
}
SORTS = ("title", "departement", "year", "recent")
EMPTY = FrozenBitMap()
NONE = -1  # structure_of: no structure


def _np(values: array.array) -> np.ndarray:
    """A numpy view of an array.array (no copy)."""
    return np.frombuffer(values, dtype=np.uint32 if values.typecode == "I" else np.int64)


class Positions:
    """Sheet id -> engine position: a numpy array indexed by id (-1: none). 4 bytes per id
    where a dict took about 100 per sheet (100 MB at 1,000,000 sheets); plain numpy pages,
    shared between forked workers until one writes."""

    __slots__ = ("array",)

    def __init__(self, values: np.ndarray | None = None):
        self.array = np.full(1024, -1, dtype=np.int32) if values is None else values

    def get(self, pk: int, default=None):
        if 0 <= pk < len(self.array):
            p = int(self.array[pk])
            if p >= 0:
                return p
        return default

    def __contains__(self, pk: int) -> bool:
        return self.get(pk) is not None

    def __getitem__(self, pk: int) -> int:
        p = self.get(pk)
        if p is None:
            raise KeyError(pk)
        return p

    def __setitem__(self, pk: int, p: int) -> None:
        self.reserve(pk)
        self.array[pk] = p

    def reserve(self, top: int) -> None:
        """Room for ids up to `top`."""
        if top >= len(self.array):
            grown = np.full(max(top + 1, len(self.array) * 5 // 4), -1, dtype=np.int32)
            grown[: len(self.array)] = self.array
            self.array = grown

    def of(self, pks: np.ndarray) -> np.ndarray:
        """The positions of `pks` (-1: none)."""
        out = np.full(len(pks), -1, dtype=np.int64)
        inside = (pks >= 0) & (pks < len(self.array))
        out[inside] = self.array[pks[inside]]
        return out

    def copy(self) -> "Positions":
        return Positions(self.array.copy())


@dataclass
class Index:
    generation: str  # IndexState.generation it was built for
    # Per sheet, compact arrays rather than Python objects (1,000,000 sheets: 4 or 8 bytes per
    # sheet and array, not 30-100).
    ids: array.array  # "q": position -> sheet id (a sheet keeps its position once given one)
    position: Positions  # sheet id -> position
    all: FrozenBitMap  # the published sheets' positions
    bitmaps: dict[str, dict[object, FrozenBitMap]]  # facet -> value -> positions
    labels: dict[str, dict[object, str]]  # facet -> value -> label from the database
    structure_of: array.array  # "q": position -> structure id (NONE: none)
    rank: dict[str, np.ndarray]  # sort -> position -> rank in that order (int32)
    order: dict[str, array.array]  # "I": sort -> published positions in that order
    vendor: str = ""
    log: tuple[int, int] = (0, 0)  # (rows, last id) of the change log when last read
    applied: dict[int, str] = field(default_factory=dict)  # change row id -> stamp
    text: textindex.TextIndex | None = None  # the text index (None: text from the database)
    matches: textindex.MatchCache = field(default_factory=textindex.MatchCache)
    _structure_codes: tuple | None = None

    @property
    def structure_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """(position -> structure code, -1 for none; code -> structure id, sorted): the
        structure facet counted with numpy."""
        if self._structure_codes is None:
            structures = _np(self.structure_of)
            values = np.unique(structures[structures != NONE])
            codes = np.searchsorted(values, structures).astype(np.int32)
            codes[structures == NONE] = -1
            self._structure_codes = (codes, values)
        return self._structure_codes

    @property
    def position_array(self) -> np.ndarray:
        """Sheet id -> position (-1: none), a numpy array (text matches from the database)."""
        return self.position.array

    @property
    def title_rank(self) -> np.ndarray:
        """Position -> rank in the title order, as a numpy array (relevance ties)."""
        return self.rank["title"]

    @staticmethod
    def bitmap_of(positions) -> FrozenBitMap:
        return FrozenBitMap(positions)


_lock = threading.Lock()
_index: Index | None = None
_rebuilding: threading.Thread | None = None
builds = 0  # full builds in this process (tests check that writes need none)
# More changed sheets than this in one read: sort orders are read again whole.
PLACE_LIMIT = 50
# From this many sheets a new index is frozen out of the cyclic collector's walks (`index_for`);
# below, its pauses are short, and a test process keeps collecting all it creates.
FREEZE_FROM = 10_000


def get_index() -> Index:
    """The index of this process, brought up to date here and now (rebuilt if the generation
    token moved, else the logged changes applied)."""
    global _index
    token, *log = log_state()
    with _lock:
        if not _same_build(_index, token):
            _index = index_for(token)
        else:
            _index = _follow(_index, tuple(log)) or index_for(token)
        return _index


def ready_index() -> Index | None:
    """The index if it can answer now (logged changes are applied at once); if the generation
    token moved, start rebuilding it in a background thread and return None, so that the
    caller answers from the database instead of waiting (seconds on a national catalogue)."""
    global _rebuilding, _index
    token, *log = log_state()
    with _lock:
        if _same_build(_index, token):
            followed = _follow(_index, tuple(log))
            if followed is not None:
                _index = followed
                return _index
        if _rebuilding is None or not _rebuilding.is_alive():
            _rebuilding = threading.Thread(
                target=_rebuild, args=(token, connection.vendor), daemon=True
            )
            _rebuilding.start()
    return None


def _same_build(index: Index | None, token: str) -> bool:
    return index is not None and index.generation == token and index.vendor == connection.vendor


def _rebuild(token: str, vendor: str) -> None:
    global _index
    try:
        # The token as this thread's connection sees it (committed), not the caller's: a
        # caller inside a transaction may see a token whose data this thread cannot read.
        index = index_for(log_state()[0])
        index.vendor = vendor
        with _lock:
            _index = index
    finally:
        connection.close()  # this thread's own connection


def _read_log() -> dict[int, tuple[int, str]]:
    return {
        pk: (sheet_id, stamp)
        for pk, sheet_id, stamp in IndexChange.objects.values_list("pk", "sheet_id", "stamp")
    }


def _follow(index: Index, log: tuple[int, int]) -> Index | None:
    """`index` with the logged changes it has not applied yet (a new Index: searches running
    in other threads keep theirs), or None when the log was rewritten under it (a rollback of
    rows it had read): then only a rebuild is safe."""
    if index.log == log:
        return index
    rows = _read_log()
    for pk, stamp in index.applied.items():
        if pk not in rows or rows[pk][1] != stamp:
            return None
    new = {pk: row for pk, row in rows.items() if pk not in index.applied}
    updated = apply_changes(index, {sheet_id for sheet_id, _ in new.values()})
    updated.applied = {**index.applied, **{pk: stamp for pk, (_, stamp) in new.items()}}
    updated.log = (len(rows), max(rows, default=0))
    return updated


def index_for(token: str) -> Index:
    """The index for the generation `token`: loaded from its snapshot on disk and brought up
    to date with the change log (seconds), else built from the database and its snapshot
    written for the next process (search.snapshot)."""
    from search import snapshot

    def follow(index: Index) -> Index | None:
        return _follow(index, tuple(log_state()[1:]))

    started = time.perf_counter()
    index = snapshot.load_or_build(token, build_index, follow)
    if len(index.ids) >= FREEZE_FROM:
        # The index lives as long as the process: the cyclic collector need not walk it again.
        # At 100,000 sheets each full collection otherwise paused a search for ~100 ms, a few
        # times a minute under load (docs/benchmarks/2026-12-07-latency.md). The collection
        # first: what is frozen is never collected.
        gc.collect()
        gc.freeze()
    index_loaded.send(sender=None, seconds=time.perf_counter() - started, generation=token)
    return index


def is_ready() -> bool:
    """Whether this process holds an index of the current generation (no build needed)."""
    return _same_build(_index, log_state()[0])


def build_index(token: str) -> Index:
    """A full build of the index from the database (every sheet, order and term)."""
    global builds
    builds += 1
    # The log first: changes written while the sheets are read are applied again later.
    rows = _read_log()
    index = Index(
        generation=token,
        ids=array.array("q"),
        position=Positions(),
        all=EMPTY,
        bitmaps={name: {} for name in (*SCALAR, *MULTI)},
        labels={name: {} for name in (*LABELS, *MULTI)},
        structure_of=array.array("q"),
        rank={},
        order={},
        vendor=connection.vendor,
        log=(len(rows), max(rows, default=0)),
        applied={pk: stamp for pk, (_, stamp) in rows.items()},
    )
    published = ActionSheet.objects.published()
    _load(index, published)
    _read_orders(index)
    if text_index_enabled():
        index.text = textindex.build(index.ids, index.all)
    # The build's temporaries (rows, texts) back to the system, not kept by malloc.
    textindex.release_memory()
    return index


def share(index: Index) -> None:
    """Compute now what `index` would compute on first use (the structure codes, the sorted
    terms, the typo vocabulary), so that the workers forked from this process
    (GUNICORN_PRELOAD) share one copy instead of each making its own (4 MB of codes per
    worker at 1,000,000 sheets)."""
    index.structure_codes  # noqa: B018 (computed and kept on first read)
    if index.text is not None:
        index.text.sorted_terms()
    _vocabulary()


def text_index_enabled() -> bool:
    return getattr(settings, "SEARCH_TEXT_INDEX_MB", 256) > 0


def apply_changes(index: Index, sheet_ids: set[int]) -> Index:
    """A copy of `index` where the sheets `sheet_ids` hold their current values (or are gone)."""
    new = Index(
        generation=index.generation,
        ids=index.ids[:],
        position=index.position.copy(),
        all=index.all,
        bitmaps={name: dict(table) for name, table in index.bitmaps.items()},
        labels={name: dict(table) for name, table in index.labels.items()},
        structure_of=index.structure_of[:],
        rank=index.rank,
        order={sort: order[:] for sort, order in index.order.items()},
        vendor=index.vendor,
        text=index.text,
    )
    if not sheet_ids:
        return new
    old = {new.position[pk] for pk in sheet_ids if pk in new.position}
    if old:
        clear = new.bitmap_of(old)
        new.all = new.all - clear
        for name, table in new.bitmaps.items():
            # Tens of thousands of structures: only the changed sheets' own are looked at.
            values = {new.structure_of[p] for p in old} if name == "structure" else list(table)
            for value in values:
                bits = table.get(value)
                if bits is not None and bits.intersect(clear):
                    table[value] = bits - clear
        for p in old:
            new.structure_of[p] = NONE
        gone = np.fromiter(old, dtype=np.uint32, count=len(old))
        for sort, order in new.order.items():
            kept = _np(order)
            new.order[sort] = array.array("I", kept[~np.isin(kept, gone)].tobytes())
    placed = _load(new, ActionSheet.objects.published().filter(pk__in=sheet_ids))
    if new.text is not None:
        documents = textindex.document_fields([new.ids[p] for p in placed])
        lengths = textindex.read_lengths(
            new.position_array, len(new.ids), [new.ids[p] for p in placed]
        )
        new.text = textindex.apply(
            new.text,
            new.bitmap_of(old),
            {new.position[pk]: terms for pk, terms in documents.items()},
            {p: lengths[p] for p in placed},
        )
    if len(placed) > PLACE_LIMIT:
        _read_orders(new)
    else:
        for sort, order in new.order.items():
            for p in placed:
                order.insert(_place(new, order, new.ids[p], sort), p)
        new.rank = _ranks(new)
    return new


def _load(index: Index, sheets) -> list[int]:
    """Set the bits, structure and labels of `sheets` (published), giving new sheets a
    position. Returns their positions."""
    names = list(SCALAR)
    structure_column = 1 + names.index("structure")
    placed = array.array("I")
    grouped: dict[str, dict[object, array.array]] = {name: {} for name in names}
    position, ids, structure_of = index.position, index.ids, index.structure_of
    rows = sheets.order_by("pk").values_list("pk", *SCALAR.values())
    # In chunks (a server-side cursor on PostgreSQL): never every row at once.
    for row in rows.iterator(chunk_size=20000):
        p = position.get(row[0])
        if p is None:
            p = len(ids)
            position[row[0]] = p
            ids.append(row[0])
            structure_of.append(NONE)
        placed.append(p)
        for name, value in zip(names, row[1:], strict=True):
            if value is not None:
                table = grouped[name]
                ps = table.get(value)
                if ps is None:
                    ps = table[value] = array.array("I")
                ps.append(p)
        structure = row[structure_column]
        structure_of[p] = NONE if structure is None else structure
    index.all = index.all | index.bitmap_of(placed)
    for name in names:
        table = index.bitmaps[name]
        for value, ps in grouped.pop(name).items():
            table[value] = table.get(value, EMPTY) | index.bitmap_of(ps)
    for name, path in LABELS.items():
        value_path = SCALAR[name]
        index.labels[name].update(
            sheets.filter(**{f"{value_path}__isnull": False})
            .order_by()
            .values_list(value_path, path)
            .distinct()
        )
    wanted = None if len(placed) == len(ids) else [ids[p] for p in placed]
    is_placed = np.zeros(len(ids), dtype=bool)
    is_placed[_np(placed)] = True
    for name in MULTI:
        # Plain rows of the through table (no join): the largest read of the build, turned
        # into positions with numpy, chunk by chunk.
        m2m = ActionSheet._meta.get_field(name)
        through = m2m.remote_field.through
        sheet_column = f"{m2m.m2m_field_name()}_id"
        value_column = f"{m2m.m2m_reverse_field_name()}_id"
        vocabulary = list(m2m.related_model.objects.values_list("pk", "value", "label"))
        value_of = {pk: value for pk, value, _ in vocabulary}
        labels_of = {value: label for _, value, label in vocabulary}
        sql = f"SELECT {sheet_column}, {value_column} FROM {through._meta.db_table}"  # noqa: S608
        params: list = []
        if wanted is not None:
            if not wanted:
                continue
            sql += f" WHERE {sheet_column} IN ({', '.join(['%s'] * len(wanted))})"
            params = wanted
        found_values, found_positions = [], []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(50000):
                pairs = np.array(chunk, dtype=np.int64)
                ps = position.of(pairs[:, 0])
                keep = ps >= 0
                keep[keep] = is_placed[ps[keep]]
                found_values.append(pairs[keep, 1])
                found_positions.append(ps[keep].astype(np.uint32))
        if not found_values:
            continue
        values = np.concatenate(found_values)
        ps = np.concatenate(found_positions)
        del found_values, found_positions
        by_value = np.argsort(values, kind="stable")
        values, ps = values[by_value], ps[by_value]
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
        ends = np.r_[starts[1:], len(values)]
        table = index.bitmaps[name]
        for value_id, start, end in zip(
            values[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
        ):
            value = value_of[value_id]
            bits = textindex.bitmap(np.sort(ps[start:end]))
            table[value] = table.get(value, EMPTY) | bits
            index.labels[name][value] = labels_of[value]
    return placed.tolist()


def _read_orders(index: Index) -> None:
    published = ActionSheet.objects.published()
    for sort in SORTS:
        pks = np.fromiter(
            published.order_by(*ORDERINGS[sort]).values_list("pk", flat=True).iterator(20000),
            dtype=np.int64,
        )
        ps = index.position.of(pks)
        # A sheet published since _load has no position yet: the change log brings it.
        ps = ps[ps >= 0].astype(np.uint32)
        index.order[sort] = array.array("I", ps.tobytes())
    index.rank = _ranks(index)


def _ranks(index: Index) -> dict[str, np.ndarray]:
    out = {}
    for sort, order in index.order.items():
        rank = np.zeros(len(index.ids), dtype=np.int32)
        rank[_np(order)] = np.arange(len(order), dtype=np.int32)
        out[sort] = rank
    return out


def _place(index: Index, order: list[int], pk: int, sort: str) -> int:
    """Where the sheet `pk` goes in `order` (positions in the database's `sort` order): the
    database orders it among up to 64 evenly spaced pivots, then among the pivots of the
    bracket found, and so on (three queries at 100,000 sheets)."""
    lo, hi = 0, len(order)
    while lo < hi:
        step = max(1, (hi - lo) // 64)
        pivots = [index.ids[p] for p in order[lo:hi:step]]
        ranked = list(
            ActionSheet.objects.filter(pk__in=[*pivots, pk])
            .order_by(*ORDERINGS[sort])
            .values_list("pk", flat=True)
        )
        before = ranked.index(pk)  # pivots that sort before the sheet
        if step == 1:
            return lo + before
        new_lo = lo + (before - 1) * step + 1 if before else lo
        hi = lo + before * step if before < len(pivots) else hi
        lo = new_lo
    return lo


def _top_by_rank(index: Index, mask, match, stop: int) -> list[int]:
    """The first `stop` positions of `mask` by rank of the text `match` (higher first), then
    title: only the positions ranking at least as the stop-th are sorted."""
    ps = textindex.positions_of(mask)
    ranks = match.rank_at(ps)
    if stop < len(ps):
        threshold = np.partition(ranks, len(ps) - stop)[len(ps) - stop]
        keep = ranks >= threshold
        ps, ranks = ps[keep], ranks[keep]
    order = np.lexsort((index.title_rank[ps], -ranks))
    return ps[order[:stop]].tolist()


def _text_bitmap(index: Index, match) -> tuple[int, dict[int, float]]:
    """(bitmap of published sheets matching the text, their ranks by position)."""
    if isinstance(match, textindex.IndexedTextMatch):
        return match.positions, match
    position = index.position
    ranks = {position[pk]: r for pk, r in match.ranks.items() if pk in position}
    return index.bitmap_of(ranks), ranks


def _union(bitmaps: list[FrozenBitMap]) -> FrozenBitMap:
    return FrozenBitMap.union(*bitmaps) if bitmaps else EMPTY


def _filter_bitmaps(index: Index, query) -> dict[str, FrozenBitMap]:
    """Per filter: the bitmap of sheets it lets through (OR of the selected values)."""
    out: dict[str, FrozenBitMap] = {}
    for name in (*SCALAR, *MULTI):
        values = getattr(query, name)
        if not values:
            continue
        table = index.bitmaps[name]
        out[name] = _union([table.get(value, EMPTY) for value in values])
    if query.year_min or query.year_max:
        bitmap = _union(
            [
                bits
                for year, bits in index.bitmaps["year"].items()
                if (query.year_min is None or year >= query.year_min)
                and (query.year_max is None or year <= query.year_max)
            ]
        )
        # year_min/max combine with year (AND), and leave with it for the year facet.
        out["year"] = out.get("year", index.all) & bitmap
    return out


def select(index: Index, query, match):
    """(base, filters, mask, ranks) for `query` with the text `match` (search.matching.TextMatch,
    or None without text): the published sheets matching the text, the bitmap of each filter,
    their intersection (the results), the text ranks by position."""
    base = index.all
    ranks = None
    if match is not None:
        text_bits, ranks = _text_bitmap(index, match)
        base &= text_bits
    if query.exclude:
        positions = index.position.of(np.asarray(query.exclude, dtype=np.int64))
        base -= FrozenBitMap(int(p) for p in positions if p >= 0)
    filters = _filter_bitmaps(index, query)
    mask = base
    for bits in filters.values():
        mask &= bits
    return base, filters, mask, ranks


def facet_counts(
    index: Index, base, filters: dict[str, FrozenBitMap], query=None
) -> tuple[dict[str, dict], set[str]]:
    """Disjunctive counts: each facet over the text match and every *other* filter; and the
    names of the facets whose counts keep only the values a facet can show (more were counted)."""
    counts: dict[str, dict[object, int]] = {}
    cut: set[str] = set()
    for definition in DEFINITIONS:
        name = definition.name
        facet_base = base
        for other, bits in filters.items():
            if other != name:
                facet_base &= bits
        table = index.bitmaps[name]
        if name == "structure" and definition.limit and len(facet_base) > 4 * definition.limit:
            selected = set(getattr(query, name, None) or ())
            counts[name], more = _top_structures(index, facet_base, definition.limit, selected)
            if more:
                cut.add(name)
            continue
        if name == "structure" and len(facet_base) < len(table):
            # Fewer sheets than structures: counting the sheets' structures is cheaper.
            counter = Counter(map(index.structure_of.__getitem__, facet_base))
            counts[name] = {s: c for s, c in counter.items() if s != NONE}
            continue
        counts[name] = {
            value: c
            for value, bits in table.items()
            if (c := facet_base.intersection_cardinality(bits))
        }
    return counts, cut


def _top_structures(
    index: Index, positions, limit: int, selected: set
) -> tuple[dict[object, int], bool]:
    """The structure facet's counts (tens of thousands of structures) with numpy: only the
    values a facet can show (counting at least as much as the limit-th, or selected); and
    whether others were left out."""
    codes, values = index.structure_codes
    found = codes[textindex.positions_of(positions)]
    counted = np.bincount(found[found >= 0], minlength=len(values))
    present = np.flatnonzero(counted)
    if len(present) > limit:
        floor = np.partition(counted[present], len(present) - limit)[len(present) - limit]
        keep = present[counted[present] >= floor]
    else:
        keep = present
    out = dict(zip(values[keep].tolist(), counted[keep].tolist(), strict=True))
    for value in selected:
        code = int(np.searchsorted(values, value)) if isinstance(value, int) else len(values)
        if code < len(values) and values[code] == value and counted[code] and value not in out:
            out[value] = int(counted[code])
    return out, len(present) > limit


def _window(
    index: Index,
    mask: int,
    total: int,
    sort: str,
    ranks,
    offset: int,
    limit: int | None,
    match=None,
):
    if total == 0:
        return []
    stop = total if limit is None else min(total, offset + limit)
    rescorer = match.rescorer if match is not None and sort == "relevance" else None
    if rescorer is not None and offset < rescoring.WINDOW:
        # The ranking's second stage reorders the first page of what the visitor sees.
        stop, last = max(stop, min(total, rescoring.WINDOW)), stop
    else:
        last = stop
    if sort == "relevance" and isinstance(ranks, textindex.IndexedTextMatch):
        chosen = _top_by_rank(index, mask, ranks, stop)
    elif sort == "relevance" and ranks is not None:
        title = index.rank["title"]
        key = lambda p: (-ranks.get(p, float("-inf")), title[p])  # noqa: E731
        positions = list(mask)
        chosen = (
            heapq.nsmallest(stop, positions, key=key)
            if stop < total
            else sorted(positions, key=key)
        )
    else:
        sort = sort if sort in index.order else "title"
        rank = index.rank[sort]
        if total * 8 < len(index.ids) or limit is None:
            ps = textindex.positions_of(mask)
            chosen = ps[np.argsort(rank[ps], kind="stable")[:stop]].tolist()
        else:
            chosen = []
            for p in index.order[sort]:
                if p in mask:
                    chosen.append(p)
                    if len(chosen) >= stop:
                        break
    ids = [index.ids[p] for p in chosen[:stop]]
    if rescorer is not None and offset < rescoring.WINDOW:
        position = index.position

        def ranks_of(pks: list[int]) -> list[float]:
            ps = [position[pk] for pk in pks]
            if isinstance(ranks, textindex.IndexedTextMatch):
                return ranks.rank_at(np.asarray(ps, dtype=np.uint32)).tolist()
            return [ranks[p] for p in ps]

        ids = rescoring.reorder(ids, ranks_of, rescorer)
    return ids[offset:last]


class MemoryEngine:
    """Answers from `index` (default: this process's index, brought up to date)."""

    def __init__(self, index: Index | None = None):
        self.index = index

    def text_match(self, text: str, *, prefix_last: bool = False):
        """The text match (search.matching) from the in-memory text index, cached per index;
        search.engines.base.text_match (the database) when the index has none."""
        index = self.index = self.index or get_index()
        if index.text is None:
            return text_match(text, prefix_last=prefix_last)
        plan = matching.plan_query(text, prefix_last=prefix_last)
        if not plan:
            return None
        key = (text, prefix_last)
        found = index.matches.get(key, plan.table, vocabulary_key)
        if found is not None:
            return found
        used = []

        def vocabulary():
            used.append(vocabulary_key())
            return _vocabulary()

        matcher = textindex.Matcher(index.text, index.position_array, index.all, get_backend())
        match = textindex.evaluate(
            plan, matcher, index.ids, vocabulary=vocabulary, labels=keyword_labels
        )
        index.matches.put(key, match, plan.table, used[0] if used else None)
        return match

    def search(self, query, match, *, sort, page, per_page, with_facets, base_url, records):
        """search.engines.database's answer from the index: same SearchResult, same values."""
        index = self.index or get_index()
        base, filters, mask, ranks = select(index, query, match)
        total = len(mask)
        requested_page = page
        page, num_pages, offset, limit = page_bounds(total, page, per_page)
        ordered = _window(index, mask, total, sort, ranks, offset, limit, match)
        sheets = load_sheets(ordered, match, records=records)
        result = result_for(query, match, sheets, total, page, num_pages, per_page, base_url)
        result.requested_page = requested_page
        if with_facets:
            counts, cut = facet_counts(index, base, filters, query)
            for definition in DEFINITIONS:
                name = definition.name
                facet = facet_from_counts(
                    definition,
                    counts[name],
                    index.labels.get(name, {}),
                    query,
                    base_url,
                    cut=name in cut,
                )
                result.facet_groups.append(facet)
                result.facets[definition.name] = facet.values
        return result
