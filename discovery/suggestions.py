"""Keyword, public and dimension suggestions while a sheet is written (issue #14, item 2).

A nearest-neighbour vote over the published sheets: the text typed so far (title counted twice,
then every text field, terms of `search.analysis`) is turned into the same TF-IDF vector as
`discovery.similarity` uses; its NEIGHBOURS most similar published sheets vote for their own
keywords, publics and dimension, each vote weighted by the cosine. A value's confidence is its
share of the votes of the neighbours that fill that field (0–1). Values are shown above a
per-field confidence, at most a few per field; nothing is ever applied without the author's
click (contrib's edit page).

Nothing is said rather than noise: no model below MIN_SHEETS published sheets with values, no
suggestion for a text of fewer than MIN_TERMS terms or with no neighbour at MIN_SIMILARITY, no
value carried by fewer than MIN_SUPPORT training sheets, no value still waiting for review.

The model is a NumPy file (`SUGGESTIONS_MODEL`, default var/suggestions.npz, no pickle),
rebuilt by `manage.py train_suggestions` and at the end of `manage.py compute_similar`; each
process reads it again when the file changes. It reuses the term counts `compute_similar`
stores (SimilarityProfile), so training costs a few seconds beyond loading them.
`evaluate()` (`manage.py suggestion_quality`) measures it on held-out published sheets.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings

from catalogue.fields import TEXT_FIELDS
from catalogue.models import ActionSheet, Dimension, Keyword, PublicationStatus
from catalogue.models import Public as PublicValue
from discovery.models import SimilarityProfile
from discovery.similarity import (
    CHUNK,
    FEATURES,
    TOP_TERMS,
    _top_terms,
    feature,
    normalize,
    sheet_terms,
    term_vector,
    tfidf,
    vectors_matrix,
)
from search import analysis

if TYPE_CHECKING:
    from scipy import sparse

logger = logging.getLogger(__name__)

FIELDS = ("keywords", "publics", "dimension")
FIELD_NAMES = {"keywords": "mots clés", "publics": "publics", "dimension": "dimension"}
MODELS = {"keywords": Keyword, "publics": PublicValue, "dimension": Dimension}
# Below this many published sheets with a keyword, a public or a dimension: no model at all.
MIN_SHEETS = 20
# A value carried by fewer training sheets is never proposed (too rare to vote on).
MIN_SUPPORT = 2
NEIGHBOURS = 15
# Held-out sheets of the field check at training time, on a large base.
CHECK_SHEETS = 1000
# Texts scored at once (dense: QUERY_BLOCK × the model's terms, then × training sheets).
QUERY_BLOCK = 16
# A typed text of fewer analysed terms says too little to suggest anything.
MIN_TERMS = 3
# Nothing is proposed when even the closest published sheet is this far (cosine).
MIN_SIMILARITY = 0.08
# Shown on the edit page: values above this confidence, at most SHOW_MAX per field.
SHOW_CONFIDENCE = {"keywords": 0.3, "publics": 0.4, "dimension": 0.5}
SHOW_MAX = {"keywords": 5, "publics": 3, "dimension": 1}


@dataclass
class Suggestion:
    field: str
    value: int  # the vocabulary row's primary key, as the form's checkbox or radio sends it
    label: str
    confidence: float  # 0–1

    @property
    def percent(self) -> int:
        return round(100 * self.confidence)


@dataclass
class TrainingData:
    """Every published sheet: hashed term counts and its values (row i is sheet ids[i])."""

    ids: np.ndarray
    counts: sparse.csr_matrix
    values: dict[str, list[list[int]]]  # field -> per sheet, the vocabulary pks


@dataclass
class Model:
    ids: np.ndarray  # sheet ids of the rows
    columns: np.ndarray  # sorted hashed features (discovery.similarity.feature) known
    idf: np.ndarray  # per column
    text: sparse.csr_matrix  # rows L2-normalised TF-IDF, TOP_TERMS heaviest terms per row
    labels: dict[str, sparse.csr_matrix] = field(default_factory=dict)  # rows × values (0/1)
    values: dict[str, np.ndarray] = field(default_factory=dict)  # column -> vocabulary pk
    # Fields the page proposes: those that beat the most frequent value on held-out sheets.
    enabled: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(FIELDS, True))

    @property
    def size(self) -> int:
        return len(self.ids)


# --- Training --------------------------------------------------------------------------------


def load_training_data() -> TrainingData:
    """The published sheets, their stored term counts (analysed now for those without) and
    values, in a few queries."""
    published = ActionSheet.objects.published()
    ids = list(published.order_by("pk").values_list("pk", flat=True))
    stored = dict(
        SimilarityProfile.objects.filter(
            sheet__publication_status=PublicationStatus.PUBLISHED
        ).values_list("sheet_id", "vector")
    )
    missing = [pk for pk in ids if pk not in stored]
    for start in range(0, len(missing), CHUNK):
        sheets = ActionSheet.objects.filter(pk__in=missing[start : start + CHUNK]).only(
            "pk", "title", *TEXT_FIELDS
        )
        stored.update({s.pk: term_vector(sheet_terms(s)) for s in sheets})
    position = {pk: i for i, pk in enumerate(ids)}
    values: dict[str, list[list[int]]] = {name: [[] for _ in ids] for name in FIELDS}
    for name, column in (("keywords", "keyword_id"), ("publics", "public_id")):
        through = getattr(ActionSheet, name).through
        pairs = through.objects.filter(
            actionsheet__publication_status=PublicationStatus.PUBLISHED
        ).values_list("actionsheet_id", column)
        for sheet_id, value_id in pairs:
            if sheet_id in position:
                values[name][position[sheet_id]].append(value_id)
    for sheet_id, dimension_id in published.exclude(dimension=None).values_list(
        "pk", "dimension_id"
    ):
        values["dimension"][position[sheet_id]].append(dimension_id)
    return TrainingData(
        ids=np.array(ids, dtype=np.int64),
        counts=vectors_matrix([stored[pk] for pk in ids]),
        values=values,
    )


def fit(data: TrainingData, rows: Sequence[int] | None = None) -> Model | None:
    """A model of the sheets at `rows` (all by default); None when they are too few to say
    anything but noise (fewer than MIN_SHEETS with at least one value)."""
    from scipy import sparse

    rows = np.arange(len(data.ids)) if rows is None else np.asarray(rows, dtype=np.int64)
    labelled = [i for i in rows.tolist() if any(data.values[name][i] for name in FIELDS)]
    if len(labelled) < MIN_SHEETS:
        return None
    rows = np.array(labelled, dtype=np.int64)
    counts = data.counts[rows]
    columns = np.unique(counts.indices).astype(np.int64)
    compact = sparse.csr_matrix(
        (counts.data, np.searchsorted(columns, counts.indices), counts.indptr),
        shape=(len(rows), len(columns)),
    )
    # The same weighting as discovery.similarity (scikit-learn's smooth IDF, sublinear tf); the
    # IDF is kept in the model to weigh the text typed later (`_queries`).
    weights = tfidf().fit(compact)
    model = Model(
        ids=data.ids[rows],
        columns=columns,
        idf=weights.idf_.astype(np.float32),
        text=_top_terms(weights.transform(compact), TOP_TERMS).astype(np.float32).tocsr(),
    )
    for name in FIELDS:
        support = Counter(v for i in rows.tolist() for v in set(data.values[name][i]))
        kept = sorted(v for v, n in support.items() if n >= MIN_SUPPORT)
        index = {v: j for j, v in enumerate(kept)}
        r, c = [], []
        for k, i in enumerate(rows.tolist()):
            for v in set(data.values[name][i]):
                if v in index:
                    r.append(k)
                    c.append(index[v])
        model.labels[name] = sparse.csr_matrix(
            (np.ones(len(r), dtype=np.float32), (r, c)), shape=(len(rows), max(len(kept), 1))
        )
        model.values[name] = np.array(kept, dtype=np.int64)
    return model


# --- Persistence -----------------------------------------------------------------------------


def model_path() -> Path:
    return Path(getattr(settings, "SUGGESTIONS_MODEL", settings.VAR_DIR / "suggestions.npz"))


def save(model: Model | None, path: Path | None = None) -> None:
    """Write the model (atomically: a process reading it sees the old or the new one); None
    removes it, so that a base grown too small stops suggesting."""
    path = path or model_path()
    if model is None:
        path.unlink(missing_ok=True)
        return
    arrays = {
        "ids": model.ids,
        "columns": model.columns,
        "idf": model.idf,
        "text_data": model.text.data,
        "text_indices": model.text.indices,
        "text_indptr": model.text.indptr,
        "enabled": np.array([model.enabled[name] for name in FIELDS], dtype=bool),
    }
    for name in FIELDS:
        labels = model.labels[name]
        arrays[f"{name}_values"] = model.values[name]
        arrays[f"{name}_indices"] = labels.indices
        arrays[f"{name}_indptr"] = labels.indptr
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as out:
        np.savez(out, **arrays)
    os.replace(temporary, path)


def load(path: Path | None = None) -> Model | None:
    from scipy import sparse

    path = path or model_path()
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        # A damaged or foreign file: no suggestions (the page works), and a line in the logs.
        logger.warning("suggestions_model_unreadable path=%s error=%s", path, error)
        return None
    required = {"ids", "columns", "idf", "text_data", "text_indices", "text_indptr"}
    required |= {f"{n}_{part}" for n in FIELDS for part in ("values", "indices", "indptr")}
    if not required <= arrays.keys():
        logger.warning("suggestions_model_unreadable path=%s error=missing arrays", path)
        return None
    n, width = len(arrays["ids"]), len(arrays["columns"])
    model = Model(
        ids=arrays["ids"],
        columns=arrays["columns"],
        idf=arrays["idf"],
        text=sparse.csr_matrix(
            (arrays["text_data"], arrays["text_indices"], arrays["text_indptr"]),
            shape=(n, width),
        ),
    )
    if "enabled" in arrays:
        model.enabled = dict(zip(FIELDS, arrays["enabled"].tolist(), strict=True))
    for name in FIELDS:
        values = arrays[f"{name}_values"]
        indices = arrays[f"{name}_indices"]
        model.values[name] = values
        model.labels[name] = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, arrays[f"{name}_indptr"]),
            shape=(n, max(len(values), 1)),
        )
    return model


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def current_model() -> Model | None:
    """The saved model, read again by each process when the file changes."""
    path = model_path()
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return None
    with _cache_lock:
        if _cache.get("stamp") != stamp:
            _cache["model"] = load(path)
            _cache["stamp"] = stamp
        return _cache["model"]


def train() -> Model | None:
    """Train on every published sheet, check each field on held-out sheets, and save
    (`manage.py train_suggestions`)."""
    data = load_training_data()
    model = fit(data)
    if model is not None:
        model.enabled = check_fields(data)
    save(model)
    return model


def fields_summary(model: Model) -> str:
    """ "champs proposés : mots clés, publics ; champ non proposé (…) : dimension"."""
    parts = []
    for wanted, words in ((True, "proposé"), (False, "non proposé")):
        names = [FIELD_NAMES[n] for n in FIELDS if bool(model.enabled.get(n)) is wanted]
        if names:
            plural = "s" if len(names) > 1 else ""
            why = "" if wanted else " (pas mieux que la valeur la plus fréquente)"
            parts.append(f"champ{plural} {words}{plural}{why} : {', '.join(names)}")
    return " ; ".join(parts)


def check_fields(data: TrainingData) -> dict[str, bool]:
    """Whether each field's suggestions beat always proposing its most frequent value, on
    published sheets held out of the training: precision of the most confident suggestion
    against that value's. A field that does not (the values do not follow the text, or too few
    sheets to tell) is not proposed: no chips rather than noise. Small bases are checked sheet
    by sheet (each judged by a model of the others), large ones on CHECK_SHEETS sheets."""
    n = len(data.ids)
    if n < 200:
        quality = evaluate(folds=n, data=data)
    elif n < 5 * CHECK_SHEETS:
        quality = evaluate(folds=10, data=data)
    else:
        quality = evaluate(holdout=CHECK_SHEETS / n, data=data)
    return {name: bool(quality and quality.fields[name].beats_baseline()) for name in FIELDS}


# --- Suggesting ------------------------------------------------------------------------------


def text_features(values: Mapping[str, Any]) -> Counter[int]:
    """The analysed terms of a form's title and texts, hashed and counted as
    `discovery.similarity` counts a sheet's."""
    counts: Counter[str] = Counter()
    title = values.get("title") or ""
    if isinstance(title, str):
        for _ in range(2):
            counts.update(analysis.terms(title))
    for name in TEXT_FIELDS:
        text = values.get(name) or ""
        if isinstance(text, str):
            counts.update(analysis.terms(text))
    merged: Counter[int] = Counter()
    for term, n in counts.items():
        merged[feature(term)] += n
    return merged


