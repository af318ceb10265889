"""Suggestion chips on the edit page: proposed from the text typed, never applied without a
click; a click without JavaScript adds the value server-side and keeps what was typed."""

import re
from unittest import mock

from catalogue.models import Keyword
from contrib.models import Autosave
from contrib.tests.helpers import ContribTestCase
from discovery import suggestions
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths

HOMEWORK = (
    "Accompagnement à la scolarité des enfants du primaire après l'école : aide aux devoirs, "
    "lecture et soutien aux parents dans le suivi scolaire."
)
CHIP = re.compile(r'<button type="submit" name="suggestion" value="([a-z]+):(\d+)"')


class EditSuggestionsTestCase(ContribTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])
        cls.education = Keyword.objects.get(label="éducation / scolarité")

    def setUp(self):
        suggestions.train()
        self.client.force_login(self.alice)
        self.edit_url = f"/contribuer/fiches/{self.draft.pk}/modifier/"
        self.autosave_url = f"/contribuer/fiches/{self.draft.pk}/brouillon-auto/"

    def typed(self, **changes) -> dict:
        return self.sheet_data(self.draft, title="Aide aux devoirs", summary=HOMEWORK, **changes)

    def chips(self, response) -> list[tuple[str, int]]:
        return [(name, int(pk)) for name, pk in CHIP.findall(response.content.decode())]

    def test_typing_a_homework_text_proposes_the_keyword_without_applying_it(self):
        r = self.client.post(self.autosave_url, self.typed(), headers={"HX-Request": "true"})
        self.assertContains(
            r, 'id="suggestions-keywords" class="suggestions" hx-swap-oob="innerHTML"'
        )
        self.assertIn(("keywords", self.education.pk), self.chips(r))
        self.assertRegex(
            r.content.decode(),
            r"<span class=\"visually-hidden\">Ajouter le mot clé </span>Éducation / scolarité</button>",
        )
        self.assertNotContains(r, "% de confiance")  # a raw score means nothing to a contributor
        # Nothing applied: neither the autosave nor the sheet has the keyword.
        self.assertEqual(Autosave.objects.get().data["keywords"], [])
        self.assertFalse(self.draft.keywords.exists())

    def test_the_edit_page_shows_the_chips_under_their_field_and_leaves_the_box_unticked(self):
        self.client.post(self.edit_url, self.typed())  # saved: the page starts from it
        r = self.client.get(self.edit_url)
        page = r.content.decode()
        self.assertIn(("keywords", self.education.pk), self.chips(r))
        box = re.search(
            rf'<input type="checkbox" name="keywords" value="{self.education.pk}"[^>]*>', page
        )
        self.assertNotIn("checked", box.group(0))
        # Under the keywords field, before the next field (the summary).
        self.assertLess(page.index('id="champ-keywords"'), page.index('id="suggestions-keywords"'))
        self.assertLess(
            page.index('id="suggestions-keywords"'), page.index('id="champ-new_keyword"')
        )
        # Enter in a text field saves the sheet: the default button comes before any chip.
        form = page[page.index('class="sheet-form"') :]
        first = re.search(r"<button type=\"submit\"[^>]*>", form).group(0)
        self.assertNotIn('name="suggestion"', first)

    def test_a_chip_without_javascript_adds_the_value_and_keeps_the_text(self):
        r = self.client.post(
            self.edit_url,
            self.typed(
                suggestion=f"keywords:{self.education.pk}", people_mobilized="Trois bénévoles"
            ),
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Mot clé « Éducation / scolarité » ajouté : enregistrez la fiche")
        page = r.content.decode()
        box = re.search(
            rf'<input type="checkbox" name="keywords" value="{self.education.pk}"[^>]*>', page
        )
        self.assertIn("checked", box.group(0))
        self.assertContains(r, "Trois bénévoles")  # what was typed is still there
        self.assertContains(r, "Aide aux devoirs")
        self.assertNotIn(("keywords", self.education.pk), self.chips(r))
        # Kept in the autosave; the sheet itself changes only when saved.
        self.assertEqual(Autosave.objects.get().data["keywords"], [str(self.education.pk)])
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Un café.")
        self.assertFalse(self.draft.keywords.exists())

    # The sample's best dimension vote for the typed text is under 0.5: shown from 0.4 here.
    @mock.patch.dict(suggestions.SHOW_CONFIDENCE, {"dimension": 0.4})
    def test_a_dimension_chip_chooses_the_dimension(self):
        # The sample's dimension is not proposed (no better than the most frequent): force it.
        model = suggestions.current_model()
        model.enabled["dimension"] = True
        suggestions.save(model)
        r = self.client.post(self.autosave_url, self.typed(), headers={"HX-Request": "true"})
        [(_, dimension)] = [c for c in self.chips(r) if c[0] == "dimension"]
        r = self.client.post(self.edit_url, self.typed(suggestion=f"dimension:{dimension}"))
        self.assertContains(r, "Dimension « ")
        radio = re.search(
            rf'<input type="radio" name="dimension" value="{dimension}"[^>]*>', r.content.decode()
        )
        self.assertIn("checked", radio.group(0))
        self.assertFalse([c for c in self.chips(r) if c[0] == "dimension"])

    def test_an_unknown_suggestion_adds_nothing_and_says_so(self):
        for bad in ("keywords:999999", "keywords:abc", "initiators:1", "keywords:" + "9" * 40):
            r = self.client.post(self.edit_url, self.typed(suggestion=bad))
            self.assertContains(
                r, "Cette suggestion n&#x27;existe plus : rien n&#x27;a été ajouté."
            )
        self.assertEqual(Autosave.objects.get().data["keywords"], [])

    def test_only_those_who_can_edit_the_sheet_get_suggestions(self):
        self.client.force_login(self.bob)
        r = self.client.post(self.edit_url, self.typed(suggestion=f"keywords:{self.education.pk}"))
        self.assertEqual(r.status_code, 404)
        r = self.client.post(self.autosave_url, self.typed(), headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Autosave.objects.exists())

    def test_without_a_model_the_page_proposes_nothing(self):
        suggestions.save(None)
        r = self.client.post(self.autosave_url, self.typed(), headers={"HX-Request": "true"})
        self.assertEqual(self.chips(r), [])
        self.assertContains(r, 'id="suggestions-keywords"')  # emptied, not left stale
