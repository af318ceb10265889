"""Aggregates over a set of sheets: the same set a search returns, so figures match the list."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from catalogue.models import ActionSheet, Structure


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


def _grouped(sheets: QuerySet, *columns: str) -> list[dict]:
    """Sheets counted per value of `columns`: one GROUP BY over the selection, no subquery."""
    return list(
        sheets.order_by()
        .values(*columns)
        .annotate(n=Count("pk", distinct=True))
        .filter(**{f"{columns[0]}__isnull": False})
        .order_by("-n", *columns)
    )


def _vocabulary_rows(sheets: QuerySet, relation: str) -> list[Row]:
    groups = _grouped(sheets, f"{relation}__label", f"{relation}__value")
    return _rows([(g[f"{relation}__label"], g["n"], g[f"{relation}__value"]) for g in groups])


def catalogue_stats(sheets: QuerySet[ActionSheet] | None = None) -> CatalogueStats:
    """Figures for `sheets` (default: every published sheet), in a fixed number of queries."""
    if sheets is None:
        sheets = ActionSheet.objects.published()
    departements = _grouped(sheets, "structure__departement__code", "structure__departement__name")
    regions = _grouped(
        sheets, "structure__departement__region__code", "structure__departement__region__name"
    )
    years = list(sheets.order_by().values("year").annotate(n=Count("pk")).order_by("-year"))
    type_labels = dict(Structure.Type.choices)
    types = _grouped(sheets, "structure__type")
    return CatalogueStats(
        total_sheets=sheets.count(),
        total_structures=sheets.order_by().values("structure").distinct().count(),
        total_departements=len(departements),
        by_region=_rows(
            [
                (
                    g["structure__departement__region__name"],
                    g["n"],
                    g["structure__departement__region__code"],
                )
                for g in regions
            ]
        ),
        by_departement=_rows(
            [
                (
                    f"{g['structure__departement__name']} ({g['structure__departement__code']})",
                    g["n"],
                    g["structure__departement__code"],
                )
                for g in departements
            ]
        ),
        by_keyword=_vocabulary_rows(sheets, "keywords"),
        by_dimension=_vocabulary_rows(sheets, "dimension"),
        by_status=_vocabulary_rows(sheets, "status"),
        by_public=_vocabulary_rows(sheets, "publics"),
        by_action_partner=_vocabulary_rows(sheets, "action_partners"),
        by_year=_rows(
            [
                (str(y["year"]) if y["year"] else "Année inconnue", y["n"], str(y["year"] or ""))
                for y in years
            ]
        ),
        by_structure_type=_rows(
            [
                (type_labels.get(t["structure__type"], "Autre"), t["n"], t["structure__type"])
                for t in types
            ]
        ),
    )
