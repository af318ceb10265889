"""Relevance harness: judged sets of queries run through the one search service, scored per kind
with success@k, MRR and nDCG@10 (`manage.py relevance`, `make relevance`), beside a plain BM25
baseline (bm25s, Snowball French stemmer, words OR-ed) over the same sheets.

Two sets, reported separately:
- development (`search/data/judged_queries.toml`, over the sample): written with the engine and
  tuned on; its score measures the tuning.
- blind (`search/data/blind/`): queries written by someone who never saw the engine, the
  thesaurus or the development set, over the sample, SENACS's older sheets and sheets written in
  the field's style by a second person who never saw the queries. Frozen (its digest is printed
  and pinned by a test), only measured, never tuned on.

success@k: at least one expected sheet in the first k results and no `not_expected` one there.
MRR: mean of 1 / rank of the first expected sheet (0 when none is listed).
nDCG@10: binary gains (expected = 1), ideal ordering = every expected sheet first.
"""

import hashlib
import logging
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "search" / "data"
JUDGED_PATH = DATA / "judged_queries.toml"
BLIND_PATH = DATA / "blind" / "queries.toml"
# The development set's kinds (a test keeps at least 8 queries in each).
KINDS = (
    "synonymes",
    "formes_derivees",
    "sigles",
    "collisions",
    "phrases_naturelles",
    "fautes",
    "expressions",
)
DEPTH = 10


@dataclass(frozen=True)
class JudgedQuery:
    kind: str
    q: str
    expected: tuple[str, ...]  # titles
    not_expected: tuple[str, ...] = ()
    k: int = 5


@dataclass
class Outcome:
    query: JudgedQuery
    titles: list[str]  # the first DEPTH results

    @property
    def success(self) -> bool:
        top = self.titles[: self.query.k]
        return any(t in top for t in self.query.expected) and not any(
            t in top for t in self.query.not_expected
        )

    @property
    def reciprocal_rank(self) -> float:
        for rank, title in enumerate(self.titles, start=1):
            if title in self.query.expected:
                return 1 / rank
        return 0.0

    @property
    def ndcg(self) -> float:
        gains = [1.0 if t in self.query.expected else 0.0 for t in self.titles[:DEPTH]]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sum(1 / math.log2(i + 2) for i in range(min(DEPTH, len(self.query.expected))))
        return dcg / ideal if ideal else 0.0


@dataclass
class Scores:
    count: int = 0
    success: float = 0.0
    mrr: float = 0.0
    ndcg: float = 0.0
    failures: list[Outcome] = field(default_factory=list)


@dataclass(frozen=True)
class JudgedSet:
    """A file of judged queries and the SENACS files its sheets come from."""

    name: str
    label: str  # as printed
    path: Path

    def queries(self) -> list[JudgedQuery]:
        return load_judged(self.path)

    def corpus(self) -> list[Path]:
        """The files to import, from the set's `[corpus] files` (paths from the repository root);
        the bundled sample when the set names none."""
        data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        files = data.get("corpus", {}).get("files", ["data/senacs_sample.txt"])
        return [ROOT / name for name in files]

    def digest(self) -> str:
        """SHA-256 of the queries file and of every corpus file, in order: the set's identity."""
        digest = hashlib.sha256()
        for path in (self.path, *self.corpus()):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        return digest.hexdigest()


SETS = {
    "dev": JudgedSet("dev", "développement (réglé dessus)", JUDGED_PATH),
    "dev2": JudgedSet("dev2", "développement 2 (réglé dessus)", DATA / "dev_queries_2.toml"),
    "dev3": JudgedSet("dev3", "développement 3 (réglé dessus)", DATA / "dev3" / "queries.toml"),
    "dev4": JudgedSet("dev4", "développement 4 (réglé dessus)", DATA / "dev4" / "queries.toml"),
    "dev5": JudgedSet("dev5", "développement 5 (réglé dessus)", DATA / "dev5" / "queries.toml"),
    "dev6": JudgedSet("dev6", "développement 6 (réglé dessus)", DATA / "dev6" / "queries.toml"),
    "dev7": JudgedSet("dev7", "développement 7 (réglé dessus)", DATA / "dev7" / "queries.toml"),
    "dev8": JudgedSet("dev8", "développement 8 (réglé dessus)", DATA / "dev8" / "queries.toml"),
    "dev9": JudgedSet("dev9", "développement 9 (réglé dessus)", DATA / "dev9" / "queries.toml"),
    "blind": JudgedSet("blind", "aveugle (jamais réglé dessus)", BLIND_PATH),
}


