"""A catalogue query said in French: its filters as (label, values) lines, for a booklet's
cover, an Atom feed, an alert and its e-mails."""

from catalogue import models as m
from catalogue.display import display_label

# Filters of the query string, their French label and how to show a value.
_FILTER_LABELS = {
    "departement": ("Département", m.Departement, "code"),
    "region": ("Région", m.Region, "code"),
    "keywords": ("Mots clés", m.Keyword, "value"),
    "dimension": ("Dimension", m.Dimension, "value"),
    "status": ("Statut de l'action", m.ActionStatus, "value"),
    "publics": ("Public", m.Public, "value"),
    "territory": ("Territoire concerné", m.Territory, "value"),
    "initiators": ("Qui est à l'initiative", m.Initiator, "value"),
    "action_partners": ("Partenaires d'action", m.PartnerKind, "value"),
    "financial_partners": ("Partenaires financiers", m.PartnerKind, "value"),
    "structure": ("Structure", m.Structure, "pk"),
    "structure_type": ("Type de structure", None, None),
    "year": ("Année", None, None),
}


def describe_query(query) -> list[tuple[str, str]]:
    """The filters of a query as (French label, values) lines, for a booklet cover or a feed."""
    lines = []
    if query.q:
        lines.append(("Recherche", query.q))
    places = getattr(query, "places", ())
    for place in places:
        lines.append(("Lieu reconnu", f"{place.label} ({place.kind_label})"))
    for name, (label, model, column) in _FILTER_LABELS.items():
        added = {v for p in places if p.filter_name == name for v in p.added}
        values = [v for v in getattr(query, name, ()) if v not in added]
        if not values:
            continue
        if model is not None:
            found = {
                # Vocabulary labels with the pages' capitals ("intergénérationnel" -> "I…").
                str(getattr(obj, column)): str(
                    obj.name if hasattr(obj, "name") else display_label(obj.label)
                )
                for obj in model.objects.filter(**{f"{column}__in": values})
            }
            shown = [found.get(str(v), str(v)) for v in values]
        elif name == "structure_type":
            types = dict(m.Structure.Type.choices)
            shown = [types.get(v, v) for v in values]
        else:
            shown = [str(v) for v in values]
        lines.append((label, ", ".join(shown)))
    if query.year_min or query.year_max:
        lines.append(
            ("Années", f"{query.year_min or '…'} à {query.year_max or '…'}"),
        )
    return lines