def _queries(model: Model, counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows of hashed term counts (the FEATURES columns of discovery.similarity) as the
    model's L2-normalised TF-IDF vectors; terms the model never saw are dropped."""
    from scipy import sparse

    counts = counts.tocsr()
    positions = np.searchsorted(model.columns, counts.indices)
    positions[positions >= len(model.columns)] = 0
    if len(model.columns):
        known = model.columns[positions] == counts.indices
    else:
        known = np.zeros(len(positions), dtype=bool)
    data = np.where(
        known, (1 + np.log(np.maximum(counts.data, 1))) * model.idf[positions], 0
    ).astype(np.float32)
    matrix = sparse.csr_matrix(
        (data, positions, counts.indptr), shape=(counts.shape[0], len(model.columns))
    )
    matrix.eliminate_zeros()
    return normalize(matrix)


Scores = dict[str, list[tuple[int, float]]]


def batch_scores(
    model: Model, counts: sparse.csr_matrix, exclude: Sequence[int] = ()
) -> list[Scores]:
    """For each row of hashed term counts, every value its neighbours vote for, per field,
    (pk, confidence) most confident first; nothing for a row of fewer than MIN_TERMS terms or
    whose closest published sheet is below MIN_SIMILARITY. Sheets `exclude` never vote."""
    found: list[Scores] = []
    excluded = np.isin(model.ids, np.asarray(exclude, dtype=np.int64)) if len(exclude) else None
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    for start in range(0, counts.shape[0], QUERY_BLOCK):
        block = _queries(model, counts[start : start + QUERY_BLOCK])
        # Sparse rows times a few dense columns: ~10× faster than a sparse × sparse product.
        similarity = np.ascontiguousarray((model.text @ block.T.toarray()).T)
        if excluded is not None:
            similarity[:, excluded] = 0
        for row in range(similarity.shape[0]):
            found.append(_votes(model, similarity[row], lengths[start + row]))
    return found


def _votes(model: Model, similarity: np.ndarray, length: float) -> Scores:
    out: Scores = {name: [] for name in FIELDS}
    if length < MIN_TERMS or not len(similarity):
        return out
    k = min(NEIGHBOURS, len(similarity))
    top = np.argpartition(-similarity, k - 1)[:k]
    top = top[similarity[top] > 0]
    if not len(top) or similarity[top].max() < MIN_SIMILARITY:
        return out
    weights = similarity[top]
    for name in FIELDS:
        labels = model.labels[name][top]
        # Only the neighbours that fill the field vote on it.
        voters = np.asarray(labels.sum(axis=1)).ravel() > 0
        total = float(weights[voters].sum())
        if total <= 0:
            continue
        votes = labels.T @ weights / total
        pairs = [(int(model.values[name][j]), float(votes[j])) for j in np.flatnonzero(votes > 0)]
        out[name] = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
    return out


def features_matrix(rows: Sequence[Counter[int]]) -> sparse.csr_matrix:
    """Hashed term counts (`text_features`) as rows of a matrix, as the training reads them."""
    from scipy import sparse

    indptr, indices, data = [0], [], []
    for counts in rows:
        keys = sorted(counts)
        indices.extend(keys)
        data.extend(counts[k] for k in keys)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int64), indptr),
        shape=(len(rows), FEATURES),
    )


