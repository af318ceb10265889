"""Probable duplicates, for moderators (list, side by side, merge) and for authors (a warning).

Two rules, each computed in C (rapidfuzz, SciPy), never pair by pair in Python:

- same or close title within a structure: rapidfuzz `token_sort_ratio` of the folded titles
  ≥ TITLE_RATIO (word order and accents do not matter: "Café des parents" ~ "LE CAFE DES PARENTS");
- near-identical texts across years or structures: cosine of the term counts (terms of
  search.analysis, stored in SimilarityProfile for published sheets) ≥ TEXT_COSINE, texts of at
  least MIN_TERMS terms (two nearly empty sheets are not duplicates).

Archived sheets are left out (a merged duplicate is archived, so a merge empties its pair).

The moderators' list reads stored pairs (ProbableDuplicate), never computes: `compute_pairs()`
recomputes the whole base (end of `manage.py compute_similar`, nightly; `compute_duplicates`),
`update_pairs(ids)` follows `catalogue.signals.sheets_changed` and recomputes only the pairs of
the changed sheets (title rule within their structure, text rule one row × the base).
`probable_duplicates` computes the same pairs among a few sheets on the fly (the pair view) and
is the reference the stored pairs are tested against.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from rapidfuzz import fuzz, process

from catalogue.fields import TEXT_FIELDS
from catalogue.models import ActionSheet, PublicationStatus, Structure
from discovery.models import DuplicateComputation, ProbableDuplicate, SimilarityProfile
from discovery.similarity import (
    BLOCK,
    feature,
    sheet_terms,
    term_vector,
    texts_terms,
    vectors_matrix,
)
from search import analysis

if TYPE_CHECKING:
    from scipy import sparse

_WORD = re.compile(r"[^\W_]+")
TITLE_RATIO = 90
TEXT_COSINE = 0.9
MIN_TERMS = 20
# A new sheet's warning: only a title this close in the same structure.
WARN_RATIO = 90


@dataclass
class DuplicatePair:
    first: ActionSheet
    second: ActionSheet
    score: float  # 0–100
    reasons: list[str] = field(default_factory=list)


def normalize_counts(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows of whole term counts (float32) L2-normalised, to the bit as scikit-learn's
    `normalize` gives them (float32 squares summed in double, divided in double): sums of
    squared whole numbers are exact in any order. Without it an import would load scikit-learn
    (4–5 s of imports) for this alone."""
    matrix = counts.astype(np.float32, copy=True)
    squares = (matrix.data * matrix.data).astype(np.float64)
    sums = np.zeros(matrix.shape[0], dtype=np.float64)
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    np.add.at(sums, rows, squares)
    norms = np.sqrt(sums)
    norms[norms == 0] = 1.0  # an empty row stays empty, as with scikit-learn
    matrix.data = (matrix.data.astype(np.float64) / norms[rows]).astype(np.float32)
    return matrix


def _title(text: str) -> str:
    # Folded words only: case, accents and punctuation do not make two titles different.
    return " ".join(_WORD.findall(analysis.fold(text)))


def _candidates(sheets: QuerySet[ActionSheet]) -> list[ActionSheet]:
    return list(
        sheets.exclude(publication_status=PublicationStatus.ARCHIVED)
        .select_related("structure__departement")
        .order_by("pk")
    )


def probable_duplicates(sheets: QuerySet[ActionSheet]) -> list[DuplicatePair]:
    """Probable duplicate pairs among `sheets` (a moderator's territory), most certain first."""
    found: dict[tuple[int, int], DuplicatePair] = {}
    candidates = _candidates(sheets)

    def add(a: ActionSheet, b: ActionSheet, score: float, reason: str) -> None:
        key = (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)
        pair = found.get(key)
        if pair is None:
            first, second = (a, b) if a.pk < b.pk else (b, a)
            pair = found[key] = DuplicatePair(first, second, score)
        pair.score = max(pair.score, score)
        pair.reasons.append(reason)

    by_structure: dict[int, list[ActionSheet]] = {}
    for sheet in candidates:
        by_structure.setdefault(sheet.structure_id, []).append(sheet)
    for group in by_structure.values():
        for a, b, ratio, reason in _close_titles(group):
            add(a, b, ratio, reason)

    for a, b, cosine in _near_identical_texts(candidates):
        where = "même structure" if a.structure_id == b.structure_id else "autre structure"
        add(a, b, 100 * cosine, f"textes presque identiques ({100 * cosine:.0f} %), {where}")
    return sorted(found.values(), key=lambda p: (-p.score, p.first.pk, p.second.pk))


