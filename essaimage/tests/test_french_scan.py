"""Every page of the demo, as each role, free of the French slips people noticed: "1 fiches",
"0 fiches", "de Le …", "de Les …", "( x", "x )". Text that comes from the sheets themselves
(imported as written) is not the site's to correct and is left out."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.management import call_command
from django.test import TestCase

from catalogue.models import ActionSheet, Structure
from contrib import editing
from contrib.models import User
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths

PATTERNS = {
    "singulier après 1 ou 0": re.compile(
        r"(?<![\d\u202f\s.,])(?<![\d\u202f.,]\s)\b[01]\s+(?!mois\b|fois\b|pas\b|sans\b|plus\b)"
        r"[a-zéèêàç]+s\b",
        re.IGNORECASE,
    ),
    "de Le / de Les": re.compile(r"\b(de|à) (Le|Les|LE|LES) "),
    "espace après (": re.compile(r"\(\s"),
    "espace avant )": re.compile(r"\s\)"),
}
SKIP = re.compile(
    r"^/(admin/|static/|media/|fichiers/|compte/deconnexion)|\.(csv|xlsx|json|jsonl|pdf|atom)\b"
    r"|/pdf$|/api/v1/(?!docs)|/revoquer/|/brouillon-auto/"
)
MAX_PAGES = 90


class TextParser(HTMLParser):
    """Visible text and the attributes read aloud (aria-label, title, alt, placeholder)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self.hidden += 1
        for name in ("aria-label", "title", "alt", "placeholder"):
            if attrs.get(name):
                self.parts.append(f" {attrs[name]} ")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("p", "li", "dt", "dd", "h1", "h2", "h3", "td", "th", "option", "br", "div"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def data_corpus() -> str:
    """Everything people wrote (sheets, structures, vocabularies), as one normalised text."""
    texts = []
    for sheet in ActionSheet.objects.all():
        texts += [str(getattr(sheet, f.name)) for f in sheet._meta.concrete_fields]
    texts += Structure.objects.values_list("name", flat=True)
    return "\n".join(" ".join(t.split()) for t in texts)


class FrenchScanTestCase(TestCase):
    maxDiff = None

    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        call_command("create_demo_accounts", force=True, stdout=io.StringIO())
        contributor = User.objects.get(email="contributrice@essaimage.local")
        structure = contributor.memberships.first().structure
        draft = editing.create_draft(
            structure, {"title": "Atelier vélo", "summary": "Réparer ensemble."}, contributor
        )
        submitted = editing.create_draft(
            structure, {"title": "Café des parents", "summary": "Un café."}, contributor
        )
        editing.submit(submitted, contributor)
        cls.draft = draft

    def crawl(self) -> dict[str, list[str]]:
        corpus = data_corpus()
        seen, queue, problems = set(), ["/", "/actions/", "/contribuer/", "/api/v1/docs"], {}
        queue += ["/actions/?q=parentalite", "/actions/?q=zzzzqqq", "/statistiques/"]
        # Pages issue #22 added or changed.
        queue += ["/donnees-ouvertes/", "/compte/connexion/"]
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = self.client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            parser = TextParser()
            parser.feed(response.content.decode())
            text = parser.text
            for name, pattern in PATTERNS.items():
                for m in pattern.finditer(text):
                    # Written by people, shown as written: not the site's slip.
                    before = text[max(0, m.start() - 15) : m.end()]
                    after = text[m.start() : m.end() + 15]
                    if before in corpus or after in corpus:
                        continue
                    context = text[max(0, m.start() - 30) : m.end() + 30]
                    problems.setdefault(url, []).append(f"{name} : « {context} »")
            for href in parser.links:
                target = urljoin(url, href)
                parts = urlsplit(target)
                if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                    continue
                # One address per path and the first few query strings: shapes, not every page.
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if local not in seen and (not parts.query or len(seen) < MAX_PAGES // 2):
                    queue.append(local)
        self.assertGreater(len(seen), 20)
        self.assertIn("/donnees-ouvertes/", seen)
        return problems

    def test_every_page_reads_right_for_each_role(self):
        roles = [
            None,
            "visiteur@essaimage.local",
            "contributrice@essaimage.local",
            "moderateur@essaimage.local",
            "moderatrice.region@essaimage.local",
            "admin@essaimage.local",
        ]
        for email in roles:
            with self.subTest(role=email or "visiteur anonyme"):
                self.client.logout()
                if email:
                    self.client.force_login(User.objects.get(email=email))
                problems = self.crawl()
                self.assertEqual(problems, {})
