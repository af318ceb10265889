from django.urls import reverse

from catalogue.models import ActionSheet, Keyword
from contrib import editing, moderation
from contrib.tests.helpers import ContribTestCase

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'
CONTROL = "bip\x07 échap\x1b[31m suppr\x7f tab\t fin"
LONG = "Très long texte. " * 6000  # ~100 000 characters


def hostile(name: str) -> str:
    return f"{name} {SCRIPT} {IMG} {CONTROL}"


class HostileTextTestCase(ContribTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.edit_url = f"/contribuer/fiches/{self.draft.pk}/modifier/"
        post = self.sheet_data(self.draft, title=hostile("titre"), new_keyword=f"mot {SCRIPT}")
        for name in editing.TEXT_FIELDS:
            post[name] = hostile(name)
        post["description"] = LONG + SCRIPT
        r = self.client.post(self.edit_url, post)
        self.assertRedirects(r, self.edit_url)
        self.draft.refresh_from_db()

    def assertHarmless(self, url: str):
        r = self.client.get(url, follow=True)
        self.assertEqual(r.status_code, 200, url)
        content = r.content.decode()
        self.assertNotIn("<script>alert", content, url)
        self.assertNotIn("<img src=x", content, url)
        self.assertIn("&lt;script&gt;alert(", content, url)

    def test_it_stores_every_field_intact(self):
        self.assertEqual(self.draft.title, hostile("titre"))
        for name in editing.TEXT_FIELDS:
            expected = LONG + SCRIPT if name == "description" else hostile(name)
            self.assertEqual(getattr(self.draft, name), expected, name)
        self.assertTrue(Keyword.objects.filter(label=f"mot {SCRIPT}", needs_review=True).exists())

    def test_it_renders_harmless_on_every_contributor_page(self):
        pk = self.draft.pk
        revision = self.draft.revisions.first()
        self.assertHarmless("/contribuer/")
        self.assertHarmless(self.edit_url)
        self.assertHarmless(f"/contribuer/fiches/{pk}/apercu/")
        self.assertHarmless(f"/contribuer/fiches/{pk}/historique/")
        self.assertHarmless(f"/contribuer/fiches/{pk}/historique/{revision.pk}/")
        editing.submit(self.draft, self.alice)
        self.client.force_login(self.mona)
        self.assertHarmless("/contribuer/relecture/")
        self.assertHarmless(f"/contribuer/relecture/{pk}/")
        self.assertHarmless("/contribuer/vocabulaire/")

    def test_it_renders_harmless_once_published_and_in_e_mails(self):
        editing.submit(self.draft, self.alice)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            moderation.return_with_comment(self.draft, self.mona, f"Revoir {SCRIPT}")
        self.assertEqual(len(callbacks), 1)
        editing.submit(self.draft, self.alice)
        moderation.publish(self.draft, self.mona)
        self.client.logout()
        sheet = ActionSheet.objects.get(pk=self.draft.pk)
        self.assertHarmless(sheet.get_absolute_url())
        self.assertHarmless(sheet.structure.get_absolute_url())
        self.assertHarmless(reverse("catalogue:sheet-list"))
        self.assertHarmless(reverse("catalogue:sheet-list") + "?q=titre")
        self.assertHarmless("/")

    def test_it_refuses_a_too_long_title_in_french(self):
        post = self.sheet_data(self.draft, title="T" * 301)
        r = self.client.post(self.edit_url, post)
        self.assertContains(r, "au plus 300 caractères")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, hostile("titre"))

    def test_it_refuses_a_nul_character_in_french(self):
        post = self.sheet_data(self.draft, summary="avant\x00après")
        r = self.client.post(self.edit_url, post)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "caractère nul")

    def test_hostile_names_are_harmless_in_join_requests(self):
        self.client.force_login(self.charlie)
        self.charlie.first_name = SCRIPT
        self.charlie.save()
        self.client.post(
            f"/contribuer/structures/{self.adesir.pk}/rejoindre/", {"message": IMG + SCRIPT}
        )
        self.client.force_login(self.alice)
        self.assertHarmless("/contribuer/")
        self.assertHarmless(f"/contribuer/structures/{self.adesir.pk}/membres/")
