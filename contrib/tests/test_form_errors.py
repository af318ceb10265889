"""After a failed submit, every error is tied to its field, summarised at the top, and the title says so."""

import re
from html.parser import HTMLParser

from django.core.cache import cache

from contrib.tests.helpers import ContribTestCase


class _Page(HTMLParser):
    """The ids on a page, the aria-describedby references, and the <title>."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str, str]] = []  # (tag, its id, referenced id)
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for ref in (a.get("aria-describedby") or "").split():
            self.described.append((tag, a.get("id", ""), ref))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


class FormErrorsTestCase(ContribTestCase):
    def setUp(self):
        cache.clear()

    def assertAccessibleErrors(self, response, *fields: str):
        """Each named field's error exists under the id its control references, and the summary links it."""
        html = response.content.decode()
        page = _Page(html)
        self.assertTrue(page.title.startswith("Erreur : "), page.title)
        for ref in (ref for _, _, ref in page.described):
            self.assertIn(ref, page.ids, f"aria-describedby points to a missing id: {ref}")
        self.assertIn("data-error-summary", html)
        summary = html[
            html.index("data-error-summary") : html.index(
                "</div>", html.index("data-error-summary")
            )
        ]
        for name in fields:
            self.assertIn(f"id_{name}_error", page.ids)
            self.assertIn(f"id_{name}_error", {ref for _, _, ref in page.described})
            self.assertTrue(
                re.search(rf'href="#(id_{name}|champ-{name})"', summary), f"no link to {name}"
            )

    def test_the_login_form_ties_its_errors(self):
        r = self.client.post("/compte/connexion/", {"username": "", "password": ""})
        self.assertAccessibleErrors(r, "username", "password")

    def test_the_login_field_is_an_e_mail_field(self):
        r = self.client.get("/compte/connexion/")
        self.assertRegex(r.content.decode(), r'<input type="email" name="username"')

    def test_a_wrong_password_is_summarised_without_a_field(self):
        r = self.client.post(
            "/compte/connexion/", {"username": "alice@example.org", "password": "faux"}
        )
        page = _Page(r.content.decode())
        self.assertTrue(page.title.startswith("Erreur : Connexion"), page.title)
        self.assertContains(r, "Adresse électronique ou mot de passe incorrect.")

    def test_the_sign_up_form_ties_its_errors(self):
        r = self.client.post(
            "/compte/inscription/", {"email": "pas-une-adresse", "password1": "a", "password2": "b"}
        )
        self.assertAccessibleErrors(r, "email", "password2")

    def test_the_thesaurus_form_ties_its_errors(self):
        self.client.force_login(self.ada)  # the thesaurus is national: administrators edit it
        r = self.client.post(
            "/contribuer/vocabulaire/thesaurus/", {"kind": "synonymes", "expressions": "seul"}
        )
        self.assertAccessibleErrors(r, "expressions")

    def test_a_checkbox_group_references_its_error(self):
        self.client.force_login(self.alice)
        url = f"/contribuer/fiches/{self.draft.pk}/modifier/"
        r = self.client.post(url, self.sheet_data(self.draft, keywords=["999999"]))
        self.assertAccessibleErrors(r, "keywords")
        self.assertRegex(r.content.decode(), r'<fieldset aria-describedby="[^"]*id_keywords_error"')

    def test_a_page_without_errors_keeps_its_title(self):
        r = self.client.get("/compte/connexion/")
        self.assertFalse(_Page(r.content.decode()).title.startswith("Erreur"))
        self.assertNotContains(r, "data-error-summary")
