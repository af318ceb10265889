from django.core import mail
from django.test import TestCase
from django.urls import reverse

from catalogue.models import Keyword, PublicationStatus
from contrib.models import Revision, User
from contrib.tests.helpers import ContribTestCase
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


class AdminEditTestCase(ContribTestCase):
    """An administrator's edit in /admin/ is a version like any other."""

    def admin_post_data(self, sheet, **changes) -> dict:
        r = self.client.get(reverse("admin:catalogue_actionsheet_change", args=[sheet.pk]))
        data = {}
        form = r.context["adminform"].form
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, list | tuple):
                data[name] = [str(v) for v in value]
            else:
                data[name] = "" if value is None else value
        for formset in r.context["inline_admin_formsets"]:
            management = formset.formset.management_form
            for name in management.fields:
                data[management.add_prefix(name)] = management[name].value()
        data.update(changes)
        return data

    def test_an_admin_edit_is_recorded_as_a_version_and_published(self):
        self.client.force_login(self.ada)
        mail.outbox.clear()
        version = self.sheet.version
        url = reverse("admin:catalogue_actionsheet_change", args=[self.sheet.pk])
        data = self.admin_post_data(self.sheet, title="Repair Café du port")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(url, data)
        self.assertEqual(r.status_code, 302, r.content[:3000])
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "Repair Café du port")
        self.assertGreater(self.sheet.version, version)
        latest = self.sheet.revisions.first()
        self.assertEqual(latest.author, self.ada)
        self.assertEqual(latest.kind, Revision.Kind.PUBLISHED)
        self.assertTrue(
            self.sheet.revisions.filter(kind=Revision.Kind.SAVED, author=self.ada).exists()
        )
        self.assertEqual([m.to for m in mail.outbox], [[self.alice.email]])
        # The public page and the search follow.
        self.assertContains(self.client.get(self.sheet.get_absolute_url()), "Repair Café du port")

    def test_an_admin_edit_of_a_draft_stays_a_draft(self):
        self.client.force_login(self.ada)
        url = reverse("admin:catalogue_actionsheet_change", args=[self.draft.pk])
        keyword = Keyword.objects.get(label="Famille")
        data = self.admin_post_data(self.draft, summary="Un café le samedi.")
        data["keywords"] = [str(keyword.pk)]
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 302)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Un café le samedi.")
        self.assertEqual(list(self.draft.keywords.all()), [keyword])
        self.assertEqual(self.draft.publication_status, PublicationStatus.DRAFT)
        self.assertEqual(self.draft.revisions.first().author, self.ada)

    def test_it_offers_no_direct_creation(self):
        self.client.force_login(self.ada)
        r = self.client.get(reverse("admin:catalogue_actionsheet_add"))
        self.assertEqual(r.status_code, 403)