def scores(model: Model, counts: Counter[int], exclude: Sequence[int] = ()) -> Scores:
    """`batch_scores` of one text's hashed term counts (`text_features`)."""
    return batch_scores(model, features_matrix([counts]), exclude)[0]


def _chosen(values: Mapping[str, Any], name: str) -> set[int]:
    raw = values.get(name)
    items = raw if isinstance(raw, list | tuple | set) else [raw]
    chosen = set()
    for item in items:
        try:
            chosen.add(int(getattr(item, "pk", item)))
        except (TypeError, ValueError):
            continue
    return chosen


def suggest(
    values: Mapping[str, Any], *, sheet_id: int | None = None, model: Model | None = None
) -> dict[str, list[Suggestion]]:
    """What the edit page proposes for a form's values (title, texts, chosen values): per field,
    the values not chosen yet above SHOW_CONFIDENCE, at most SHOW_MAX; a dimension only while
    none is chosen. The sheet itself (`sheet_id`, when published) does not vote."""
    out: dict[str, list[Suggestion]] = {name: [] for name in FIELDS}
    model = model or current_model()
    if model is None:
        return out
    found = scores(model, text_features(values), exclude=[sheet_id] if sheet_id else [])
    wanted: dict[str, list[tuple[int, float]]] = {}
    for name in FIELDS:
        chosen = _chosen(values, name)
        if not model.enabled.get(name) or (name == "dimension" and chosen):
            continue
        wanted[name] = [
            (pk, confidence)
            for pk, confidence in found[name]
            if pk not in chosen and confidence >= SHOW_CONFIDENCE[name]
        ]
    for name, pairs in wanted.items():
        if not pairs:
            continue
        rows = (
            MODELS[name]
            .objects.filter(pk__in=[pk for pk, _ in pairs], needs_review=False)
            .in_bulk()
        )
        out[name] = [
            Suggestion(name, pk, rows[pk].display_label, confidence)
            for pk, confidence in pairs
            if pk in rows
        ][: SHOW_MAX[name]]
    return out