def _close_titles(group: list[ActionSheet]):
    """(a, b, ratio, reason) for the pairs of one structure's sheets with close titles."""
    if len(group) < 2:
        return
    titles = [_title(s.title) for s in group]
    ratios = process.cdist(titles, titles, scorer=fuzz.token_sort_ratio)
    for i, j in combinations(range(len(group)), 2):
        ratio = float(ratios[i, j])
        if ratio >= TITLE_RATIO:
            reason = "même titre" if ratio == 100 else f"titre proche ({ratio:.0f} %)"
            yield group[i], group[j], ratio, f"{reason}, même structure"


def _profiles(candidates: list[ActionSheet]) -> dict[int, bytes]:
    ids = [s.pk for s in candidates]
    stored = {}
    for start in range(0, len(ids), 500):
        stored.update(
            SimilarityProfile.objects.filter(sheet__in=ids[start : start + 500]).values_list(
                "sheet_id", "vector"
            )
        )
    return stored


def _text_counts(candidates: list[ActionSheet], stored: dict) -> sparse.csr_matrix:
    """Term counts of each candidate's texts without its title (counted twice in a stored
    vector): a re-titled copy is a copy. One row per candidate."""
    blobs = [stored[s.pk] if s.pk in stored else term_vector(sheet_terms(s)) for s in candidates]
    return _counts_without_titles([s.title for s in candidates], blobs)


def _counts_without_titles(titles: list[str], blobs: list) -> sparse.csr_matrix:
    from scipy import sparse

    counts = vectors_matrix(blobs)
    rows, columns = [], []
    for row, title in enumerate(titles):
        for term in analysis.terms(title):
            rows.append(row)
            columns.append(feature(term))
    title = sparse.csr_matrix(
        (np.full(len(rows), 2, dtype=np.float32), (rows, columns)), shape=counts.shape
    )
    counts = (counts - title).tocsr()
    counts.data = np.maximum(counts.data, 0)
    counts.eliminate_zeros()
    return counts


def _near_identical_texts(candidates: list[ActionSheet], stored: dict | None = None):
    if len(candidates) < 2:
        return []
    if stored is None:
        stored = _profiles(candidates)
    counts = _text_counts(candidates, stored)
    long_enough = np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel() >= MIN_TERMS)
    if len(long_enough) < 2:
        return []
    matrix = normalize_counts(counts[long_enough])
    found = []
    # Blocks of rows: memory O(BLOCK × sheets), even for an administrator's whole catalogue.
    for start in range(0, matrix.shape[0], BLOCK):
        products = (matrix[start : start + BLOCK] @ matrix.T).toarray()
        for i, j in zip(*np.nonzero(products >= TEXT_COSINE), strict=True):
            row = start + int(i)
            if row < j:
                found.append(
                    (
                        candidates[long_enough[row]],
                        candidates[long_enough[j]],
                        float(products[i, j]),
                    )
                )
    return found


def pair(sheets: QuerySet[ActionSheet], first_pk: int, second_pk: int) -> DuplicatePair | None:
    """The pair (first, second) if both are among `sheets` (None otherwise), with its reasons."""
    if first_pk == second_pk:
        return None
    both = {s.pk: s for s in sheets.with_relations().filter(pk__in=[first_pk, second_pk])}
    if len(both) != 2:
        return None
    for found in probable_duplicates(sheets.filter(pk__in=[first_pk, second_pk])):
        found.first, found.second = both[first_pk], both[second_pk]
        return found
    return DuplicatePair(both[first_pk], both[second_pk], 0, [])


