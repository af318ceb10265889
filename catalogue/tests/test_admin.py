from django.test import TestCase
from django.urls import reverse

from contrib.models import User
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        cls.admin = User.objects.create_superuser("admin@example.org", "motdepasse-solide")

    def test_every_catalogue_admin_page_opens_in_french(self):
        self.client.force_login(self.admin)
        for model in (
            "actionsheet",
            "structure",
            "departement",
            "region",
            "keyword",
            "dimension",
            "actionstatus",
            "initiator",
            "territory",
            "public",
            "partnerkind",
        ):
            r = self.client.get(reverse(f"admin:catalogue_{model}_changelist"))
            self.assertEqual(r.status_code, 200, model)
        r = self.client.get(reverse("admin:catalogue_actionsheet_changelist"))
        self.assertContains(r, "Repair Café")
        self.assertContains(r, "fiches actions")

    def test_a_sheet_opens_in_the_admin(self):
        from catalogue.models import ActionSheet

        self.client.force_login(self.admin)
        sheet = ActionSheet.objects.get(title="Fête du jeu")
        r = self.client.get(reverse("admin:catalogue_actionsheet_change", args=[sheet.pk]))
        self.assertContains(r, "Ressources financières mobilisées pour cette action")

    def test_it_requires_staff(self):
        r = self.client.get(reverse("admin:catalogue_actionsheet_changelist"))
        self.assertEqual(r.status_code, 302)
