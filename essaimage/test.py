"""BaseTestCase: the cast every test starts from (as healthchecks' hc/test.py)."""

import importlib
from pathlib import Path

from django.test import TestCase

from catalogue.models import ActionSheet, Departement, Keyword, PublicationStatus, Structure

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "senacs_sample.txt"


def make_structure(name: str, dep: str = "35", **fields) -> Structure:
    return Structure.objects.create(name=name, departement_id=dep, **fields)


def make_sheet(structure: Structure, title: str, **fields) -> ActionSheet:
    keywords = fields.pop("keywords", ())
    fields.setdefault("publication_status", PublicationStatus.PUBLISHED)
    sheet = ActionSheet.objects.create(structure=structure, title=title, **fields)
    if keywords:
        sheet.keywords.set(Keyword.objects.filter(label__in=keywords))
    return sheet


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reunion = Departement.objects.get(code="974")
        cls.ille_et_vilaine = Departement.objects.get(code="35")
        cls.adesir = make_structure("ADESIR", dep="974", type=Structure.Type.CENTRE_SOCIAL)
        cls.marais = make_structure("CENTRE SOCIAL DES MARAIS", dep="35")
        cls.sheet = make_sheet(cls.adesir, "Repair Café", keywords=["intergénérationnel"])


def ensure_reference_data() -> None:
    """Reload the territories, vocabularies and thesaurus of the data migrations after a flush.

    Live-server tests need committed data, so they flush the database; that empties what the
    data migration loaded, which every later test expects.
    """
    from search.models import ThesaurusEntry
    from search.thesaurus import load_file_entries

    if not ThesaurusEntry.objects.exists():
        load_file_entries(ThesaurusEntry)
    if Departement.objects.exists():
        return
    from django.apps import apps

    migration = importlib.import_module(
        "catalogue.migrations.0002_load_territories_and_vocabularies"
    )
    migration.load(apps, None)
