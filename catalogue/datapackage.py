"""The field dictionary of the exports as a Frictionless Data Package (Table Schema), from the model."""

from typing import Any

from django.conf import settings

from catalogue.exports import COLUMNS, CSV_DELIMITER, LIST_SEPARATOR
from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS
from catalogue.models import ActionSheet

_DESCRIPTIONS = {
    "id": "Identifiant stable de la fiche sur Essaimage.",
    "structure": "Nom de la structure organisatrice.",
    "structure_id": "Identifiant de la structure sur Essaimage.",
    "structure_type": "Centre social, Espace de vie sociale ou Autre.",
    "departement_code": "Code INSEE du département de la structure (35, 2A, 974…).",
    "departement": "Nom du département de la structure.",
    "region": "Nom de la région de la structure.",
    "attachments": f"Adresses des fichiers associés, séparées par « {LIST_SEPARATOR.strip()} ».",
    "created_at": "Date de création de la fiche (JJ/MM/AAAA HH:MM, heure de Paris).",
    "updated_at": "Date de dernière modification (JJ/MM/AAAA HH:MM, heure de Paris).",
    "url": "Adresse de la fiche sur Essaimage.",
    "year": "Année de l'action (vide si inconnue).",
}


def _field(column) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": column.label,
        "title": column.label,
        "type": column.type,
        "x-record-key": column.name,
    }
    description = _DESCRIPTIONS.get(column.name)
    if description is None:
        model_field = ActionSheet._meta.get_field(column.name)
        description = f"{str(model_field.verbose_name).rstrip(' .:')}."
        if column.name in LIST_FIELDS:
            description += f" Valeurs séparées par « {LIST_SEPARATOR.strip()} »."
        elif column.name in CHOICE_FIELDS:
            description += " Libellé d'une valeur du vocabulaire (voir /api/v1/vocabularies)."
    field["description"] = description
    if column.type == "datetime":
        field["format"] = "%d/%m/%Y %H:%M"
    if column.name in ("id", "title", "structure", "url", "created_at", "updated_at"):
        field["constraints"] = {"required": True}
    if column.name == "id":
        field["constraints"]["unique"] = True
    return field


def datapackage() -> dict[str, Any]:
    """A `datapackage.json` describing the CSV export (Table Schema) and the JSON Lines export."""
    site = settings.SITE_URL
    return {
        "profile": "tabular-data-package",
        "name": "essaimage-fiches-actions",
        "title": "Essaimage : fiches actions des centres sociaux et espaces de vie sociale",
        "description": (
            "Les fiches actions publiées sur Essaimage. Chaque export accepte les paramètres "
            "du catalogue (/actions/?…) : q, departement, keywords, year… "
            "Le CSV s'ouvre dans Excel en français par double-clic."
        ),
        "homepage": f"{site}/actions/",
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence version 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "resources": [
            {
                "name": "fiches-actions-csv",
                "title": "Fiches actions (CSV)",
                "profile": "tabular-data-resource",
                "path": f"{site}/actions/export.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {
                    "delimiter": CSV_DELIMITER,
                    "quoteChar": '"',
                    "doubleQuote": True,
                    "lineTerminator": "\r\n",
                    "header": True,
                },
                "schema": {
                    "fields": [_field(column) for column in COLUMNS],
                    "primaryKey": ["Identifiant"],
                    "missingValues": [""],
                },
            },
            {
                "name": "fiches-actions-jsonl",
                "title": "Fiches actions (JSON Lines, record canonique)",
                "profile": "data-resource",
                "path": f"{site}/actions/export.jsonl",
                "format": "jsonl",
                "mediatype": "application/jsonl",
                "encoding": "utf-8",
                "schema": f"{site}/api/v1/schemas/action.json",
            },
        ],
    }
