from django.test import TestCase, override_settings

from contrib.models import User
from pages.models import Page

SLUGS = {
    "mentions-legales": "Mentions légales",
    "accessibilite": "Déclaration d'accessibilité",
    "donnees-personnelles": "Données personnelles",
    "contact": "Contact",
    "a-propos": "À propos",
    "publier-vos-actions": "Publier les actions de votre centre",
}


class PageTestCase(TestCase):
    def test_every_information_page_answers_and_is_linked_in_the_footer(self):
        home = self.client.get("/")
        for slug, title in SLUGS.items():
            with self.subTest(slug):
                r = self.client.get(f"/{slug}/")
                self.assertContains(r, f"<h1>{title}</h1>", html=True)
                self.assertContains(home, f'href="/{slug}/"')

    def test_the_accessibility_statement_gives_its_status_and_a_way_to_report(self):
        with override_settings(CONTACT_EMAIL="accessibilite@example.org"):
            r = self.client.get("/accessibilite/")
        self.assertContains(r, "partiellement conforme au RGAA 4.1")
        self.assertContains(r, "Signaler un problème d'accessibilité")
        self.assertContains(r, 'href="mailto:accessibilite@example.org?subject=')
        self.assertContains(r, "Défenseur des droits")

    def test_an_administrator_edits_a_page_without_deployment(self):
        admin = User.objects.create_superuser("ada@example.org", "mot-de-passe-solide-42")
        self.client.force_login(admin)
        page = Page.objects.get(slug="contact")
        r = self.client.post(
            f"/admin/pages/page/{page.pk}/change/",
            {
                "slug": "contact",
                "title": "Nous écrire",
                "summary": "",
                "body": "<p>Écrivez à la fédération.</p>",
            },
        )
        self.assertEqual(r.status_code, 302)
        r = self.client.get("/contact/")
        self.assertContains(r, "<h1>Nous écrire</h1>", html=True)
        self.assertContains(r, "Écrivez à la fédération.")

    def test_it_answers_unknown_pages_with_a_404(self):
        self.assertEqual(self.client.get("/pas-une-page/").status_code, 404)


class SenacsPersonalDataTestCase(TestCase):
    def test_the_personal_data_page_says_what_comes_from_senacs(self):
        r = self.client.get("/donnees-personnelles/")
        self.assertContains(r, "Ce qui vient de SENACS")
        self.assertContains(r, "n'est montré qu'aux modérateurs")
        self.assertContains(r, "Essaimage ne garde ni le message ni votre adresse")
        self.assertNotContains(self.client.get("/contact/"), "Ce qui vient de SENACS")
