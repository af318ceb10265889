"""Similar actions: for each published sheet, up to SIMILAR_COUNT published sheets of OTHER
structures, with the reasons in words.

    score = 0.55 · cosine of the TF-IDF vectors (terms of search.analysis, title counted twice)
          + 0.25 · Jaccard of the keywords + 0.10 · Jaccard of the publics + 0.10 · same dimension

A pair must share a keyword or have a text cosine of at least MIN_TEXT (a shared public and
dimension alone is not a topic), and reach MIN_SCORE. The score is symmetric, which makes the
incremental update exact: a changed sheet enters another sheet's list only if it beats that
list's lowest score.

`compute_all()` (manage.py compute_similar) analyses every published sheet once, stores its
terms (SimilarityProfile), then scores the sheets in blocks of rows (sparse products, scikit-learn
and SciPy): memory is O(BLOCK × sheets), never sheets². `update_sheets(ids)` follows
`catalogue.signals.sheets_changed`: it re-analyses only the changed sheets and recomputes the
lists of the changed sheets and of their neighbours (old and new). The IDF weights drift a little
between two full runs; `compute_similar` (nightly, or after a large import) resets them.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q

from catalogue.bulk import insert_rows
from catalogue.display import display_label
from catalogue.fields import TEXT_FIELDS
from catalogue.models import ActionSheet, Dimension, Keyword, PublicationStatus
from catalogue.models import Public as PublicValue
from discovery.models import SimilarityProfile, SimilarSheet
from search import analysis

if TYPE_CHECKING:
    from scipy import sparse

logger = logging.getLogger(__name__)

SIMILAR_COUNT = 6
W_TEXT, W_KEYWORDS, W_PUBLICS, W_DIMENSION = 0.55, 0.25, 0.10, 0.10
MIN_TEXT = 0.10
MIN_SCORE = 0.12
# A text cosine from which "description proche" is given as a reason.
TEXT_REASON = 0.25
BLOCK = 256
CHUNK = 500
FEATURES = 1 << 20
TOP_TERMS = 64

Progress = Callable[[int, int], None]


# scikit-learn is imported on first use: 70 MB that a web worker, which reads the stored lists
# and never computes them, does not hold.
def normalize(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to a unit L2 norm (scikit-learn's `normalize`)."""
    from sklearn.preprocessing import normalize as l2_rows

    return l2_rows(matrix)


def tfidf():
    """scikit-learn's TfidfTransformer with sublinear term frequencies."""
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True)


def sheet_terms(sheet: ActionSheet) -> Counter[str]:
    return texts_terms(sheet.title, [getattr(sheet, name) for name in TEXT_FIELDS])


def texts_terms(title: str, texts: Iterable[str]) -> Counter[str]:
    """The counted terms of a sheet's title (twice) and texts (TEXT_FIELDS order)."""
    counts: Counter[str] = Counter()
    for _ in range(2):
        counts.update(analysis.terms(title))
    body = []
    for name, text in zip(TEXT_FIELDS, texts, strict=True):
        if name == "summary":
            counts.update(analysis.terms(text))
        elif text:
            body.append(text)
    # The other texts joined as the search index joins them (search.indexing.BODY_FIELDS), so
    # that analysis.terms answers from what the index just analysed. The terms are those of
    # each text: a word's term never depends on its neighbours or on the text's case (they only
    # decide whether it is marked an acronym); discovery/tests/test_sheet_terms.py checks it.
    counts.update(analysis.terms("\n\n".join(body)))
    return counts


@lru_cache(maxsize=200_000)
def feature(term: str) -> int:
    """A term's column: CRC-32 (stable across processes, unlike hash()) in FEATURES columns;
    collisions are rare enough (2^20 columns, some 10^5 distinct terms) to be harmless."""
    return zlib.crc32(term.encode()) & (FEATURES - 1)


def term_vector(counts: Counter[str]) -> bytes:
    merged: dict[int, int] = {}  # (a Counter calls Python code for every new key)
    for term, n in counts.items():
        column = feature(term)
        merged[column] = merged.get(column, 0) + n
    keys = sorted(merged)
    return np.array(keys + [merged[k] for k in keys], dtype=np.int32).tobytes()


def decode_vector(blob) -> tuple[np.ndarray, np.ndarray]:
    values = np.frombuffer(blob, dtype=np.int32)
    half = len(values) // 2
    return values[:half], values[half:]


