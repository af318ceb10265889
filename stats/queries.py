"""Aggregates over a set of sheets: the same set a search returns, so figures match the list."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from catalogue.models import (
    ActionSheet,
    ActionStatus,
    Departement,
    Dimension,
    Keyword,
    PartnerKind,
    Public,
    Region,
    Structure,
)


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


def _vocabulary_rows(model, relation: str, sheets: QuerySet) -> list[Row]:
    counted = (
        model.objects.filter(**{f"{relation}__in": sheets})
        .annotate(n=Count(relation, distinct=True))
        .order_by("-n", "label")
    )
    return _rows([(v.label, v.n, v.value) for v in counted])


def catalogue_stats(sheets: QuerySet[ActionSheet] | None = None) -> CatalogueStats:
    """Figures for `sheets` (default: every published sheet), in a fixed number of queries."""
    if sheets is None:
        sheets = ActionSheet.objects.published()
    ids = sheets.values("pk")
    base = ActionSheet.objects.filter(pk__in=ids)
    by_departement = (
        Departement.objects.filter(structures__sheets__in=ids)
        .annotate(n=Count("structures__sheets", distinct=True))
        .order_by("-n", "code")
    )
    by_region = (
        Region.objects.filter(departements__structures__sheets__in=ids)
        .annotate(n=Count("departements__structures__sheets", distinct=True))
        .order_by("-n", "name")
    )
    by_year = base.values("year").annotate(n=Count("pk")).order_by("-year")
    type_labels = dict(Structure.Type.choices)
    by_type = base.values("structure__type").annotate(n=Count("pk")).order_by("-n")
    return CatalogueStats(
        total_sheets=base.count(),
        total_structures=Structure.objects.filter(sheets__in=ids).distinct().count(),
        total_departements=by_departement.count(),
        by_region=_rows([(r.name, r.n, r.code) for r in by_region]),
        by_departement=_rows([(f"{d.name} ({d.code})", d.n, d.code) for d in by_departement]),
        by_keyword=_vocabulary_rows(Keyword, "sheets", ids),
        by_dimension=_vocabulary_rows(Dimension, "sheets", ids),
        by_status=_vocabulary_rows(ActionStatus, "sheets", ids),
        by_public=_vocabulary_rows(Public, "sheets", ids),
        by_action_partner=_vocabulary_rows(PartnerKind, "sheets_as_action_partner", ids),
        by_year=_rows(
            [
                (str(y["year"]) if y["year"] else "Année inconnue", y["n"], str(y["year"] or ""))
                for y in by_year
            ]
        ),
        by_structure_type=_rows(
            [
                (type_labels.get(t["structure__type"], "Autre"), t["n"], t["structure__type"])
                for t in by_type
            ]
        ),
    )
