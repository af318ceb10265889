"""Probable duplicates, for moderators (list, side by side, merge) and for authors (a warning).

Two rules, each computed in C (rapidfuzz, SciPy), never pair by pair in Python:

- same or close title within a structure: rapidfuzz `token_sort_ratio` of the folded titles
  ≥ TITLE_RATIO (word order and accents do not matter: "Café des parents" ~ "LE CAFE DES PARENTS");
- near-identical texts across years or structures: cosine of the term counts (terms of
  search.analysis, stored in SimilarityProfile for published sheets) ≥ TEXT_COSINE, texts of at
  least MIN_TERMS terms (two nearly empty sheets are not duplicates).

Archived sheets are left out (a merged duplicate is archived, so a merge empties its pair).
"""

import re
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from django.db.models import QuerySet
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.preprocessing import normalize

from catalogue.models import ActionSheet, PublicationStatus
from discovery.models import SimilarityProfile
from discovery.similarity import BLOCK, feature, sheet_terms, term_vector, vectors_matrix
from search import analysis

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
    counts = vectors_matrix(blobs)
    rows, columns = [], []
    for row, sheet in enumerate(candidates):
        for term in analysis.terms(sheet.title):
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
    matrix = normalize(counts[long_enough])
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
        for sheet in _candidates(ActionSheet.objects.filter(structure_id__in=chunk)):
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
    # Texts: every pair within a structure at once (row-wise products of two matrices).
    sheets = [s for g in groups for s in g]
    if sheets:
        counts = _text_counts(sheets, _profiles(sheets))
        long_enough = np.asarray(counts.sum(axis=1)).ravel() >= MIN_TERMS
        matrix = normalize(counts)
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
                cosine = float(cosines[k])
                add(
                    sheets[a[k]],
                    sheets[b[k]],
                    100 * cosine,
                    f"textes presque identiques ({100 * cosine:.0f} %), même structure",
                )
    return sorted(found.values(), key=lambda p: (-p.score, p.first.pk, p.second.pk))
