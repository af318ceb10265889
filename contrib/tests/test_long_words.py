"""A "word" longer than PostgreSQL's tsvector accepts (2,047 bytes) is cut by the analyser, on
both databases alike: the API, the edit page and publication answer, and the sheet is found."""

from django.core.cache import cache

from api import tokens
from catalogue.models import ActionSheet
from contrib import editing, moderation
from contrib.tests.helpers import ContribTestCase
from search.analysis import MAX_TOKEN_LENGTH, terms


class LongWordTestCase(ContribTestCase):
    def setUp(self):
        cache.clear()

    def test_the_analyser_cuts_long_tokens(self):
        found = terms("atelier " + "é" * 3000 + " vélo")
        self.assertEqual(found[0], "atelier")
        self.assertEqual(found[-1], "velo")
        self.assertTrue(all(len(term.encode()) <= MAX_TOKEN_LENGTH for term in found), found)
        # A query with the same long word finds the same cut term.
        self.assertEqual(terms("a" * 5000), terms("a" * 2100))

    def test_the_api_accepts_a_summary_of_one_long_word(self):
        _, key = tokens.create_token(self.alice, "script")
        r = self.client.post(
            "/api/v1/actions",
            {"structure": self.adesir.pk, "title": "Atelier", "summary": "a" * 2048},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        self.assertEqual(r.status_code, 201, r.content[:300])
        self.assertEqual(ActionSheet.objects.get(pk=r.json()["id"]).summary, "a" * 2048)

    def test_a_web_edit_with_a_long_word_is_saved_published_and_found(self):
        self.client.force_login(self.alice)
        url = f"/contribuer/fiches/{self.draft.pk}/modifier/"
        word = "b" * 2100
        r = self.client.post(url, self.sheet_data(self.draft, summary=f"Un café {word} partagé"))
        self.assertRedirects(r, url)
        self.draft.refresh_from_db()
        editing.submit(self.draft, self.alice)
        moderation.publish(self.draft, self.mona)
        self.draft.refresh_from_db()
        self.assertIn(word, self.draft.summary)
        r = self.client.get("/api/v1/actions", {"q": "b" * 150})
        self.assertEqual(r.status_code, 200)
        self.assertIn(self.draft.pk, [item["id"] for item in r.json()["results"]])
        r = self.client.get("/actions/", {"q": "café partagé"})
        self.assertContains(r, "Café des parents")
