"""Structures in the data·inclusion structure schema (as far as our fields allow)."""

import re
from typing import Any

from django.conf import settings

from catalogue.models import Structure

SOURCE = "essaimage"
_DIGITS = re.compile(r"^\d+$")


def di_structure(structure: Structure) -> dict[str, Any]:
    """One structure as a data·inclusion `Structure` (schema v1); empty fields are left out."""
    name = " ".join(structure.name.split())
    if len(name) < 3 and structure.departement_id:
        name = f"{name} - {structure.departement.name}"
    name = name[:150].rstrip(".") or "Structure"
    record: dict[str, Any] = {
        "source": SOURCE,
        "id": f"{SOURCE}--{structure.pk}",
        "nom": name,
        "date_maj": structure.updated_at.date().isoformat(),
        "lien_source": settings.SITE_URL + structure.get_absolute_url(),
    }
    if len(structure.siret) == 14 and _DIGITS.match(structure.siret):
        record["siret"] = structure.siret
    if len(structure.postcode) == 5 and _DIGITS.match(structure.postcode):
        record["code_postal"] = structure.postcode
    if structure.commune:
        record["commune"] = structure.commune
    if structure.address:
        record["adresse"] = structure.address
    if structure.website:
        record["site_web"] = structure.website
    networks = []
    if structure.is_federation_member:
        networks.append("fcsf")
    if structure.management_mode == Structure.ManagementMode.CAF:
        networks.append("caf")
    if structure.management_mode == Structure.ManagementMode.LOCAL_AUTHORITY:
        networks.append("communes")
    if networks:
        record["reseaux_porteurs"] = networks
    return record