def vectors_matrix(blobs: list) -> sparse.csr_matrix:
    """Rows of term counts, one per stored vector."""
    from scipy import sparse

    decoded = [decode_vector(b) for b in blobs]
    indptr = np.zeros(len(decoded) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(k) for k, _ in decoded])
    indices = np.concatenate([k for k, _ in decoded]) if decoded else np.zeros(0, np.int32)
    data = np.concatenate([v for _, v in decoded]).astype(np.float32) if decoded else []
    return sparse.csr_matrix((data, indices, indptr), shape=(len(decoded), FEATURES))


def _save_profiles(ids: Iterable[int], progress: Progress | None = None, total: int = 0) -> None:
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # Plain rows, not model instances: an import batch analyses thousands of sheets.
        rows = ActionSheet.objects.filter(pk__in=chunk).values_list("pk", "title", *TEXT_FIELDS)
        profiles = [(pk, term_vector(texts_terms(title, texts))) for pk, title, *texts in rows]
        SimilarityProfile.objects.filter(sheet_id__in=chunk).delete()
        insert_rows(SimilarityProfile, ("sheet", "vector"), profiles)
        if progress:
            progress(start + len(chunk), total or len(ids))


@dataclass
class Corpus:
    ids: np.ndarray
    position: dict[int, int]
    text: object  # CSR matrix, rows L2-normalised
    keywords: object  # CSR binary matrix
    publics: object
    keyword_count: np.ndarray
    public_count: np.ndarray
    dimension: np.ndarray  # -1: none
    structure: np.ndarray
    keyword_sets: list[set[int]]
    public_sets: list[set[int]]


def load_corpus() -> Corpus:
    """Every published sheet with a profile, as matrices (row i is sheet ids[i])."""
    rows = list(
        ActionSheet.objects.published()
        .filter(similarity_profile__isnull=False)
        .order_by("pk")
        .values_list("pk", "structure_id", "dimension_id", "similarity_profile__vector")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    position = {pk: i for i, pk in enumerate(ids.tolist())}
    n = len(rows)
    if n:
        counts = vectors_matrix([r[3] for r in rows])
        text = _top_terms(tfidf().fit_transform(counts).tocsr())
    else:
        text = None
    keyword_sets: list[set[int]] = [set() for _ in range(n)]
    public_sets: list[set[int]] = [set() for _ in range(n)]
    for model_field, sets in (("keywords", keyword_sets), ("publics", public_sets)):
        through = getattr(ActionSheet, model_field).through
        column = "keyword_id" if model_field == "keywords" else "public_id"
        pairs = through.objects.filter(
            actionsheet__publication_status=PublicationStatus.PUBLISHED
        ).values_list("actionsheet_id", column)
        for sheet_id, value_id in pairs:
            if sheet_id in position:
                sets[position[sheet_id]].add(value_id)
    return Corpus(
        ids=ids,
        position=position,
        text=text,
        keywords=_binary(keyword_sets),
        publics=_binary(public_sets),
        keyword_count=np.array([len(s) for s in keyword_sets], dtype=np.float32),
        public_count=np.array([len(s) for s in public_sets], dtype=np.float32),
        dimension=np.array([r[2] if r[2] is not None else -1 for r in rows], dtype=np.int64),
        structure=np.array([r[1] for r in rows], dtype=np.int64),
        keyword_sets=keyword_sets,
        public_sets=public_sets,
    )


def _top_terms(matrix: sparse.csr_matrix, keep: int = TOP_TERMS) -> sparse.csr_matrix:
    """Each row reduced to its `keep` heaviest terms, then L2-normalised again (what Lucene's
    MoreLikeThis does with its 25 "interesting terms"): the products cost ~10× less, and the
    terms dropped are those weighing least in the cosine."""
    matrix = matrix.copy()
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end - start > keep:
            weights = matrix.data[start:end]
            weights[np.argpartition(weights, end - start - keep)[: end - start - keep]] = 0
    matrix.eliminate_zeros()
    return normalize(matrix)


def _binary(sets: list[set[int]]):
    from scipy import sparse

    columns = {v: i for i, v in enumerate(sorted(set().union(*sets)))} if sets else {}
    rows, cols = [], []
    for i, values in enumerate(sets):
        for v in values:
            rows.append(i)
            cols.append(columns[v])
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), max(len(columns), 1)))


