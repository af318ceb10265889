from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from catalogue.models import ActionSheet, Keyword, PublicationStatus, Structure
from essaimage.test import SAMPLE_PATH
from ingest.importer import ImportRefused, import_bytes, import_paths

SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")


def sample_between(start_label: str, end_label: str, *, after: str) -> str:
    """The raw text the sample prints between two labels, after a given title."""
    text = SAMPLE[SAMPLE.index(after) :]
    start = text.index(f"- {start_label}\n") + len(start_label) + 3
    return text[start : text.index(f"\n- {end_label}\n", start)]


class ImportSampleTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.report = import_paths([SAMPLE_PATH])

    def sheet(self, title: str) -> ActionSheet:
        return ActionSheet.objects.with_relations().get(title=title)

    def test_it_imports_24_sheets_and_19_structures(self):
        self.assertEqual(ActionSheet.objects.count(), 24)
        self.assertEqual(Structure.objects.count(), 19)
        self.assertEqual(self.report.total("created"), 24)
        self.assertEqual(self.report.total("duplicates"), 1)

    def test_it_keeps_repair_cafe_once(self):
        self.assertEqual(ActionSheet.objects.filter(title="Repair Café").count(), 1)

    def test_it_publishes_imported_sheets(self):
        self.assertEqual(ActionSheet.objects.published().count(), 24)
        self.assertEqual(set(ActionSheet.objects.values_list("source", flat=True)), {"senacs"})

    def test_it_resolves_every_departement(self):
        expected = {
            "STRUCTURE ANIMATION DE QUARTIER GAUTRIATS/SAUGERAIES": "71",
            "CENTRE SOCIAL DES MARAIS": "35",
            "ESF L'arc-en-ciel (centre social)": "71",
            "LE CENTRE ESPACE DE VIE SOCIALE DE CUISERY": "71",
            "CENTRE SOCIAL POT D'ARGENT": "45",
            "MAISON QUARTIERS SOLANGE TONINI": "59",
            "CENTRE SOCIAL DE L'ORGERE": "38",
            "Le Chalet des échanges de savoirs": "53",
            "CENTRE SOCIAL CAF LA CLAIRIERE": "54",
            "Maison Pour Tous De La Masse": "47",
            "MAISON POUR TOUS SUD / ESPACE ROL TANGUY": "45",
            "LA BOBINE MJC / CENTRE SOCIOCULTUREL DE PFASTATT": "68",
            "ASS GEST ACT SOC CULT BAVANS": "25",
            "Le Trait d'Union": "81",
            "Centre Social et d'Animation Culturelle": "02",
            "CENTRE SOCIAL L'ENVOL": "25",
            "Centre social ALC Quartiers Ouest": "15",
            "MJC DE SOCHAUX": "25",
            "EPICERIE SOLIDAIRE DE L'AUXERROIS": "89",
        }
        self.assertEqual(dict(Structure.objects.values_list("name", "departement_id")), expected)

    def test_it_infers_structure_types(self):
        cuisery = Structure.objects.get(name="LE CENTRE ESPACE DE VIE SOCIALE DE CUISERY")
        self.assertEqual(cuisery.type, Structure.Type.EVS)
        self.assertEqual(Structure.objects.get(name="CENTRE SOCIAL DES MARAIS").type, "cs")
        self.assertEqual(Structure.objects.get(name="MJC DE SOCHAUX").type, "other")

    def test_it_keeps_the_whole_financial_resources_text_of_fete_du_jeu(self):
        sheet = self.sheet("Fête du jeu")
        self.assertEqual(
            sheet.financial_resources,
            "- 400 € d’achat de matériel\n- 250 € de d’animation poneys\n- 100 € d’alimentation",
        )
        self.assertIn("Soit un total de 43 personnes", sheet.people_mobilized)
        self.assertIn("\n- 2 agents des services techniques\n", sheet.people_mobilized)

    def test_it_keeps_the_flattened_budget_table_of_faites_ensemble_verbatim(self):
        raw = sample_between(
            "Ressources financières mobilisées pour cette action",
            "Nombre de personnes mobilisés pour cette action",
            after="FAITES ENSEMBLE",
        )
        sheet = self.sheet("FAITES ENSEMBLE")
        self.assertEqual(sheet.financial_resources, raw)
        self.assertIn("CHARGES\nPrévision\nRéalisation\n%\nPRODUITS", sheet.financial_resources)
        self.assertIn("\n- ACSE\n", sheet.financial_resources)

    def test_it_keeps_free_text_bullets_inside_the_summary(self):
        sheet = self.sheet("Accès aux droits et lutte contre la fracture numérique")
        self.assertIn("\n- Un accueil de premier niveau\n", sheet.summary)
        self.assertTrue(sheet.summary.startswith("A. Une réponse individuelle et bienveillante:"))
        self.assertIn("« Aller vers » un public", sheet.summary)

    def test_it_reads_statuses_and_end_reasons(self):
        self.assertEqual(self.sheet("Challenge Mix Cité").status.label, "Terminée")
        self.assertEqual(self.sheet('"Changer d\'air" week-end en gite').end_reason, "2017")
        self.assertEqual(self.sheet("Repair Café").status.label, "En cours")

    def test_it_keeps_the_initiators_detail(self):
        sheet = self.sheet("Université Populaire de Parents Pays de Montbéliard")
        self.assertEqual(
            sheet.initiators_detail,
            "action pilotée par les centres sociaux de Bavans et la Passerelle à Montbéliard",
        )

    def test_it_reads_partner_lists_exactly(self):
        sheet = self.sheet("LIVRET D'ACCUEIL")
        self.assertEqual(
            sorted(p.label for p in sheet.action_partners.all()),
            ["Association locale", "Bailleur social", "Caf", "Commune", "Conseil départemental"],
        )
        self.assertEqual(
            sorted(i.label for i in sheet.initiators.all()),
            ["Le centre social", "Un groupe d'habitants", "Un ou plusieurs partenaire(s)"],
        )
        self.assertEqual(sheet.territory.label, "Un quartier")
        self.assertEqual([p.label for p in sheet.publics.all()], ["Tous publics"])
        self.assertEqual(sheet.financial_partners.count(), 0)

    def test_it_strips_quotes_wrapping_a_whole_title(self):
        self.assertTrue(ActionSheet.objects.filter(title="Actions Intergénérationnelles").exists())

    def test_it_keeps_the_misspelt_keyword_label(self):
        sheet = self.sheet("CAFE DE LA CONNAISSANCE")
        self.assertIn("Viellissement", [k.label for k in sheet.keywords.all()])
        self.assertFalse(Keyword.objects.filter(needs_review=True).exists())


