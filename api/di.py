"""Structures in the data·inclusion structure schema (as far as our fields allow)."""

import re
from typing import Any

from django.conf import settings

from catalogue.models import Structure

SOURCE = "essaimage"
_DIGITS = re.compile(r"^\d+$")


def e164(phone: str) -> str:
    """A French number as E.164 ("03 89 12 34 56" -> "+33389123456"), or "" if unreadable."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if len(digits) == 10 and digits.startswith("0"):
        digits = "+33" + digits[1:]
    return digits if re.fullmatch(r"\+\d{8,15}", digits) else ""


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
    if len(structure.commune_code) == 5:
        record["code_insee"] = structure.commune_code
    if structure.address:
        record["adresse"] = structure.address
    if structure.website:
        record["site_web"] = structure.website
    if phone := e164(structure.phone):
        record["telephone"] = phone
    if structure.public_email:
        record["courriel"] = structure.public_email
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