def _jaccard(matrix, sizes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    shared = (matrix[rows] @ matrix.T).toarray()
    union = sizes[rows][:, None] + sizes[None, :] - shared
    return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)


def _scores(corpus: Corpus, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(score, text cosine) of the sheets at `rows` against every sheet; 0 for pairs that may
    not be similar (same structure, hence the sheet itself; no shared topic)."""
    text = (corpus.text[rows] @ corpus.text.T).toarray()
    keywords = _jaccard(corpus.keywords, corpus.keyword_count, rows)
    publics = _jaccard(corpus.publics, corpus.public_count, rows)
    dims = corpus.dimension[rows][:, None]
    same_dimension = (dims == corpus.dimension[None, :]) & (dims >= 0)
    score = W_TEXT * text + W_KEYWORDS * keywords + W_PUBLICS * publics
    score += W_DIMENSION * same_dimension
    allowed = (text >= MIN_TEXT) | (keywords > 0)
    allowed &= corpus.structure[rows][:, None] != corpus.structure[None, :]
    score[~allowed] = 0
    return score, text


def _links(corpus: Corpus, rows: np.ndarray, labels: Labels) -> list[SimilarSheet]:
    links = []
    for start in range(0, len(rows), BLOCK):
        block = rows[start : start + BLOCK]
        score, text = _scores(corpus, block)
        for k, i in enumerate(block.tolist()):
            row = score[k]
            top = np.argpartition(-row, min(SIMILAR_COUNT, len(row) - 1))[: SIMILAR_COUNT + 1]
            chosen = sorted(
                (j for j in top.tolist() if row[j] >= MIN_SCORE),
                key=lambda j: (-row[j], int(corpus.ids[j])),
            )[:SIMILAR_COUNT]
            for j in chosen:
                links.append(
                    SimilarSheet(
                        sheet_id=int(corpus.ids[i]),
                        other_id=int(corpus.ids[j]),
                        score=round(float(row[j]), 4),
                        reasons=labels.reasons(corpus, i, j, float(text[k, j])),
                    )
                )
    return links


class Labels:
    """Display labels of the vocabularies, read once per computation."""

    def __init__(self):
        self.keywords = dict(Keyword.objects.values_list("pk", "label"))
        self.publics = dict(PublicValue.objects.values_list("pk", "label"))
        self.dimensions = dict(Dimension.objects.values_list("pk", "label"))

    def _names(self, table: dict[int, str], ids: set[int]) -> list[str]:
        return sorted((display_label(table[i]) for i in ids), key=analysis.fold)

    def reasons(self, corpus: Corpus, i: int, j: int, text: float) -> list[str]:
        out = []
        keywords = corpus.keyword_sets[i] & corpus.keyword_sets[j]
        if keywords:
            noun = "mots clés communs" if len(keywords) > 1 else "mot clé commun"
            out.append(f"{noun} : {', '.join(self._names(self.keywords, keywords))}")
        publics = corpus.public_sets[i] & corpus.public_sets[j]
        if publics:
            noun = "mêmes publics" if len(publics) > 1 else "même public"
            names = ", ".join(n[:1].lower() + n[1:] for n in self._names(self.publics, publics))
            out.append(f"{noun} : {names}")
        dimension = int(corpus.dimension[i])
        if dimension >= 0 and dimension == int(corpus.dimension[j]):
            out.append(f"même dimension : {display_label(self.dimensions[dimension])}")
        if text >= TEXT_REASON:
            out.append("description proche")
        return out


@transaction.atomic
def compute_all(progress: Progress | None = None) -> tuple[int, int]:
    """Recompute every profile and every list. Returns (sheets, pairs).
    `progress(done, total)` is called during analysis (first half) and scoring (second half)."""
    published = list(ActionSheet.objects.published().values_list("pk", flat=True))
    total = 2 * len(published)
    SimilarityProfile.objects.exclude(sheet_id__in=published).delete()
    _save_profiles(published, progress, total)
    corpus = load_corpus()
    SimilarSheet.objects.all().delete()
    if not len(corpus.ids):
        return 0, 0
    labels = Labels()
    pairs = 0
    for start in range(0, len(corpus.ids), CHUNK):
        rows = np.arange(start, min(start + CHUNK, len(corpus.ids)))
        links = _links(corpus, rows, labels)
        SimilarSheet.objects.bulk_create(links, batch_size=1000)
        pairs += len(links)
        if progress:
            progress(len(published) + int(rows[-1]) + 1, total)
    return len(corpus.ids), pairs


def update_sheets(ids: Iterable[int]) -> set[int]:
    """Follow a change of the sheets `ids`: their lists and the lists they enter or leave.
    Returns the ids whose list was recomputed."""
    ids = {int(i) for i in ids}
    if not ids:
        return set()
    listing = set(SimilarSheet.objects.filter(other_id__in=ids).values_list("sheet_id", flat=True))
    SimilarSheet.objects.filter(Q(sheet_id__in=ids) | Q(other_id__in=ids)).delete()
    published = set(ActionSheet.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    SimilarityProfile.objects.filter(sheet_id__in=ids - published).delete()
    if len(ids) > settings.SIMILAR_SYNC_MAX:
        # An import of thousands of sheets: `compute_similar` does it in one pass, far faster.
        _save_profiles(published)
        logger.warning("similar_deferred sheets=%s: run manage.py compute_similar", len(published))
        return set()
    if not published and not listing:
        return set()  # a draft saved, an unpublished sheet archived: no list to recompute
    # Published sheets never analysed (written without the signal) join the corpus now.
    missing = ActionSheet.objects.published().filter(similarity_profile__isnull=True)
    _save_profiles(published | set(missing.values_list("pk", flat=True)))
    corpus = load_corpus()
    changed = np.array(sorted(corpus.position[i] for i in published if i in corpus.position))
    affected = (listing - ids) | published
    if len(changed):
        floors = {
            row["sheet_id"]: row["low"] if row["n"] >= SIMILAR_COUNT else MIN_SCORE
            for row in SimilarSheet.objects.values("sheet_id").annotate(
                n=Count("pk"), low=Min("score")
            )
        }
        for start in range(0, len(changed), BLOCK):
            score, _ = _scores(corpus, changed[start : start + BLOCK])
            best = score.max(axis=0)
            for j in np.nonzero(best >= MIN_SCORE)[0].tolist():
                other = int(corpus.ids[j])
                if best[j] >= floors.get(other, MIN_SCORE):
                    affected.add(other)
    rows = np.array(sorted(corpus.position[i] for i in affected if i in corpus.position))
    SimilarSheet.objects.filter(sheet_id__in=affected).delete()
    if len(rows):
        SimilarSheet.objects.bulk_create(_links(corpus, rows, Labels()), batch_size=1000)
    return affected


def concerns_lists(ids: set[int]) -> bool:
    """Whether a change of `ids` can change a similar list: one of them is published, has a
    profile (it was published) or is in a list. A draft's autosave is none of these."""
    return (
        ActionSheet.objects.published().filter(pk__in=ids).exists()
        or SimilarityProfile.objects.filter(sheet_id__in=ids).exists()
        or SimilarSheet.objects.filter(other_id__in=ids).exists()
    )


def follow_sheet_changes(sheet_ids) -> None:
    """Step of the sheet-change pipeline (essaimage.sheet_changes): the similar lists of the
    changed sheets. In the job worker for a few sheets (SIMILAR_IN_BACKGROUND), else in the
    request (an import batch: terms refreshed, links dropped)."""
    ids = {int(i) for i in sheet_ids}
    if not ids or not concerns_lists(ids):
        return
    if settings.SIMILAR_IN_BACKGROUND and len(ids) <= settings.SIMILAR_SYNC_MAX:
        # Scoring loads the whole corpus (about 1 s per 10,000 published sheets): the job
        # worker does it, so publishing answers at once. The task row is written in the
        # publishing transaction: it exists if and only if the change was committed. (A larger
        # change, an import batch, only refreshes terms and drops links, at once: a task run
        # after the next `compute_similar` would drop its links.)
        from discovery.tasks import update_similar

        update_similar.enqueue(sorted(ids))
    else:
        update_sheets(ids)


def similar_to(sheet: ActionSheet) -> list[SimilarSheet]:
    """The stored list of a sheet (published others only), `other` loaded: one query."""
    return list(
        SimilarSheet.objects.filter(
            sheet=sheet, other__publication_status=PublicationStatus.PUBLISHED
        )
        .select_related("other")
        .only("score", "reasons", "sheet_id", "other__id", "other__title", "other__year")
        .order_by("-score", "other_id")[:SIMILAR_COUNT]
    )