def close_sheets_in_structure(sheet: ActionSheet, limit: int = 3) -> list[ActionSheet]:
    """Other non-archived sheets of the same structure whose title is very close to `sheet`'s."""
    others = list(
        ActionSheet.objects.filter(structure_id=sheet.structure_id)
        .exclude(pk=sheet.pk)
        .exclude(publication_status=PublicationStatus.ARCHIVED)
        .only("pk", "title", "year", "publication_status")
    )
    if not others or not sheet.title.strip():
        return []
    matches = process.extract(
        _title(sheet.title),
        [_title(o.title) for o in others],
        scorer=fuzz.token_sort_ratio,
        score_cutoff=WARN_RATIO,
        limit=limit,
    )
    return [others[index] for _, _, index in matches]


def _close_texts_within(groups: list[list[ActionSheet]]):
    """(a, b, cosine) of the pairs of one group (a structure) whose texts are nearly the same:
    every pair within a structure at once (row-wise products of two matrices)."""
    sheets = [s for g in groups for s in g]
    if not sheets:
        return
    stored = _profiles(sheets)
    missing = [s.pk for s in sheets if s.pk not in stored]
    for start in range(0, len(missing), 500):
        texts = ActionSheet.objects.filter(pk__in=missing[start : start + 500])
        for pk, title, *rest in texts.values_list("pk", "title", *TEXT_FIELDS):
            stored[pk] = term_vector(texts_terms(title, rest))
    counts = _text_counts(sheets, stored)
    long_enough = np.asarray(counts.sum(axis=1)).ravel() >= MIN_TERMS
    matrix = normalize_counts(counts)
    first, second, offset = [], [], 0
    for group in groups:
        for i, j in combinations(range(offset, offset + len(group)), 2):
            if long_enough[i] and long_enough[j]:
                first.append(i)
                second.append(j)
        offset += len(group)
    for start in range(0, len(first), 10_000):
        a = np.array(first[start : start + 10_000])
        b = np.array(second[start : start + 10_000])
        cosines = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
        for k in np.flatnonzero(cosines >= TEXT_COSINE).tolist():
            yield sheets[a[k]], sheets[b[k]], float(cosines[k])


def duplicates_within_structures(sheet_ids) -> list[DuplicatePair]:
    """Probable duplicate pairs that involve one of `sheet_ids` (an import's new or updated
    sheets), among the non-archived sheets of their structures: the same two rules as
    `probable_duplicates`, but only within a structure, so that the cost follows the size of
    each structure (an import of 100,000 sheets never compares them all with each other)."""
    ids = set(sheet_ids)
    if not ids:
        return []
    structures = sorted(
        set(ActionSheet.objects.filter(pk__in=ids).values_list("structure_id", flat=True))
    )
    by_structure: dict[int, list[ActionSheet]] = {}
    for start in range(0, len(structures), 500):
        chunk = structures[start : start + 500]
        # Without their texts: the stored profiles hold their terms (texts read below if not).
        sheets = ActionSheet.objects.filter(structure_id__in=chunk).defer(*TEXT_FIELDS)
        for sheet in _candidates(sheets):
            by_structure.setdefault(sheet.structure_id, []).append(sheet)
    groups = [g for g in by_structure.values() if len(g) > 1 and any(s.pk in ids for s in g)]
    found: dict[tuple[int, int], DuplicatePair] = {}

    def add(a: ActionSheet, b: ActionSheet, score: float, reason: str) -> None:
        if a.pk not in ids and b.pk not in ids:
            return  # an older pair, for the moderators' list, not this import's report
        first, second = (a, b) if a.pk < b.pk else (b, a)
        pair = found.setdefault((first.pk, second.pk), DuplicatePair(first, second, score))
        pair.score = max(pair.score, score)
        pair.reasons.append(reason)

    for group in groups:
        for a, b, ratio, reason in _close_titles(group):
            add(a, b, ratio, reason)
    for a, b, cosine in _close_texts_within(groups):
        add(a, b, 100 * cosine, f"textes presque identiques ({100 * cosine:.0f} %), même structure")
    return sorted(found.values(), key=lambda p: (-p.score, p.first.pk, p.second.pk))


