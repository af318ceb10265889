"""The ranking model (docs/search.md): BM25F over the four field classes of the index, the same
arithmetic for the database path (search.matching, Python floats) and the in-memory text index
(search.textindex, numpy float64, element-wise the same operations in the same order), so both
engines give identical ranks.

For a concept c of the query (a typed word with its alternatives), a sheet d and an alternative
a of c held by d in the field classes F(a, d):

    t(a, d)  = Σ_{k ∈ F(a,d)} BOOST_k / (1 − B_k + B_k · len_k(d) / avglen_k)     (BM25F tf,
               binary within a field: the index stores which fields hold a term, not how often;
               avglen_k over the sheets with text in class k; the first page of results is
               scored again with the typed words' real frequency, search.rescoring)
    sat      = t / (K1 + t)                                                     (saturation)
    S_c(d)   = max_a  weight(a) · (FLOOR + (1 − FLOOR) · sat)
    idf_c    = ln(1 + (N − n_c + 0.5) / (n_c + 0.5))        n_c: sheets holding any alternative
    score(d) = Σ_c q_c · idf_c · S_c(d) + proximity

q_c is 1, or FILLER for the field's filler words (data/filler_words.txt: "comment", "faire",
"projet"…): kept, never required, weighted low. A typed word (weight 1) is worth at least FLOOR
wherever it stands; at equal position it outranks its expansions (weights below 1). A low
FLOOR lets length normalisation work: a long sheet holding every common word of a sentence
does not outrank a short one about the need. K1 2 and FLOOR 0.1, with the second stage,
were measured on the seven development sets (docs/search.md): +8 successes of 394, none lost.
"""

from functools import lru_cache

from search import analysis

# Field classes: title, keywords and "who" (structure, partners, publics), summary, long texts.
CLASSES = 4
BOOST = (3.0, 2.0, 1.5, 1.0)
B = (0.5, 0.5, 0.75, 0.9)
K1 = 2.0
FLOOR = 0.1
FILLER = 0.2
# The words of a typed thesaurus expression ("groupe de parole de parents"), each also counted
# alone, never required (search.matching: a sheet about parents that never says the
# expression). Flat from 0.4 to 0.7 on the development sets.
PART = 0.5
# Soft AND: a sheet is kept when the concepts it holds weigh at least this share of the
# query's required weight (Σ q·idf of the concepts some sheet holds, filler words excepted);
# a query of one or two required concepts needs them all, unless fewer than FEW sheets do
# (search.matching.soft_and).
SHARE = 0.4
RELAXED_SHARE = 0.1
# Two consecutive typed words close together (NEAR_DISTANCE words): this share of the smaller
# of their two q·idf.
PROXIMITY = 0.25
EPSILON = 1e-9
LENGTH_FIELDS = ("title_length", "who_length", "summary_length", "body_length")
# Index columns (title, keywords, structure, summary, body) → field class.
_CLASS_OF_COLUMN = (0, 1, 1, 2, 3)


def field_lengths(columns: list[str]) -> tuple[int, int, int, int]:
    """Terms per field class of a document's five columns of space-separated terms."""
    out = [0, 0, 0, 0]
    for k, text in zip(_CLASS_OF_COLUMN, columns, strict=True):
        if text:
            out[k] += text.count(" ") + 1
    return tuple(out)


def idf(total: int, holding: int) -> float:
    import math

    return math.log(1 + (total - holding + 0.5) / (holding + 0.5)) if holding else 0.0


def averages(sums: tuple[int, ...], holding: tuple[int, ...]) -> tuple[float, ...]:
    """Average length per class over the sheets that have text in that class (as Lucene's
    BM25: a sheet without long texts does not make every long text look longer). Integer sums
    and counts: both engines divide the same numbers."""
    return tuple(float(s) / n if n and s else 0.0 for s, n in zip(sums, holding, strict=True))


def inverse_norm(length: int, average: float, k: int) -> float:
    """BOOST_k / (1 − B_k + B_k · length / average) for one sheet."""
    if not average:
        return BOOST[k]
    return BOOST[k] / (1.0 - B[k] + B[k] * length / average)


def field_sum(bits: int, norms: tuple[float, ...]) -> float:
    """BM25F's t with tf = 1: the inverse norms of the field classes in `bits`, in class order."""
    t = 0.0
    for k in range(CLASSES):
        if bits & 1 << k:
            t += norms[k]
    return t


def concept_value(weight: float, t: float) -> float:
    return weight * (FLOOR + (1.0 - FLOOR) * (t / (K1 + t)))


@lru_cache(maxsize=1)
def filler_words() -> frozenset[str]:
    """Terms of data/filler_words.txt (query side only)."""
    out = set()
    for row in analysis._read_table("filler_words.txt"):
        out.update(analysis.terms(row[0]))
    return frozenset(out)


def is_filler(terms: tuple[str, ...]) -> bool:
    words = filler_words()
    return bool(terms) and all(t in words for t in terms)
