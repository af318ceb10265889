"""Browser journey (Playwright driving Debian's chromium): write, attach, submit, return,
publish, and the sheet appears in the public catalogue. Also checks the 360 px layout."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from catalogue.models import ActionSheet, Departement, PublicationStatus, Region
from contrib.tests.helpers import make_user
from essaimage.test import ensure_reference_data, make_structure

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "mot-de-passe-solide-42"

pytestmark = [
    # Skipped only off CI: in CI (env CI set) a missing chromium must fail, not hide the tests.
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it)",
    ),
    # The live server needs committed data.
    pytest.mark.django_db(transaction=True),
]


def in_thread(read):
    """Run ORM code beside Playwright's event loop: in its own thread, connection closed after
    (in the test's own context it would be async-unsafe and leak a connection on PostgreSQL)."""

    def run():
        try:
            return read()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run).result()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def cast(settings, tmp_path):
    ensure_reference_data()  # the flush of an earlier live-server test empties them
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    structure = make_structure("Centre social des Camélias", dep="974")
    make_structure("Centre social du Port", dep="974")
    return {
        "structure": structure,
        "writer": make_user("claire", contributor_of=structure),
        "moderator": make_user("marc", moderator_of=Departement.objects.get(code="974")),
        "region_moderator": make_user("rita", moderator_of=Region.objects.get(code="04")),
    }


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/contribuer/")


def log_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def test_contributor_and_moderator_journey_browser(live_server, cast, browser, tmp_path):
    base = live_server.url
    page = browser.new_page(viewport={"width": 360, "height": 740})

    # Claire writes a sheet on her phone.
    log_in(page, base, "claire@example.org")
    page.get_by_role("link", name="Écrire une nouvelle fiche").click()
    page.get_by_label("Titre de l'action").fill("Café des parents")
    page.get_by_role("button", name="Créer le brouillon").click()
    page.wait_for_url("**/modifier/")
    page.get_by_label("Résumé").fill("Un café chaque mardi pour les parents du quartier.")
    page.get_by_label("Parentalité").check()
    page.get_by_label("En cours").check()
    # Autosave (htmx) answers in the status line.
    page.get_by_text("Brouillon enregistré automatiquement").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Brouillon enregistré.").wait_for()

    # She attaches a PDF.
    pdf = tmp_path / "bilan.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Ajouter un fichier").set_input_files(str(pdf))
    page.get_by_role("button", name="Ajouter le fichier").click()
    page.get_by_text("Fichier « bilan.pdf » ajouté.").wait_for()

    # Submits.
    page.get_by_role("button", name="Envoyer en relecture", exact=True).click()
    page.get_by_text("Fiche envoyée en relecture").wait_for()
    log_out(page)

    # Marc returns it with a comment.
    log_in(page, base, "marc@example.org")
    page.get_by_role("link", name="1 fiche en attente de relecture").click()
    page.get_by_role("link", name="Café des parents").click()
    page.get_by_label("Commentaire pour l'auteur").fill("Précisez le public, s'il vous plaît.")
    page.get_by_role("button", name="Renvoyer à l'auteur").click()
    # He confirms, having read what it does.
    page.get_by_text("Précisez le public, s'il vous plaît.").wait_for()
    page.get_by_role("button", name="Renvoyer à l'auteur").click()
    page.get_by_text("renvoyée à ses auteurs").wait_for()
    log_out(page)

    # Claire sees the comment, completes, resubmits.
    log_in(page, base, "claire@example.org")
    page.get_by_role("link", name="Café des parents").click()
    page.get_by_text("Précisez le public, s'il vous plaît.").wait_for()
    page.get_by_label("familles").check()
    page.get_by_role("button", name="Enregistrer et envoyer en relecture").click()
    page.get_by_text("Fiche enregistrée et envoyée en relecture.").wait_for()
    log_out(page)

    # Marc publishes it.
    log_in(page, base, "marc@example.org")
    page.goto(f"{base}/contribuer/relecture/")
    page.get_by_role("link", name="Café des parents").click()
    page.get_by_role("button", name="Publier").click()
    page.get_by_role("heading", name="Publier « Café des parents » ?").wait_for()
    page.get_by_role("button", name="Publier la fiche").click()
    page.get_by_text("est publiée").wait_for()
    log_out(page)

    def published_files():
        sheet = ActionSheet.objects.get(title="Café des parents")
        return sheet.publication_status, sheet.attachments.filter(removed_at=None).count()

    assert in_thread(published_files) == (PublicationStatus.PUBLISHED, 1)

    # The sheet appears in the public catalogue.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Café des parents").click()
    page.get_by_text("Un café chaque mardi pour les parents du quartier.").wait_for()
    assert "familles" in page.content()
    page.close()


def test_contributor_pages_are_accessible_at_360px_browser(live_server, cast, browser):
    """axe-core finds no serious violation, and nothing scrolls sideways on a 360 px screen."""
    from axe_playwright_python.sync_playwright import Axe

    from contrib import editing

    def submitted_sheet():
        sheet = editing.create_draft(cast["structure"], {"title": "Atelier vélo"}, cast["writer"])
        editing.submit(sheet, cast["writer"])
        return sheet

    sheet = in_thread(submitted_sheet)
    base = live_server.url
    page = browser.new_page(viewport={"width": 360, "height": 740})
    axe = Axe()
    pages = {
        "claire@example.org": [
            "/contribuer/",
            f"/contribuer/fiches/{sheet.pk}/modifier/",
            f"/contribuer/fiches/{sheet.pk}/apercu/",
            f"/contribuer/fiches/{sheet.pk}/historique/",
        ],
        "marc@example.org": [
            "/contribuer/relecture/",
            f"/contribuer/relecture/{sheet.pk}/",
            "/contribuer/vocabulaire/",
        ],
    }
    page.goto(f"{base}/compte/connexion/")
    problems = []
    for path in ["/compte/connexion/"]:
        result = axe.run(page)
        problems += [
            (path, v["id"])
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    for email, paths in pages.items():
        log_in(page, base, email)
        for path in paths:
            page.goto(f"{base}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} is {width} px wide"
            result = axe.run(page)
            problems += [
                (path, v["id"])
                for v in result.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
        log_out(page)
    assert problems == []


@pytest.mark.parametrize("wait_for_autosave", [True, False], ids=["after-autosave", "at-once"])
def test_adding_a_file_keeps_the_typed_text_browser(
    live_server, cast, browser, tmp_path, wait_for_autosave
):
    """Type a summary and a year, add a file: the page comes back with the text and the file
    (issue 22, item 1: the text used to vanish)."""
    from contrib import editing

    sheet = in_thread(
        lambda: editing.create_draft(cast["structure"], {"title": "Atelier vélo"}, cast["writer"])
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/contribuer/fiches/{sheet.pk}/modifier/")
    page.get_by_label("Résumé").fill("Réparer les vélos du quartier, chaque samedi.")
    page.get_by_label("Année").fill("2024")
    if wait_for_autosave:
        page.get_by_text("Brouillon enregistré automatiquement").wait_for()
    pdf = tmp_path / "bilan.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Ajouter un fichier").set_input_files(str(pdf))
    page.get_by_role("button", name="Ajouter le fichier").click()
    page.get_by_text("Fichier « bilan.pdf » ajouté.").wait_for()
    assert page.get_by_label("Résumé").input_value() == (
        "Réparer les vélos du quartier, chaque samedi."
    )
    assert page.get_by_label("Année").input_value() == "2024"
    assert page.get_by_role("link", name="bilan.pdf").count() == 1
    page.close()
