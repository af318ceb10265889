"""Relevance harness: the judged queries of `search/data/judged_queries.toml` run through the one
search service, scored per kind with success@k, MRR and nDCG@10 (`manage.py relevance`,
`make relevance`).

success@k: at least one expected sheet in the first k results and no `not_expected` one there.
MRR: mean of 1 / rank of the first expected sheet (0 when none is listed).
nDCG@10: binary gains (expected = 1), ideal ordering = every expected sheet first.
"""

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

JUDGED_PATH = Path(__file__).resolve().parent / "data" / "judged_queries.toml"
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


def load_judged(path: Path = JUDGED_PATH) -> list[JudgedQuery]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    titles = data["titles"]
    default_k = data.get("defaults", {}).get("k", 5)
    return [
        JudgedQuery(
            kind=item["kind"],
            q=item["q"],
            expected=tuple(titles[key] for key in item["expected"]),
            not_expected=tuple(titles[key] for key in item.get("not_expected", ())),
            k=item.get("k", default_k),
        )
        for item in data["query"]
    ]


def run_judged(queries: list[JudgedQuery] | None = None) -> list[Outcome]:
    """Each judged query through search_sheets (published sheets, the default path)."""
    from search.service import SheetQuery, search_sheets

    outcomes = []
    for query in queries if queries is not None else load_judged():
        result = search_sheets(SheetQuery(q=query.q), per_page=DEPTH, with_facets=False)
        outcomes.append(Outcome(query, [s.title for s in result.sheets]))
    return outcomes


def score(outcomes: list[Outcome]) -> dict[str, Scores]:
    """Scores per kind, plus "ensemble" over every query."""
    table: dict[str, Scores] = {}
    for kind in (*KINDS, "ensemble"):
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


def format_table(table: dict[str, Scores], title: str) -> str:
    lines = [
        title,
        f"{'kind':22} {'n':>3} {'success@k':>10} {'MRR':>6} {'nDCG@10':>8}",
    ]
    for kind, s in table.items():
        lines.append(
            f"{kind:22} {s.count:>3} {s.success * 100:>9.1f}% {s.mrr:>6.3f} {s.ndcg:>8.3f}"
        )
    return "\n".join(lines)
