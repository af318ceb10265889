"""Facets of the catalogue: for each filterable vocabulary, the values with their counts.

Counts are disjunctive: a facet counts over the sheets matching the text and every *other*
facet's selection, so ticking a keyword does not shrink the other keywords' counts. Each value
carries the URL that toggles it (datasette's facet shape).
"""

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from catalogue.models import (
    ActionStatus,
    Departement,
    Dimension,
    Initiator,
    Keyword,
    PartnerKind,
    Public,
    Region,
    Structure,
    Territory,
)
from search.query import SheetQuery


@dataclass(frozen=True)
class FacetValue:
    value: str | int
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    truncated: bool = False

    @property
    def selected(self) -> list[FacetValue]:
        return [v for v in self.values if v.selected]


@dataclass(frozen=True)
class FacetDefinition:
    name: str  # the query-string key
    label: str  # French, as PRODUCT §2 labels the field
    value_path: str
    label_path: str | None
    labels: Callable[[list], dict]  # labels of selected values absent from the counts
    limit: int | None = None
    by_value_desc: bool = False  # years: most recent first


def _vocabulary_labels(model, column="value"):
    def labels(values):
        return dict(model.objects.filter(**{f"{column}__in": values}).values_list(column, "label"))

    return labels


def _departement_labels(values):
    return {
        code: f"{name} ({code})"
        for code, name in Departement.objects.filter(code__in=values).values_list("code", "name")
    }


def _plain(values):
    return {v: str(v) for v in values}


def _structure_type_labels(values):
    return {v: Structure.Type(v).label for v in values if v in Structure.Type.values}


DEFINITIONS = (
    FacetDefinition(
        "departement",
        "Département",
        "structure__departement__code",
        "structure__departement__name",
        _departement_labels,
    ),
    FacetDefinition(
        "region",
        "Région",
        "structure__departement__region__code",
        "structure__departement__region__name",
        lambda v: dict(Region.objects.filter(code__in=v).values_list("code", "name")),
    ),
    FacetDefinition(
        "keywords", "Mots clés", "keywords__value", "keywords__label", _vocabulary_labels(Keyword)
    ),
    FacetDefinition(
        "dimension",
        "Dimension",
        "dimension__value",
        "dimension__label",
        _vocabulary_labels(Dimension),
    ),
    FacetDefinition(
        "status",
        "Statut de l'action",
        "status__value",
        "status__label",
        _vocabulary_labels(ActionStatus),
    ),
    FacetDefinition(
        "publics", "Public", "publics__value", "publics__label", _vocabulary_labels(Public)
    ),
    FacetDefinition(
        "territory",
        "Territoire concerné",
        "territory__value",
        "territory__label",
        _vocabulary_labels(Territory),
    ),
    FacetDefinition(
        "initiators",
        "Qui est à l'initiative de l'action ?",
        "initiators__value",
        "initiators__label",
        _vocabulary_labels(Initiator),
    ),
    FacetDefinition(
        "action_partners",
        "Partenaires d'action",
        "action_partners__value",
        "action_partners__label",
        _vocabulary_labels(PartnerKind),
    ),
    FacetDefinition(
        "financial_partners",
        "Partenaires financiers",
        "financial_partners__value",
        "financial_partners__label",
        _vocabulary_labels(PartnerKind),
    ),
    FacetDefinition(
        "structure_type", "Type de structure", "structure__type", None, _structure_type_labels
    ),
    FacetDefinition("year", "Année", "year", None, _plain, by_value_desc=True),
    FacetDefinition(
        "structure",
        "Structure",
        "structure_id",
        "structure__name",
        lambda v: dict(Structure.objects.filter(pk__in=v).values_list("pk", "name")),
        limit=10,
    ),
)
BY_NAME = {d.name: d for d in DEFINITIONS}


def _label(definition: FacetDefinition, value, label) -> str:
    if definition.name == "departement":
        return f"{label} ({value})"
    if definition.label_path is None:
        return definition.labels([value]).get(value, str(value))
    return label


def compute_facet(
    definition: FacetDefinition, sheets: QuerySet, query: SheetQuery, base_url: str
) -> Facet:
    """One facet over `sheets` (already filtered by everything but this facet), one query."""
    label_expr = F(definition.label_path) if definition.label_path else F(definition.value_path)
    rows = (
        sheets.filter(**{f"{definition.value_path}__isnull": False})
        .values(facet_value=F(definition.value_path), facet_label=label_expr)
        .annotate(facet_count=Count("pk", distinct=True))
        .order_by()
    )
    counts, labels = {}, {}
    for row in rows:
        counts[row["facet_value"]] = row["facet_count"]
        labels[row["facet_value"]] = row["facet_label"]
    return facet_from_counts(definition, counts, labels, query, base_url)


def facet_from_counts(
    definition: FacetDefinition,
    counts: Mapping,
    labels: Mapping,
    query: SheetQuery,
    base_url: str,
    *,
    cut: bool = False,
) -> Facet:
    """The facet of counted values: labels, order and `limit`, for every engine.

    `counts` maps each value to its number of sheets; `labels` a value to the label it was
    counted with (a value without one shows as itself; `_label` says which definitions label
    their values themselves). `cut`: the engine already left out values counting less than the
    ones it kept, so the facet is truncated whatever remains.
    """
    selected = set(getattr(query, definition.name))
    missing = [v for v in selected if v not in counts]
    truncated = cut or bool(definition.limit and len(counts) + len(missing) > definition.limit)
    if definition.limit and not definition.by_value_desc and len(counts) > definition.limit:
        # Only values counting at least as much as the limit-th can be shown (ties on label).
        floor = heapq.nlargest(definition.limit, counts.values())[-1]
        counts = {raw: c for raw, c in counts.items() if c >= floor or raw in selected}
    missing_labels = definition.labels(missing) if missing else {}
    rows = [
        (raw, _label(definition, raw, labels.get(raw, str(raw))), count)
        for raw, count in sorted(counts.items())
    ]
    rows += [(raw, missing_labels.get(raw, str(raw)), 0) for raw in missing]
    if definition.by_value_desc:
        rows.sort(key=lambda row: row[0], reverse=True)
    else:
        rows.sort(key=lambda row: (-row[2], row[1].casefold()))
    if definition.limit and len(rows) > definition.limit:
        rows = rows[: definition.limit] + [
            row for row in rows[definition.limit :] if row[0] in selected
        ]
    toggled = query.toggled_querystrings(definition.name)
    values = [
        FacetValue(
            value=raw,
            label=label,
            count=count,
            selected=raw in selected,
            toggle_url=f"{base_url}?{toggled(raw)}",
        )
        for raw, label, count in rows
    ]
    return Facet(definition.name, definition.label, values, truncated)