# --- Measuring -------------------------------------------------------------------------------

# Ranks at which precision and recall are measured, per field.
RANKS = {"keywords": (1, 3, 5), "publics": (1, 2), "dimension": (1,)}


@dataclass
class FieldQuality:
    sheets: int = 0  # held-out sheets that fill the field
    hits: Counter = field(default_factory=Counter)  # rank -> true values among the top k
    proposed: Counter = field(default_factory=Counter)  # rank -> values proposed (≤ k per sheet)
    truth: int = 0  # true values in all
    shown_hits: int = 0  # at the edit page's threshold
    shown: int = 0
    sheets_shown: int = 0  # sheets that get at least one chip
    baseline_hits: Counter = field(default_factory=Counter)  # most frequent values, same ranks
    baseline_proposed: Counter = field(default_factory=Counter)

    def precision(self, k: int) -> float | None:
        return self.hits[k] / self.proposed[k] if self.proposed[k] else None

    def recall(self, k: int) -> float | None:
        return self.hits[k] / self.truth if self.truth else None

    def baseline_precision(self, k: int) -> float | None:
        proposed = self.baseline_proposed[k]
        return self.baseline_hits[k] / proposed if proposed else None

    def baseline_recall(self, k: int) -> float | None:
        return self.baseline_hits[k] / self.truth if self.truth else None

    def beats_baseline(self) -> bool:
        """The most confident suggestion is right more often than the most frequent value."""
        precision = self.precision(1)
        return precision is not None and precision > (self.baseline_precision(1) or 0)

    def shown_precision(self) -> float | None:
        return self.shown_hits / self.shown if self.shown else None

    def shown_recall(self) -> float | None:
        return self.shown_hits / self.truth if self.truth else None