class ImportBehaviourTestCase(TestCase):
    def test_a_second_import_creates_and_changes_nothing(self):
        import_paths([SAMPLE_PATH])
        before = list(ActionSheet.objects.order_by("pk").values())
        report = import_paths([SAMPLE_PATH])
        self.assertEqual(report.total("created"), 0)
        self.assertEqual(report.total("updated"), 0)
        self.assertEqual(report.total("unchanged"), 24)
        self.assertEqual(list(ActionSheet.objects.order_by("pk").values()), before)
        self.assertEqual(Structure.objects.count(), 19)

    def test_duplicates_across_files_are_merged(self):
        report = import_paths([SAMPLE_PATH, SAMPLE_PATH])
        self.assertEqual(ActionSheet.objects.count(), 24)
        self.assertEqual(report.files[1].unchanged, 24)

    def test_a_file_broken_half_way_writes_nothing(self):
        broken = (
            SAMPLE.encode()[: len(SAMPLE) // 2] + b"\xff\xfe garbage \xc3\x28\n" + SAMPLE.encode()
        )
        with self.assertRaises(ImportRefused) as caught:
            import_bytes(broken, name="cassé.txt")
        self.assertIn("cassé.txt", str(caught.exception))
        self.assertIn("UTF-8", str(caught.exception))
        self.assertEqual(ActionSheet.objects.count(), 0)
        self.assertEqual(Structure.objects.count(), 0)

    def test_a_sheet_without_structure_refuses_the_whole_file(self):
        text = SAMPLE.replace(
            "- Structure organisatrice\n- CENTRE SOCIAL DE L'ORGERE - Isère\n",
            "- Structure organisatrice\n",
        )
        with self.assertRaises(ImportRefused) as caught:
            import_bytes(text.encode(), name="sans-structure.txt")
        self.assertIn("Fête du jeu", str(caught.exception))
        self.assertIn("ligne 411", str(caught.exception))
        self.assertEqual(ActionSheet.objects.count(), 0)

    def test_a_truncated_export_imports_the_last_sheet_and_reports_it(self):
        cut = SAMPLE[
            : SAMPLE.index("- Résultat pour le centre social", SAMPLE.index("Fête du jeu"))
        ]
        cut += "- Résultat pour le cen"  # cut mid-label
        report = import_bytes(cut.encode(), name="tronqué.txt")
        self.assertEqual(report.truncated, ["Fête du jeu"])
        sheet = ActionSheet.objects.get(title="Fête du jeu")
        self.assertTrue(sheet.results_territory.startswith("Les différentes réunions"))
        self.assertNotIn("Résultat pour le cen", sheet.results_territory)
        self.assertEqual(sheet.results_centre, "")
        self.assertEqual(ActionSheet.objects.count(), 7)

    def test_a_non_senacs_file_is_refused(self):
        with self.assertRaises(ImportRefused) as caught:
            import_bytes(b"nom;prenom\nDupont;Jean\n", name="contacts.csv")
        self.assertIn("n'est pas un export SENACS", str(caught.exception))
        with self.assertRaises(ImportRefused):
            import_bytes(b"\x7fELF\x00\x01binary", name="programme.txt")
        self.assertEqual(ActionSheet.objects.count(), 0)

    def test_an_unknown_keyword_is_kept_and_flagged(self):
        text = SAMPLE.replace(
            "- Parentalité\n- Culture\n", "- Parentalité\n- Jardins partagés\n", 1
        )
        report = import_bytes(text.encode(), name="nouveau.txt")
        keyword = Keyword.objects.get(label="Jardins partagés")
        self.assertTrue(keyword.needs_review)
        self.assertIn("mot clé : Jardins partagés", report.new_vocabulary)
        sheet = ActionSheet.objects.get(title="Fête du jeu")
        self.assertIn("Jardins partagés", [k.label for k in sheet.keywords.all()])

    def test_vocabulary_matching_tolerates_case_accents_and_spacing(self):
        text = SAMPLE.replace("- Parentalité\n- Culture\n", "- PARENTALITE\n- culture \n", 1)
        report = import_bytes(text.encode(), name="casse.txt")
        self.assertEqual(report.new_vocabulary, [])
        labels = [k.label for k in ActionSheet.objects.get(title="Fête du jeu").keywords.all()]
        self.assertEqual(sorted(labels), ["Culture", "Parentalité", "intergénérationnel"])

    def test_departement_names_are_matched_tolerantly(self):
        text = SAMPLE.replace("DES MARAIS - Ille-et-Vilaine", "DES MARAIS - ILLE ET VILAINE")
        text = text.replace("DE L'ORGERE - Isère", "DE L'ORGERE - Haute-Corse")
        text = text.replace("TONINI - Nord", "TONINI - Côtes d’Armor")
        text = text.replace("CUISERY - Saône-et-Loire", "CUISERY - la réunion")
        import_bytes(text.encode(), name="variantes.txt")
        self.assertEqual(
            Structure.objects.get(name="CENTRE SOCIAL DES MARAIS").departement_id, "35"
        )
        self.assertEqual(
            Structure.objects.get(name="CENTRE SOCIAL DE L'ORGERE").departement_id, "2B"
        )
        self.assertEqual(
            Structure.objects.get(name="MAISON QUARTIERS SOLANGE TONINI").departement_id, "22"
        )
        cuisery = Structure.objects.get(name="LE CENTRE ESPACE DE VIE SOCIALE DE CUISERY")
        self.assertEqual(cuisery.departement_id, "974")

    def test_an_unknown_departement_is_reported_with_its_line_and_kept(self):
        text = SAMPLE.replace("DES MARAIS - Ille-et-Vilaine", "DES MARAIS - Atlantide")
        report = import_bytes(text.encode(), name="atlantide.txt")
        messages = [str(p) for p in report.problems]
        self.assertTrue(any("ligne 56" in m and "Atlantide" in m for m in messages), messages)
        self.assertIsNone(Structure.objects.get(name="CENTRE SOCIAL DES MARAIS").departement)

    def test_the_listing_table_gives_years_in_order(self):
        listing = (
            "Les actions des centres sociaux\nNom | Département | Année |\n--- | --- | --- |\n"
            "Repair Café | Ille-et-Vilaine | 2019 |\nRepair Café | Ille-et-Vilaine | 2020 |\n"
            "Fête du jeu | Isère | 2018 |\n"
        )
        report = import_bytes((listing + SAMPLE.split("\n", 1)[1]).encode(), name="annees.txt")
        self.assertEqual(ActionSheet.objects.get(title="Fête du jeu").year, 2018)
        # The two printed "Repair Café" sheets get 2019 and 2020: two different years.
        years = sorted(
            ActionSheet.objects.filter(title="Repair Café").values_list("year", flat=True)
        )
        self.assertEqual(years, [2019, 2020])
        self.assertEqual(report.duplicates, 0)
        self.assertIsNone(ActionSheet.objects.get(title="FAITES ENSEMBLE").year)

    def test_a_newer_export_updates_unedited_sheets_and_keeps_edited_ones(self):
        import_paths([SAMPLE_PATH])
        edited = ActionSheet.objects.get(title="Fête du jeu")
        edited.summary = "Résumé réécrit sur Essaimage."
        edited.save()
        text = SAMPLE.replace("1000 €\n", "1200 €\n").replace(
            "Offrir un temps festif", "Offrir un temps très festif"
        )
        report = import_bytes(text.encode(), name="v2.txt")
        self.assertEqual(report.updated, 1)
        self.assertEqual(report.kept_local_edits, ["Fête du jeu"])
        self.assertEqual(ActionSheet.objects.get(title="Repair Café").financial_resources, "1200 €")
        edited.refresh_from_db()
        self.assertEqual(edited.summary, "Résumé réécrit sur Essaimage.")

    def test_dry_run_writes_nothing(self):
        report = import_paths([SAMPLE_PATH], dry_run=True)
        self.assertEqual(report.total("created"), 24)
        self.assertEqual(ActionSheet.objects.count(), 0)
        self.assertEqual(Structure.objects.count(), 0)


class ImportSenacsCommandTestCase(TestCase):
    def test_it_prints_a_french_summary(self):
        out = StringIO()
        call_command("import_senacs", str(SAMPLE_PATH), stdout=out)
        self.assertIn("créées : 24", out.getvalue())
        self.assertIn("doublons fusionnés : 1", out.getvalue())
        self.assertIn("Total : 24 fiches créées", out.getvalue())

    def test_it_refuses_a_non_senacs_file_with_a_clear_message(self):
        path = Path(self.id().replace(".", "_") + ".txt")
        with self.assertRaises(CommandError) as caught:
            call_command("import_senacs", str(Path(__file__)))
        self.assertIn("n'est pas un export SENACS", str(caught.exception))
        self.assertIn("rien n'a été enregistré", str(caught.exception))
        self.assertFalse(path.exists())
        self.assertEqual(ActionSheet.objects.count(), 0)

    def test_it_reports_a_missing_file(self):
        with self.assertRaises(CommandError) as caught:
            call_command("import_senacs", "/nexiste/pas.txt")
        self.assertIn("fichier illisible", str(caught.exception))

    def test_dry_run_option(self):
        out = StringIO()
        call_command("import_senacs", str(SAMPLE_PATH), "--dry-run", stdout=out)
        self.assertIn("rien n'a été enregistré", out.getvalue())
        self.assertEqual(
            ActionSheet.objects.filter(publication_status=PublicationStatus.PUBLISHED).count(), 0
        )


class MultiPageExportTestCase(TestCase):
    def test_page_headers_between_sheets_are_not_content_and_give_years(self):
        # A second page: header and listing table reprinted before its first sheet.
        second_page = (
            "Les actions des centres sociaux\nNom | Département | Année |\n--- | --- | --- |\n"
            "Fête du jeu | Isère | 2018 |\nSoutenir la parentalité | Mayenne | 2019 |\n"
        )
        start = SAMPLE.index("Actions\nFête du jeu")
        text = SAMPLE[:start] + second_page + SAMPLE[start:]
        report = import_bytes(text.encode(), name="deux-pages.txt")
        self.assertEqual(report.problems, [])
        self.assertEqual(ActionSheet.objects.get(title="Fête du jeu").year, 2018)
        self.assertEqual(ActionSheet.objects.get(title="Soutenir la parentalité").year, 2019)
        previous = ActionSheet.objects.get(title="CAFE DE LA CONNAISSANCE")
        self.assertNotIn("Les actions des centres sociaux", previous.perspectives)
        self.assertNotIn("|", previous.perspectives)
        self.assertEqual(ActionSheet.objects.count(), 24)
