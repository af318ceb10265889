"""`import_senacs FOLDER`: current exports, older sheets and directory pages mixed, in one
transaction, idempotent, with structures matched to those the sheets created."""

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from catalogue.models import ActionSheet, Attachment, PublicationStatus, Structure
from catalogue.signals import sheets_changed
from essaimage.test import make_sheet, make_structure
from ingest.pages_importer import canonical_name, import_pages, names_a_person

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "data" / "senacs_pages"
SAMPLE = ROOT / "data" / "senacs_sample.txt"


class ImportPagesTestCase(TestCase):
    def test_the_shipped_pages_import_with_every_field(self):
        report = import_pages([PAGES])
        figeac = Structure.objects.get(name="CENTRE SOCIAL ET DE PRÉVENTION DE FIGEAC")
        self.assertEqual(figeac.type, Structure.Type.CENTRE_SOCIAL)
        self.assertEqual(figeac.departement_id, "46")
        self.assertEqual(
            (figeac.address, figeac.postcode, figeac.commune),
            ("8 place vival", "46100", "Figeac"),
        )
        self.assertEqual(figeac.email, "centresocial@ville-figeac.fr")
        self.assertTrue(figeac.email_is_public)
        self.assertEqual(figeac.website, "http://www.ville-figeac.fr")
        self.assertEqual(figeac.siret, "21460102300010")
        self.assertEqual(figeac.first_agrement, date(1975, 1, 1))
        self.assertEqual(figeac.population, 9802)
        self.assertEqual(len(figeac.project_axes), 4)
        self.assertIn("géré par la Caf du Lot", figeac.history)
        self.assertEqual(figeac.management_mode, Structure.ManagementMode.LOCAL_AUTHORITY)
        self.assertEqual(figeac.setting, Structure.Setting.URBAN)
        self.assertEqual(figeac.territory_type, "Un espace à dominante urbaine")
        self.assertEqual(figeac.territory_size, "Une commune")
        self.assertEqual(figeac.priority_geography, "Non concernée")
        self.assertIs(figeac.is_qpv, False)
        self.assertIs(figeac.is_federation_member, True)
        self.assertEqual(figeac.other_federation, "Fédération des centres sociaux")
        self.assertEqual(
            (figeac.is_travellers, figeac.is_multi_site, figeac.is_itinerant), (False, False, False)
        )
        self.assertEqual(figeac.senacs_url, "https://senacs.fr/structure/csx?direction=asc&page=8")
        self.assertFalse(figeac.card_incomplete)

        lacaune = Structure.objects.get(name="L'ARC EN CIEL")
        self.assertEqual((lacaune.type, lacaune.departement_id), ("evs", "81"))
        # "adeline.gazel@…" names a person: kept, not published.
        self.assertEqual(lacaune.email, "adeline.gazel@ccmlhl.fr")
        self.assertFalse(lacaune.email_is_public)
        self.assertTrue(lacaune.card_incomplete)
        # The EVS list's other rows are structures too, with their commune.
        self.assertEqual(Structure.objects.filter(type="evs").count(), 25)
        saint_martin = Structure.objects.get(name="NATURE IS THE KEY")
        self.assertEqual(
            (saint_martin.postcode, saint_martin.commune, saint_martin.departement_id),
            ("97150", "Saint-Martin", "978"),
        )

        sortie = ActionSheet.objects.get(senacs_id=469)
        self.assertTrue(sortie.is_senacs_archive)
        self.assertEqual(sortie.publication_status, PublicationStatus.PUBLISHED)
        self.assertEqual(sortie.title, "Sortie Spinassienne")
        self.assertEqual(sortie.senacs_url, "http://senacs.fr/action/show/469")
        self.assertEqual(
            (sortie.structure.name, sortie.structure.departement_id),
            ("MC² Maison du Centre", "93"),
        )
        self.assertEqual(sortie.published_by, "Hichem LABOUBI")
        self.assertEqual(
            sortie.archive_themes,
            ["Intergénérationel", "Promotion de la culture local", "Service de proximité"],
        )
        self.assertEqual([k.key for k in sortie.keywords.all()], ["intergenerationnel"])
        self.assertEqual(len(sortie.archive_sections), 3)
        self.assertEqual(
            sortie.archive_sections[0]["label"],
            "Quels furent les éléments de diagnostic à l'origine de l'expérience ?",
        )
        ludotheque = ActionSheet.objects.get(senacs_id=1099)
        self.assertTrue(ludotheque.structure.is_unspecified)
        self.assertEqual(
            list(Attachment.objects.filter(sheet=ludotheque).values_list("name", "size")),
            [("La Ludothèque.pdf", 186972)],
        )
        self.assertEqual(ActionSheet.objects.filter(structure__is_unspecified=True).count(), 4)

        self.assertEqual(
            sorted(Path(name).name for name, _ in report.refused),
            ["action-show-1931.txt", "action-show-46.txt", "action-show-85.txt"],
        )
        self.assertIn("copie commencée au milieu de la fiche", report.refused[0][1])
        self.assertEqual(report.sheets_created, 5)
        self.assertEqual(report.structure_fields["siret"], 5)
        self.assertEqual(len(report.incomplete_cards), 4)

    def test_a_second_run_changes_nothing(self):
        import_pages([SAMPLE, PAGES])
        counts = (Structure.objects.count(), ActionSheet.objects.count())
        stamps = list(Structure.objects.order_by("pk").values_list("updated_at", flat=True))
        report = import_pages([PAGES, SAMPLE])
        self.assertFalse(report.changed)
        self.assertIn("Aucun changement.", report.summary_lines())
        self.assertEqual((Structure.objects.count(), ActionSheet.objects.count()), counts)
        self.assertEqual(
            list(Structure.objects.order_by("pk").values_list("updated_at", flat=True)), stamps
        )

    def test_directory_cards_merge_into_structures_the_sheets_created(self):
        lien = make_structure("CSC Le Lien", dep="53")
        make_sheet(lien, "Jardin partagé")
        figeac = make_structure("Centre social et de prévention de Figeac", dep="46")
        report = import_pages(
            [PAGES / "structure-csx-page-89.txt", PAGES / "structure-csx-page-8-asc.txt"]
        )
        lien.refresh_from_db()
        figeac.refresh_from_db()
        self.assertEqual(lien.commune, "Saint-Berthevin")
        self.assertEqual(lien.other_federation, "Francas")
        self.assertEqual(figeac.siret, "21460102300010")
        self.assertFalse(Structure.objects.filter(name='CENTRE SOCIAL "LE LIEN"').exists())
        self.assertEqual(len(report.structures_merged), 2)
        self.assertTrue(any("Le Lien" in line for line in report.structures_merged))

    def test_a_close_name_that_is_not_sure_is_listed_not_merged(self):
        other = make_structure("Centre social des Bergeries", dep="91")
        report = import_pages([PAGES / "structure-csx-page-89.txt"])
        self.assertTrue(
            Structure.objects.filter(name="CENTRE SOCIAL INTERCOMMUNAL DES BERGERIES").exists()
        )
        other.refresh_from_db()
        self.assertEqual(other.siret, "")
        self.assertEqual(len(report.uncertain), 1)
        self.assertIn("ressemble à « Centre social des Bergeries » (n° ", report.uncertain[0])

    def test_names_written_differently_compare_equal(self):
        self.assertEqual(canonical_name('CSC "Le Lien"'), canonical_name("Centre Social le lien"))
        self.assertEqual(
            canonical_name("Centre socio-culturel Élan"), canonical_name("centre social elan")
        )
        self.assertTrue(names_a_person("adeline.gazel@ccmlhl.fr"))
        self.assertFalse(names_a_person("accueil.lelien@ville-saint-berthevin.fr"))
        self.assertFalse(names_a_person("mjcarchipelsud@gmail.com"))

    def test_names_that_differ_by_a_number_are_never_merged(self):
        make_structure("CENTRE SOCIAL MAISON 2", dep="46", commune="Figeac")
        folder = Path(self.enterContext(_temporary_folder()))
        (folder / "csx.txt").write_text(
            "URL: https://senacs.fr/structure/csx?page=1\nInformations sur la structure\n"
            "CENTRE SOCIAL MAISON 3\nFiche identité\nAdresse\nCENTRE SOCIAL MAISON 31 rue Haute\n"
            "46100 Figeac\n",
            encoding="utf-8",
        )
        report = import_pages([folder])
        self.assertEqual(report.structures_created, 1)
        self.assertEqual(report.uncertain, [])
        self.assertEqual(Structure.objects.filter(commune="Figeac").count(), 2)

    def test_a_contributor_edited_email_is_not_overwritten(self):
        import_pages([PAGES / "structure-csx-page-85.txt"])
        malt = Structure.objects.get(name="MALT")
        Structure.objects.filter(pk=malt.pk).update(email="accueil@malt77.org", contact_edited=True)
        import_pages([PAGES / "structure-csx-page-85.txt"])
        malt.refresh_from_db()
        self.assertEqual(malt.email, "accueil@malt77.org")

    def test_a_failure_leaves_nothing_written(self):
        def fail(**kwargs):
            raise RuntimeError("panne")

        sheets_changed.connect(fail, dispatch_uid="test_pages_fail")
        self.addCleanup(sheets_changed.disconnect, dispatch_uid="test_pages_fail")
        with self.assertRaises(RuntimeError):
            import_pages([PAGES])
        self.assertEqual(Structure.objects.count(), 0)
        self.assertEqual(ActionSheet.objects.count(), 0)

    def test_dry_run_writes_nothing(self):
        report = import_pages([PAGES], dry_run=True)
        self.assertEqual(report.sheets_created, 5)
        self.assertEqual(Structure.objects.count(), 0)