@dataclass
class Quality:
    trained_on: int
    held_out: int
    fields: dict[str, FieldQuality]


def splits(
    n: int, holdout: float = 0.2, seed: int = 0, folds: int = 0
) -> list[tuple[list[int], list[int]]]:
    """(training rows, held-out rows): one random split keeping out `holdout` of the rows, or,
    with `folds`, each of `folds` random parts held out in turn (every sheet is judged once:
    the way to get any figure from a small base)."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    if folds:
        parts = [sorted(order[k::folds]) for k in range(folds)]
        return [(sorted(set(order) - set(part)), part) for part in parts if part]
    cut = n - max(1, round(holdout * n)) if n else 0
    return [(sorted(order[:cut]), sorted(order[cut:]))]


def evaluate(
    holdout: float = 0.2,
    seed: int = 0,
    folds: int = 0,
    data: TrainingData | None = None,
) -> Quality | None:
    """Train on the training part of the published sheets (see `splits`), suggest for the
    held-out ones from their whole text, and compare with the values their authors chose.
    None when a training part is too small for a model (see MIN_SHEETS)."""
    data = data or load_training_data()
    quality = Quality(0, 0, {name: FieldQuality() for name in FIELDS})
    for train_rows, test_rows in splits(len(data.ids), holdout, seed, folds):
        model = fit(data, train_rows)
        if model is None:
            return None
        quality.trained_on += model.size
        quality.held_out += len(test_rows)
        popular = {
            name: [
                pk
                for pk, _ in Counter(
                    v for i in train_rows for v in set(data.values[name][i])
                ).most_common(max(RANKS[name]))
            ]
            for name in FIELDS
        }
        found = batch_scores(model, data.counts[test_rows])
        for i, scored in zip(test_rows, found, strict=True):
            for name in FIELDS:
                truth = set(data.values[name][i])
                if truth:
                    _judge(quality.fields[name], name, truth, scored[name], popular[name])
    return quality


def _judge(q: FieldQuality, name: str, truth: set[int], found, popular: list[int]) -> None:
    q.sheets += 1
    q.truth += len(truth)
    ranked = [pk for pk, _ in found]
    for k in RANKS[name]:
        q.hits[k] += len(truth & set(ranked[:k]))
        q.proposed[k] += len(ranked[:k])
        q.baseline_hits[k] += len(truth & set(popular[:k]))
        q.baseline_proposed[k] += len(popular[:k])
    shown = [pk for pk, c in found if c >= SHOW_CONFIDENCE[name]][: SHOW_MAX[name]]
    q.shown += len(shown)
    q.shown_hits += len(truth & set(shown))
    q.sheets_shown += bool(shown)