# Stored pairs: what the moderators' list reads.

Progress = Callable[[int, int], None]
# The most frequent terms, kept as dense columns for the bound of `_text_pairs_all`.
HEAVY_TERMS = 256
# Float32 rounding of the bound's products: a pair this close under the threshold is checked.
BOUND_SLACK = 1e-3
# Cells of one block of bound products (rows × sheets, float32, ~80 MB).
BLOCK_CELLS = 20_000_000
# Pairs whose exact cosine is computed at once.
CHECK_PAIRS = 100_000
# Rows of a bulk write.
WRITE_BATCH = 1000


class _Sheet(NamedTuple):
    pk: int
    structure_id: int
    title: str


class _Found:
    """Pairs found, keyed (smaller pk, larger pk): score and reasons, title reason first."""

    def __init__(self, involving: set[int] | None = None):
        self.pairs: dict[tuple[int, int], tuple[float, list[str]]] = {}
        self.involving = involving  # keep only the pairs of these sheets (None: all)

    def add(self, a: _Sheet, b: _Sheet, score: float, reason: str) -> None:
        if self.involving is not None and not {a.pk, b.pk} & self.involving:
            return
        key = (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)
        old_score, reasons = self.pairs.get(key, (score, []))
        reasons.append(reason)
        self.pairs[key] = (max(old_score, score), reasons)

    def add_text(self, a: _Sheet, b: _Sheet, cosine: float) -> None:
        where = "même structure" if a.structure_id == b.structure_id else "autre structure"
        self.add(a, b, 100 * cosine, f"textes presque identiques ({100 * cosine:.0f} %), {where}")

    def records(self, now) -> list[ProbableDuplicate]:
        return _with_departements(
            [
                ProbableDuplicate(
                    first_id=first, second_id=second, score=score, reasons=reasons, computed_at=now
                )
                for (first, second), (score, reasons) in self.pairs.items()
            ]
        )


def _with_departements(records: list[ProbableDuplicate]) -> list[ProbableDuplicate]:
    """`records` with the codes of their sheets' départements filled in."""
    pks = sorted({r.first_id for r in records} | {r.second_id for r in records})
    if len(pks) > 5000:  # the whole base (compute_pairs): one query rather than thousands
        codes = dict(ActionSheet.objects.values_list("pk", "structure__departement_id"))
    else:
        codes = {}
        for start in range(0, len(pks), 500):
            codes.update(
                ActionSheet.objects.filter(pk__in=pks[start : start + 500]).values_list(
                    "pk", "structure__departement_id"
                )
            )
    for record in records:
        record.first_departement = codes.get(record.first_id) or ""
        record.second_departement = codes.get(record.second_id) or ""
    return records


@receiver(post_save, sender=Structure, dispatch_uid="discovery_duplicates_structure_saved")
def _on_structure_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        structure_moved(instance.pk, instance.departement_id)


def structure_moved(structure_id: int, departement_code: str | None) -> None:
    """A structure's département may have changed: its sheets' pairs follow it (no row is
    written when it did not)."""
    code = departement_code or ""
    ProbableDuplicate.objects.filter(first__structure_id=structure_id).exclude(
        first_departement=code
    ).update(first_departement=code)
    ProbableDuplicate.objects.filter(second__structure_id=structure_id).exclude(
        second_departement=code
    ).update(second_departement=code)


def _load(fresh: set[int] = frozenset()) -> tuple[list[_Sheet], list]:
    """Every non-archived sheet (pk order) and its stored term vector; the vectors of sheets
    without a profile (drafts, pending) and of `fresh` ones (just changed: their profile may
    still be refreshed by the similarity task) are computed from the sheets."""
    sheets, blobs = [], []
    rows = (
        ActionSheet.objects.exclude(publication_status=PublicationStatus.ARCHIVED)
        .order_by("pk")
        .values_list("pk", "structure_id", "title", "similarity_profile__vector")
    )
    for pk, structure_id, title, vector in rows.iterator(chunk_size=2000):
        sheets.append(_Sheet(pk, structure_id, title))
        blobs.append(None if vector is None or pk in fresh else vector)
    missing = [i for i, blob in enumerate(blobs) if blob is None]
    for start in range(0, len(missing), 500):
        chunk = {sheets[i].pk: i for i in missing[start : start + 500]}
        for sheet in ActionSheet.objects.filter(pk__in=chunk).only("pk", "title", *TEXT_FIELDS):
            blobs[chunk[sheet.pk]] = term_vector(sheet_terms(sheet))
    return sheets, blobs


