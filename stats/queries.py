"""Aggregates over a set of sheets: the same set a search returns, so figures match the list."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS, SHEET_FIELDS, TEXT_FIELDS
from catalogue.models import ActionSheet, Attachment, Structure
from stats.models import SheetFunding


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: float  # of the largest row, 0–100, for bar widths
    code: str = ""


@dataclass(frozen=True)
class CatalogueStats:
    total_sheets: int
    total_structures: int
    total_departements: int
    by_region: list[Row]
    by_departement: list[Row]
    by_keyword: list[Row]
    by_dimension: list[Row]
    by_status: list[Row]
    by_public: list[Row]
    by_action_partner: list[Row]
    by_year: list[Row]
    by_structure_type: list[Row]


def _rows(pairs: list[tuple[str, int, str]]) -> list[Row]:
    top = max((count for _, count, _ in pairs), default=0) or 1
    return [Row(label, count, round(100 * count / top, 1), code) for label, count, code in pairs]


def sort_groups(groups: list[tuple]) -> list[tuple]:
    """Groups `(*columns, count)` most sheets first, then by the columns. Sorted here rather
    than by the database, so ties come in the same order on SQLite, PostgreSQL (whose collation
    differs) and the in-memory path (stats.indexed)."""
    return sorted(groups, key=lambda g: (-g[-1], *g[:-1]))


def _grouped(sheets: QuerySet, *columns: str) -> list[tuple]:
    """Sheets counted per value of `columns`: one GROUP BY over the selection, no subquery."""
    return sort_groups(
        list(
            sheets.order_by()
            .values_list(*columns)
            .annotate(n=Count("pk", distinct=True))
            .filter(**{f"{columns[0]}__isnull": False})
        )
    )


def _vocabulary_rows(sheets: QuerySet, relation: str) -> list[Row]:
    groups = _grouped(sheets, f"{relation}__label", f"{relation}__value")
    return _rows([(label, n, value) for label, value, n in groups])


def _year_rows(years: list[tuple[int | None, int]]) -> list[Row]:
    """Most recent first, sheets without a year last."""
    years = sorted(years, key=lambda y: (y[0] is None, -(y[0] or 0)))
    return _rows(
        [(str(year) if year else "Année inconnue", n, str(year or "")) for year, n in years]
    )


def catalogue_stats(sheets: QuerySet[ActionSheet] | None = None) -> CatalogueStats:
    """Figures for `sheets` (default: every published sheet), in a fixed number of queries."""
    if sheets is None:
        sheets = ActionSheet.objects.published()
    departements = _grouped(sheets, "structure__departement__code", "structure__departement__name")
    regions = _grouped(
        sheets, "structure__departement__region__code", "structure__departement__region__name"
    )
    years = list(sheets.order_by().values_list("year").annotate(n=Count("pk")))
    type_labels = dict(Structure.Type.choices)
    types = _grouped(sheets, "structure__type")
    return CatalogueStats(
        total_sheets=sheets.count(),
        total_structures=sheets.order_by().values("structure").distinct().count(),
        total_departements=len(departements),
        by_region=_rows([(name, n, code) for code, name, n in regions]),
        by_departement=_rows([(f"{name} ({code})", n, code) for code, name, n in departements]),
        by_keyword=_vocabulary_rows(sheets, "keywords"),
        by_dimension=_vocabulary_rows(sheets, "dimension"),
        by_status=_vocabulary_rows(sheets, "status"),
        by_public=_vocabulary_rows(sheets, "publics"),
        by_action_partner=_vocabulary_rows(sheets, "action_partners"),
        by_year=_year_rows(years),
        by_structure_type=_rows([(type_labels.get(t, "Autre"), n, t) for t, n in types]),
    )


# -- the observatory: money and people, completeness, trends, partners ---------------------------

BUDGET_BRACKETS = (
    ("moins de 1 000 €", None, 1000),
    ("de 1 000 à 4 999 €", 1000, 5000),
    ("de 5 000 à 9 999 €", 5000, 10000),
    ("de 10 000 à 49 999 €", 10000, 50000),
    ("50 000 € et plus", 50000, None),
)


@dataclass(frozen=True)
class MoneyStats:
    sheets: int
    with_budget: int
    budget_total: Decimal
    budget_median: Decimal | None
    brackets: list[Row]
    by_funder: list[Row]  # count = amount in euros (rounded), share = % of the amounts read
    with_funders: int
    with_people: int
    people_total: int
    people_median: int | None


def _bracket_filter(low, high) -> Q:
    q = Q(figures__budget__isnull=False)
    if low is not None:
        q &= Q(figures__budget__gte=low)
    if high is not None:
        q &= Q(figures__budget__lt=high)
    return q


def _median(sheets: QuerySet, column: str, n: int):
    """The median of `column` over the n sheets that have one: one query (OFFSET)."""
    if not n:
        return None
    ordered = sheets.order_by().filter(**{f"{column}__isnull": False}).order_by(column)
    middle = list(ordered.values_list(column, flat=True)[(n - 1) // 2 : n // 2 + 1])
    return sum(middle) / len(middle)


def money_stats(sheets: QuerySet[ActionSheet]) -> MoneyStats:
    """Budgets and people read at write time (stats.figures), aggregated in four queries."""
    brackets = {
        f"b{i}": Count("pk", filter=_bracket_filter(low, high))
        for i, (_, low, high) in enumerate(BUDGET_BRACKETS)
    }
    totals = sheets.order_by().aggregate(
        sheets=Count("pk"),
        with_budget=Count("figures__budget"),
        budget_total=Sum("figures__budget"),
        with_people=Count("figures__people"),
        people_total=Sum("figures__people"),
        with_funders=Count(
            "pk", filter=Q(Exists(SheetFunding.objects.filter(sheet_id=OuterRef("pk"))))
        ),
        **brackets,
    )
    funders = list(
        sheets.order_by()
        .filter(fundings__isnull=False)
        .values("fundings__kind")
        .annotate(amount=Sum("fundings__amount"), n=Count("pk", distinct=True))
        .order_by("-amount", "fundings__kind")
    )
    read = sum((f["amount"] for f in funders), Decimal(0)) or Decimal(1)
    by_funder = [
        Row(f["fundings__kind"], round(f["amount"]), round(float(100 * f["amount"] / read), 1))
        for f in funders
    ]
    median_budget = _median(sheets, "figures__budget", totals["with_budget"])
    median_people = _median(sheets, "figures__people", totals["with_people"])
    return MoneyStats(
        sheets=totals["sheets"],
        with_budget=totals["with_budget"],
        budget_total=(totals["budget_total"] or Decimal(0)).quantize(Decimal("0.01")),
        budget_median=median_budget,
        brackets=_rows(
            [(label, totals[f"b{i}"], "") for i, (label, _, _) in enumerate(BUDGET_BRACKETS)]
        ),
        by_funder=by_funder,
        with_funders=totals["with_funders"],
        with_people=totals["with_people"],
        people_total=totals["people_total"] or 0,
        people_median=round(median_people) if median_people is not None else None,
    )


def completeness(sheets: QuerySet[ActionSheet]) -> list[Row]:
    """Share of the sheets filling each field of PRODUCT §2 (one query), least filled first."""
    measures = {}
    for name in SHEET_FIELDS:
        if name == "title":
            continue
        if name in TEXT_FIELDS:
            measures[name] = Count("pk", filter=~Q(**{name: ""}))
        elif name in CHOICE_FIELDS:
            measures[name] = Count("pk", filter=Q(**{f"{name}__isnull": False}))
        elif name in LIST_FIELDS:
            through = getattr(ActionSheet, name).through
            measures[name] = Count(
                "pk", filter=Q(Exists(through.objects.filter(actionsheet_id=OuterRef("pk"))))
            )
    measures["attachments"] = Count(
        "pk",
        filter=Q(
            Exists(Attachment.objects.filter(sheet_id=OuterRef("pk"), removed_at__isnull=True))
        ),
    )
    measures["year"] = Count("pk", filter=Q(year__isnull=False))
    counts = sheets.order_by().aggregate(total=Count("pk"), **measures)
    total = counts.pop("total") or 0
    rows = []
    for name, count in counts.items():
        if name == "attachments":
            label = "Fichier(s) associé(s)"
        else:
            label = str(ActionSheet._meta.get_field(name).verbose_name)
        rows.append(Row(label, count, round(100 * count / total, 1) if total else 0.0, name))
    return sorted(rows, key=lambda row: (row.count, row.label))


@dataclass(frozen=True)
class KeywordTrend:
    label: str
    value: str
    counts: list[int]  # one per year of KeywordTrends.years
    total: int
    trend: str  # "en hausse", "en baisse", "stable", "" (too few sheets to say)


@dataclass(frozen=True)
class KeywordTrends:
    years: list[int]
    per_year: list[int]  # sheets per year (all keywords)
    keywords: list[KeywordTrend]


TREND_YEARS = 8
TREND_KEYWORDS = 10


def keyword_trends(sheets: QuerySet[ActionSheet], by_year: list[Row]) -> KeywordTrends:
    """Sheets per keyword and year over the last TREND_YEARS years of the selection (one query)."""

    def table(years: list[int]) -> dict[tuple[str, str], dict[int, int]]:
        groups = (
            sheets.order_by()
            .filter(year__in=years, keywords__isnull=False)
            .values_list("keywords__label", "keywords__value", "year")
            .annotate(n=Count("pk", distinct=True))
        )
        out: dict[tuple[str, str], dict[int, int]] = {}
        for label, value, year, n in groups:
            out.setdefault((label, value), {})[year] = n
        return out

    return keyword_table_trends(by_year, table)


def keyword_table_trends(by_year: list[Row], table) -> KeywordTrends:
    """Trends from `table(years)` = {(label, value): {year: sheets}}.

    A keyword "grows" when its share of the sheets of the recent half of the years exceeds its
    share in the older half by at least a quarter (and 5 points), and has 5 sheets or more.
    """
    known = sorted(
        ((int(row.code), row.count) for row in by_year if row.code), key=lambda pair: pair[0]
    )[-TREND_YEARS:]
    years = [year for year, _ in known]
    per_year = [count for _, count in known]
    if not years:
        return KeywordTrends([], [], [])
    half = len(years) // 2
    trends = []
    for (label, value), counts in table(years).items():
        row = [counts.get(year, 0) for year in years]
        total = sum(row)
        trend = ""
        if half and total >= 5:
            old = sum(row[:half]) / max(sum(per_year[:half]), 1)
            new = sum(row[half:]) / max(sum(per_year[half:]), 1)
            if new - old >= 0.05 and new >= old * 1.25:
                trend = "en hausse"
            elif old - new >= 0.05 and old >= new * 1.25:
                trend = "en baisse"
            else:
                trend = "stable"
        trends.append(KeywordTrend(label, value, row, total, trend))
    trends.sort(key=lambda t: (-t.total, t.label, t.value))
    return KeywordTrends(years, per_year, trends[:TREND_KEYWORDS])


@dataclass(frozen=True)
class PartnerStats:
    action: list[Row]
    financial: list[Row]
    pairs: list[Row]  # label "action partner + financial partner"


def pair_rows(pairs: list[tuple[str, str, int]]) -> list[Row]:
    """The 10 most frequent (action partner, financial partner) pairs."""
    return _rows(
        [
            (f"{action} (action) + {financial} (financement)", n, "")
            for action, financial, n in sort_groups(pairs)[:10]
        ]
    )


def partner_stats(sheets: QuerySet[ActionSheet], by_action_partner: list[Row]) -> PartnerStats:
    """Most frequent partner kinds, and pairs of an action and a financial partner (two queries)."""
    pairs = (
        sheets.order_by()
        .filter(action_partners__isnull=False, financial_partners__isnull=False)
        .values_list("action_partners__label", "financial_partners__label")
        .annotate(n=Count("pk", distinct=True))
    )
    return PartnerStats(
        action=by_action_partner,
        financial=_vocabulary_rows(sheets, "financial_partners"),
        pairs=pair_rows(list(pairs)),
    )
