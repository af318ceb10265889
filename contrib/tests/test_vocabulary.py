from catalogue.models import ActionSheet, Keyword
from contrib import editing
from contrib.models import PendingEdit
from contrib.tests.helpers import ContribTestCase


class VocabularyTestCase(ContribTestCase):
    def setUp(self):
        self.famille = Keyword.objects.get(label="Famille")
        self.proposed = Keyword.objects.create(label="Familles", needs_review=True)
        self.draft.keywords.add(self.proposed)
        self.sheet.keywords.add(self.proposed, self.famille)

    def test_it_lists_flagged_values(self):
        self.client.force_login(self.mona)
        r = self.client.get("/contribuer/vocabulaire/")
        self.assertContains(r, "« Familles »")
        self.assertContains(r, "2 fiches")

    def test_it_requires_a_moderator(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/contribuer/vocabulaire/").status_code, 403)

    def test_it_accepts(self):
        self.client.force_login(self.mona)
        self.client.post(f"/contribuer/vocabulaire/keyword/{self.proposed.pk}/accepter/")
        self.proposed.refresh_from_db()
        self.assertFalse(self.proposed.needs_review)

    def test_it_renames(self):
        self.client.force_login(self.mona)
        prefix = f"rkeyword{self.proposed.pk}"
        self.client.post(
            f"/contribuer/vocabulaire/keyword/{self.proposed.pk}/renommer/",
            {f"{prefix}-label": "Liens familiaux"},
        )
        self.proposed.refresh_from_db()
        self.assertEqual(self.proposed.label, "Liens familiaux")
        self.assertFalse(self.proposed.needs_review)

    def test_it_refuses_a_rename_onto_an_existing_label(self):
        self.client.force_login(self.mona)
        prefix = f"rkeyword{self.proposed.pk}"
        r = self.client.post(
            f"/contribuer/vocabulaire/keyword/{self.proposed.pk}/renommer/",
            {f"{prefix}-label": "famille"},
            follow=True,
        )
        self.assertContains(r, "existe déjà")

    def test_it_maps_onto_an_existing_value_and_every_sheet_follows(self):
        editing.save_draft(self.sheet, {"summary": "modifié"}, self.alice, self.sheet.version)
        self.client.force_login(self.mona)
        prefix = f"mkeyword{self.proposed.pk}"
        r = self.client.post(
            f"/contribuer/vocabulaire/keyword/{self.proposed.pk}/rattacher/",
            {f"{prefix}-onto": self.famille.pk},
            follow=True,
        )
        self.assertContains(r, "rattachée à « Famille » (2 fiches)")
        self.assertFalse(Keyword.objects.filter(pk=self.proposed.pk).exists())
        self.assertEqual(
            list(ActionSheet.objects.get(pk=self.draft.pk).keywords.all()), [self.famille]
        )
        sheet_keywords = ActionSheet.objects.get(pk=self.sheet.pk).keywords.all()
        self.assertIn(self.famille, sheet_keywords)
        self.assertNotIn(self.proposed, sheet_keywords)
        self.assertNotIn(self.proposed.pk, PendingEdit.objects.get().data["keywords"])
        self.assertIn(self.famille.pk, PendingEdit.objects.get().data["keywords"])
        for revision in self.sheet.revisions.all():
            self.assertNotIn(self.proposed.pk, revision.data["keywords"])


class ChoiceVocabularyTestCase(ContribTestCase):
    def test_mapping_a_choice_value_moves_every_sheet(self):
        from catalogue.models import Dimension, PartnerKind

        services = Dimension.objects.get(label="Services")
        typo = Dimension.objects.create(label="Servises", needs_review=True)
        self.sheet.dimension = typo
        self.sheet.save()
        caf = PartnerKind.objects.get(label="Caf")
        caf_typo = PartnerKind.objects.create(label="CAF du Tarn", needs_review=True)
        self.sheet.action_partners.add(caf_typo)
        self.sheet.financial_partners.add(caf_typo, caf)
        self.client.force_login(self.nina)  # any moderator reviews the national vocabulary
        self.client.post(
            f"/contribuer/vocabulaire/dimension/{typo.pk}/rattacher/",
            {f"mdimension{typo.pk}-onto": services.pk},
        )
        self.client.post(
            f"/contribuer/vocabulaire/partnerkind/{caf_typo.pk}/rattacher/",
            {f"mpartnerkind{caf_typo.pk}-onto": caf.pk},
        )
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.dimension, services)
        self.assertEqual(list(self.sheet.action_partners.all()), [caf])
        self.assertEqual(list(self.sheet.financial_partners.all()), [caf])
        self.assertFalse(Dimension.objects.filter(label="Servises").exists())