def _by_structure(sheets: list[_Sheet]) -> dict[int, list[_Sheet]]:
    groups: dict[int, list[_Sheet]] = {}
    for sheet in sheets:
        groups.setdefault(sheet.structure_id, []).append(sheet)
    return groups


def _normalized(counts: sparse.csr_matrix) -> tuple[np.ndarray, sparse.csr_matrix]:
    """(rows with at least MIN_TERMS terms, their L2-normalised counts)."""
    long_enough = np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel() >= MIN_TERMS)
    rows = counts[long_enough]
    return long_enough, normalize_counts(rows) if len(long_enough) else rows


def _text_pairs_all(counts: sparse.csr_matrix, progress: Progress | None = None):
    """(i, j, cosine) for every pair of rows i < j with near-identical texts, exactly as
    `_near_identical_texts`, without its O(n²) sparse products.

    Each normalised row a splits into its HEAVY_TERMS most frequent terms a_H (dense) and the
    rest a_R: a·b = a_H·b_H + a_R·b_R ≤ a_H·b_H + |a_R||b_R| (Cauchy–Schwarz). With |a_R| as
    one more dense column, one float32 BLAS product per block gives that bound for every pair;
    only the pairs whose bound reaches TEXT_COSINE get their exact cosine (sparse, row by row).
    The sparse products cost Σ df² over all terms, dominated by the few terms most sheets share:
    those are exactly the dense columns here."""
    from scipy import sparse

    long_enough, matrix = _normalized(counts)
    n = matrix.shape[0]
    if n < 2:
        return
    used, matrix.indices = np.unique(matrix.indices, return_inverse=True)
    matrix = sparse.csr_matrix((matrix.data, matrix.indices, matrix.indptr), (n, len(used)))
    frequency = np.bincount(matrix.indices, minlength=len(used))
    heavy = np.argsort(-frequency, kind="stable")[:HEAVY_TERMS]
    heavy = heavy[frequency[heavy] > 1]
    dense = np.zeros((n, len(heavy) + 1), dtype=np.float32)
    dense[:, :-1] = matrix[:, heavy].toarray()
    rest = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel() - (dense**2).sum(axis=1)
    dense[:, -1] = np.sqrt(np.maximum(rest, 0))
    step = max(16, min(2048, BLOCK_CELLS // n))
    for start in range(0, n, step):
        stop = min(start + step, n)
        bound = dense[start:stop] @ dense[start:].T
        i, j = np.nonzero(bound >= TEXT_COSINE - BOUND_SLACK)
        del bound
        i, j = i + start, j + start
        keep = i < j
        i, j = i[keep], j[keep]
        # Survivors in chunks: `_cosines` pads each pair's shared terms (memory).
        for first in range(0, len(i), CHECK_PAIRS):
            a, b = i[first : first + CHECK_PAIRS], j[first : first + CHECK_PAIRS]
            cosines = _cosines(matrix, a, b)
            for k in np.flatnonzero(cosines >= TEXT_COSINE).tolist():
                yield int(long_enough[a[k]]), int(long_enough[b[k]]), float(cosines[k])
        if progress:
            # Block rows cost in proportion to the columns still ahead of them.
            done = n * n - (n - stop) * (n - stop)
            progress(done, n * n)


def _cosines(matrix: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosines of the row pairs (i, j), to the last bit as the sparse product `matrix @
    matrix.T` gives them (float32 sums in row i's term order): a pair at 0.9 stays on the same
    side of the threshold as with `_near_identical_texts`. Sequential sums over padded rows."""
    products = matrix[i].multiply(matrix[j]).tocsr()
    lengths = np.diff(products.indptr)
    padded = np.zeros((len(i), int(lengths.max(initial=0))), dtype=np.float32)
    rows = np.repeat(np.arange(len(i)), lengths)
    padded[rows, np.arange(products.nnz) - products.indptr[rows]] = products.data
    sums = np.zeros(len(i), dtype=np.float32)
    for column in padded.T:
        sums += column
    return sums


def _text_pairs_of(counts: sparse.csr_matrix, rows: list[int]):
    """(i, j, cosine) for the pairs of `rows` with every other row (i in rows, j not i)."""
    long_enough, matrix = _normalized(counts)
    where = {int(r): k for k, r in enumerate(long_enough.tolist())}
    query = [where[r] for r in rows if r in where]
    for start in range(0, len(query), BLOCK):
        block = query[start : start + BLOCK]
        products = (matrix[block] @ matrix.T).toarray()
        for a, j in zip(*np.nonzero(products >= TEXT_COSINE), strict=True):
            if block[a] != j:
                yield int(long_enough[block[a]]), int(long_enough[j]), float(products[a, j])


def compute_pairs(progress: Progress | None = None) -> tuple[int, int]:
    """Recompute the probable duplicates of the whole base and replace the stored pairs
    (atomically: the list shows the old pairs until the new ones are written).
    Returns (sheets compared, pairs). `progress(done, total)` follows the text comparison."""
    started = time.monotonic()
    sheets, blobs = _load()
    found = _Found()
    for group in _by_structure(sheets).values():
        for a, b, ratio, reason in _close_titles(group):
            found.add(a, b, ratio, reason)
    counts = _counts_without_titles([s.title for s in sheets], blobs)
    for i, j, cosine in _text_pairs_all(counts, progress):
        found.add_text(sheets[i], sheets[j], cosine)
    now = timezone.now()
    records = found.records(now)
    with transaction.atomic():
        ProbableDuplicate.objects.all().delete()
        ProbableDuplicate.objects.bulk_create(records, batch_size=WRITE_BATCH)
        DuplicateComputation.objects.all().delete()
        DuplicateComputation.objects.create(
            computed_at=now,
            sheets=len(sheets),
            pairs=len(records),
            seconds=round(time.monotonic() - started, 1),
        )
    return len(sheets), len(records)


def _forget(ids: set[int]) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        ProbableDuplicate.objects.filter(Q(first_id__in=chunk) | Q(second_id__in=chunk)).delete()


@transaction.atomic
def update_pairs(ids: Iterable[int]) -> int:
    """Recompute the pairs of the sheets `ids` (just written: published, edited, archived,
    merged, deleted) with the rest of the base; other pairs stay. Returns the pairs stored."""
    ids = {int(i) for i in ids}
    if not ids:
        return 0
    _forget(ids)
    live = set(
        ActionSheet.objects.filter(pk__in=ids)
        .exclude(publication_status=PublicationStatus.ARCHIVED)
        .values_list("pk", flat=True)
    )
    if not live:
        return 0  # archived or deleted: their pairs are gone
    sheets, blobs = _load(fresh=live)
    found = _Found(involving=live)
    structures = {s.structure_id for s in sheets if s.pk in live}
    for structure, group in _by_structure(sheets).items():
        if structure in structures:
            for a, b, ratio, reason in _close_titles(group):
                found.add(a, b, ratio, reason)
    counts = _counts_without_titles([s.title for s in sheets], blobs)
    rows = [k for k, s in enumerate(sheets) if s.pk in live]
    for i, j, cosine in _text_pairs_of(counts, rows):
        found.add_text(sheets[i], sheets[j], cosine)
    records = found.records(timezone.now())
    ProbableDuplicate.objects.bulk_create(records, batch_size=WRITE_BATCH, ignore_conflicts=True)
    return len(records)


@transaction.atomic
def refresh_within_structures(ids: Iterable[int]) -> list[DuplicatePair]:
    """An import batch (more than SIMILAR_SYNC_MAX sheets): the pairs of `ids` within their
    structures only, at the cost of their structures' sizes. Pairs of texts across structures
    wait for the next full computation (`compute_similar`, nightly). Returns the pairs stored
    (those `duplicates_within_structures(ids)` gives)."""
    ids = {int(i) for i in ids}
    _forget(ids)
    now = timezone.now()
    pairs = duplicates_within_structures(ids)
    records = _with_departements(
        [
            ProbableDuplicate(
                first_id=p.first.pk,
                second_id=p.second.pk,
                score=p.score,
                reasons=p.reasons,
                computed_at=now,
            )
            for p in pairs
        ]
    )
    ProbableDuplicate.objects.bulk_create(records, batch_size=WRITE_BATCH, ignore_conflicts=True)
    return pairs


def follow_sheet_changes(sheet_ids, *, pairs_later: bool = False) -> None:
    """Step of the sheet-change pipeline (essaimage.sheet_changes), after the similar lists
    (their profiles, saved in the request for a batch, are read here): the probable duplicate
    pairs of the changed sheets. In the job worker for a few sheets, in the request for a
    batch, or once at the end of an import (`pairs_later`)."""
    # Every status counts (drafts and pending sheets are in the list): whatever sends
    # sheets_changed (creation, saved edit, publication, archive, merge, import) refreshes the
    # pairs of its sheets. An autosave sends nothing: its text is not the sheet's yet.
    ids = {int(i) for i in sheet_ids}
    if not ids:
        return
    # Archived (a merge): their pairs go at once, so the list needs no filter on the status.
    _forget(
        set(
            ActionSheet.objects.filter(
                pk__in=ids, publication_status=PublicationStatus.ARCHIVED
            ).values_list("pk", flat=True)
        )
    )
    if len(ids) > settings.SIMILAR_SYNC_MAX:
        if pairs_later:
            # The importer calls refresh_within_structures once for all its batches, by
            # structure (the same pairs: they never cross a structure), and reports them.
            return
        # Profiles of an import batch are already fresh: the similar lists' step, run before
        # this one (essaimage.sheet_changes), saved them synchronously.
        refresh_within_structures(ids)
    elif settings.SIMILAR_IN_BACKGROUND:
        # One row against the base loads every sheet's terms (about 1 s per 10,000 sheets):
        # the job worker does it, committed with the change like discovery.tasks.update_similar.
        from discovery.tasks import update_duplicates

        update_duplicates.enqueue(sorted(ids))
    else:
        update_pairs(ids)


# What the list shows of each sheet.
SHOWN = ("title", "year", "structure__name")


def stored_pairs(departements: list[str] | None, limit: int) -> tuple[list[ProbableDuplicate], int]:
    """The stored pairs with both sheets in `departements` (a moderator's territory, None: the
    whole base), most probable first, at most `limit`, sheets and structures loaded; and how
    many there are. The pair's own département codes, indexed, not joins to both sheets (a
    région's page walked every pair of its sheets: 11.8 s at 100,000 synthetic sheets) nor
    `first__in=<sheets>` (SQLite probed the (first, second) index with every combination of both
    lists: 5 minutes at 20,000 sheets). No filter on the status: the pairs of an archived sheet are deleted when it is archived (`follow_sheet_changes`),
    and an administrator's count is then a plain count."""
    pairs = ProbableDuplicate.objects.all()
    if departements is not None:
        pairs = pairs.filter(
            first_departement__in=departements, second_departement__in=departements
        )
    order = ("-score", "first_id", "second_id")
    # The page's pairs first, from the pairs table alone; then their sheets: joining before the
    # LIMIT joined every pair of the territory (5 s for a région at 100,000 synthetic sheets).
    page = list(pairs.order_by(*order).values_list("pk", flat=True)[:limit])
    listed = list(
        ProbableDuplicate.objects.filter(pk__in=page)
        .select_related("first__structure", "second__structure")
        .only(
            "score",
            "reasons",
            *(f"{side}__{name}" for side in ("first", "second") for name in SHOWN),
        )
        .order_by(*order)
    )
    total = len(listed) if len(listed) < limit else pairs.count()
    return listed, total


def last_computation() -> DuplicateComputation | None:
    return DuplicateComputation.objects.order_by("-computed_at").first()
