"""Suggestion chips in a real browser (Playwright driving Debian's chromium): a homework-help
text brings the "Éducation / scolarité" chip, the keyword stays unticked until the chip is
clicked; the same without JavaScript; axe finds no serious violation with the chips shown."""

import re

import pytest

from catalogue.models import ActionSheet, Keyword
from contrib import editing
from contrib.tests.browser.test_contrib_journey_browser import (
    in_thread,
    log_in,
    pytestmark,  # noqa: F401 (the same skip rule and live-server data)
)
from contrib.tests.helpers import make_user
from discovery import suggestions
from essaimage.test import SAMPLE_PATH, ensure_reference_data, make_structure
from ingest.importer import import_paths

HOMEWORK = (
    "Accompagnement à la scolarité des enfants du primaire après l'école : aide aux devoirs, "
    "lecture et soutien aux parents dans le suivi scolaire."
)
# The chip's accessible name: "Ajouter le mot clé Éducation / scolarité".
CHIP = re.compile(r"^Ajouter le mot clé Éducation \/ scolarité\s*$")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    from contrib.tests.browser.test_contrib_journey_browser import CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def draft(settings, tmp_path):
    """Claire's draft, and suggestions trained on the sample (24 published sheets)."""
    ensure_reference_data()
    settings.MEDIA_ROOT = tmp_path / "media"

    def prepare():
        import_paths([SAMPLE_PATH])
        assert suggestions.train() is not None
        structure = make_structure("Centre social des Camélias", dep="974")
        writer = make_user("claire", contributor_of=structure)
        return editing.create_draft(structure, {"title": "Mercredis"}, writer)

    return in_thread(prepare)


def education_keywords(pk: int) -> list[str]:
    sheet = ActionSheet.objects.get(pk=pk)
    return list(editing.working_snapshot(sheet)["keywords"])


def test_a_chip_adds_the_keyword_only_when_clicked_browser(live_server, draft, browser):
    from axe_playwright_python.sync_playwright import Axe

    education = in_thread(lambda: Keyword.objects.get(label="éducation / scolarité").pk)
    page = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(page, live_server.url, "claire@example.org")
    page.goto(f"{live_server.url}/contribuer/fiches/{draft.pk}/modifier/")
    page.get_by_label("Titre de l'action").fill("Aide aux devoirs")
    page.get_by_label("Résumé").fill(HOMEWORK)
    chip = page.get_by_role("button", name=CHIP)
    chip.wait_for()  # refreshed with the autosave, a moment after typing stops
    box = page.get_by_role("checkbox", name="Éducation / scolarité")
    assert not box.is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == []

    chip.click()
    assert box.is_checked()
    page.get_by_text("« Éducation / scolarité » sélectionné.").wait_for()
    assert page.get_by_role("button", name=CHIP).count() == 0
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Brouillon enregistré.").wait_for()
    assert in_thread(lambda: education_keywords(draft.pk)) == [education]
    assert page.get_by_role("checkbox", name="Éducation / scolarité").is_checked()
    page.close()


def test_a_chip_works_without_javascript_browser(live_server, draft, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "claire@example.org")
    page.goto(f"{live_server.url}/contribuer/fiches/{draft.pk}/modifier/")
    page.get_by_label("Titre de l'action").fill("Aide aux devoirs")
    page.get_by_label("Résumé").fill(HOMEWORK)
    page.get_by_label("Limites").fill("Pas assez de bénévoles le mardi.")
    # No autosave without JavaScript: Enter in the title saves the draft (not a chip).
    page.get_by_label("Titre de l'action").press("Enter")
    page.get_by_text("Brouillon enregistré.").wait_for()
    page.get_by_label("Limites").fill("Pas assez de bénévoles le mardi ni le jeudi.")
    page.get_by_role("button", name=CHIP).click()
    page.get_by_text("Mot clé « Éducation / scolarité » ajouté").wait_for()
    assert page.get_by_role("checkbox", name="Éducation / scolarité").is_checked()
    assert (
        page.get_by_label("Limites").input_value() == "Pas assez de bénévoles le mardi ni le jeudi."
    )
    assert (
        in_thread(lambda: education_keywords(draft.pk)) == []
    )  # not saved before the click on "Enregistrer"
    context.close()