class ImportSenacsFolderCommandTestCase(TestCase):
    def test_it_imports_a_folder_and_reports_no_change_the_second_time(self):
        out = StringIO()
        call_command("import_senacs", str(PAGES), str(SAMPLE), stdout=out)
        printed = out.getvalue()
        self.assertIn("10 fichiers lus", printed)
        self.assertIn("Fiches archivées : 5 fiches créées", printed)
        self.assertIn("Non importé : ", printed)
        self.assertIn("action-show-46.txt : copie commencée au milieu", printed)
        out = StringIO()
        call_command("import_senacs", str(SAMPLE), str(PAGES), stdout=out)
        self.assertIn("Aucun changement.", out.getvalue())

    def test_a_charter_page_is_skipped_with_a_line(self):
        folder = Path(self.enterContext(_temporary_folder()))
        shutil.copy(PAGES / "action-show-1343.txt", folder)
        (folder / "action-show-2.txt").write_text(
            "URL: https://senacs.fr/action/show/2\nCharte fédérale des centres sociaux\n\n"
            "Les centres sociaux se réfèrent à une charte.\n",
            encoding="utf-8",
        )
        out = StringIO()
        call_command("import_senacs", str(folder), stdout=out)
        self.assertIn("Ignoré : ", out.getvalue())
        self.assertIn("ne contient pas de fiche action", out.getvalue())
        self.assertEqual(ActionSheet.objects.get().senacs_id, 1343)

    def test_nothing_readable_is_refused_in_french(self):
        folder = Path(self.enterContext(_temporary_folder()))
        shutil.copy(PAGES / "action-show-46.txt", folder)
        with self.assertRaises(CommandError) as caught:
            call_command("import_senacs", str(folder))
        self.assertIn("Import refusé, rien n'a été enregistré", str(caught.exception))
        self.assertIn("copie commencée au milieu", str(caught.exception))


def _temporary_folder():
    import tempfile

    return tempfile.TemporaryDirectory()