def load_judged(path: Path = JUDGED_PATH) -> list[JudgedQuery]:
    from ingest.senacs import clean_title  # the raw export's titles, as the catalogue stores them

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    titles = data["titles"]
    default_k = data.get("defaults", {}).get("k", 5)
    return [
        JudgedQuery(
            kind=item["kind"],
            q=item["q"],
            expected=tuple(clean_title(titles[key]) for key in item["expected"]),
            not_expected=tuple(clean_title(titles[key]) for key in item.get("not_expected", ())),
            k=item.get("k", default_k),
        )
        for item in data["query"]
    ]


def run_judged(queries: list[JudgedQuery] | None = None) -> list[Outcome]:
    """Each judged query as a visitor types it in the search box: through the one search form
    (places become filters there) and search_sheets (published sheets, the default path)."""
    from django.http import QueryDict

    from search.forms import SearchForm
    from search.service import search_sheets

    outcomes = []
    for query in queries if queries is not None else load_judged():
        form = SearchForm(QueryDict(mutable=True) | {"q": query.q})
        form.is_valid()
        result = search_sheets(form.to_query(), per_page=DEPTH, with_facets=False)
        outcomes.append(Outcome(query, [s.title for s in result.sheets]))
    return outcomes


def run_baseline(queries: list[JudgedQuery], documents: dict[str, str]) -> list[Outcome]:
    """Each judged query through a plain BM25 (bm25s defaults, Snowball French stemmer, French
    stop words, query words OR-ed) over `documents` ({title: text}); sheets scoring 0 are left
    out, as a search engine would not list them."""
    import bm25s
    import Stemmer

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    stemmer = Stemmer.Stemmer("french")
    titles = list(documents)

    def tokens(texts: list[str]) -> list[list[str]]:
        return bm25s.tokenize(
            texts, stopwords="fr", stemmer=stemmer, return_ids=False, show_progress=False
        )

    retriever = bm25s.BM25()
    retriever.index(tokens([documents[t] for t in titles]), show_progress=False)
    outcomes = []
    for query in queries:
        words = tokens([query.q])
        found: list[str] = []
        if words[0]:
            k = min(DEPTH, len(titles))
            ids, scores = retriever.retrieve(words, k=k, show_progress=False, n_threads=1)
            found = [titles[i] for i, s in zip(ids[0], scores[0], strict=True) if s > 0]
        outcomes.append(Outcome(query, found))
    return outcomes


def record_text(record: dict) -> str:
    """Every word a visitor reads of a sheet's canonical record (texts, labels, structure,
    département, région), for the baseline: addresses, dates and ids left out."""

    def strings(value) -> Iterable[str]:
        if isinstance(value, str):
            if not value.startswith(("http://", "https://")):
                yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("url", "created_at", "updated_at", "code", "publication_status"):
                    yield from strings(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from strings(item)

    return "\n".join(strings(record))


def published_documents() -> dict[str, str]:
    """{title: text} of the published sheets, the baseline's corpus."""
    from catalogue.models import ActionSheet
    from catalogue.records import sheet_record

    sheets = ActionSheet.objects.published().with_relations().order_by("pk")
    return {sheet.title: record_text(sheet_record(sheet)) for sheet in sheets}


def score(outcomes: list[Outcome]) -> dict[str, Scores]:
    """Scores per kind (in the order the kinds first appear), plus "ensemble" over every query."""
    table: dict[str, Scores] = {}
    kinds = list(dict.fromkeys(o.query.kind for o in outcomes))
    for kind in (*kinds, "ensemble"):
        chosen = [o for o in outcomes if kind == "ensemble" or o.query.kind == kind]
        if not chosen:
            continue
        n = len(chosen)
        table[kind] = Scores(
            count=n,
            success=sum(o.success for o in chosen) / n,
            mrr=sum(o.reciprocal_rank for o in chosen) / n,
            ndcg=sum(o.ndcg for o in chosen) / n,
            failures=[o for o in chosen if not o.success],
        )
    return table


def format_table(table: dict[str, Scores], title: str, baseline: dict | None = None) -> str:
    """One line per kind; with `baseline`, the BM25 figures beside the engine's."""
    head = f"{'kind':20} {'n':>3} {'success@k':>10} {'MRR':>6} {'nDCG@10':>8}"
    if baseline is not None:
        head += f"   | BM25 {'success@k':>10} {'MRR':>6} {'nDCG@10':>8}"
    lines = [title, head]
    for kind, s in table.items():
        line = f"{kind:20} {s.count:>3} {s.success * 100:>9.1f}% {s.mrr:>6.3f} {s.ndcg:>8.3f}"
        if baseline is not None:
            b = baseline[kind]
            line += f"   |      {b.success * 100:>9.1f}% {b.mrr:>6.3f} {b.ndcg:>8.3f}"
        lines.append(line)
    return "\n".join(lines)
