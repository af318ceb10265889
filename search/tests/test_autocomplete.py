"""Suggestions under the search boxes (search.autocomplete)."""

from unittest import mock

from catalogue.models import Keyword, PublicationStatus, Structure
from catalogue.signals import sheets_changed
from essaimage.test import make_sheet, make_structure
from search import autocomplete
from search.autocomplete import LIMIT, suggest
from search.query import SheetQuery
from search.tests.base import SearchTestCase


def labels(result, kind=None):
    return [s.label for g in result.groups for s in g.suggestions if kind is None or g.kind == kind]


def indexed(*sheets):
    """Sheets written as the importer and the editing services write them (indexed)."""
    sheets_changed.send(sender=None, sheet_ids=[s.pk for s in sheets])
    return sheets


def urls(result, kind):
    return [s.url for g in result.groups if g.kind == kind for s in g.suggestions]


class SuggestTestCase(SearchTestCase):
    def setUp(self):
        # Each test rolls back to the same generation token: no labels from the one before.
        autocomplete.clear_cache()

    def test_it_folds_case_and_accents_and_matches_any_word(self):
        for typed in ("paren", "PARENT", "parént", "Parentalité"):
            with self.subTest(typed=typed):
                result = suggest(typed)
                self.assertIn("Parentalité", labels(result, "keyword"))
                self.assertIn("Soutenir la parentalité", labels(result, "sheet"))
        # A word inside the label, not only its first one.
        self.assertIn("CENTRE SOCIAL JOLIBOIS", labels(suggest("jolib"), "structure"))
        self.assertIn("CHALET DES ÉCHANGES", labels(suggest("echan"), "structure"))
        # Every typed word must begin a word of the label, in any order.
        self.assertIn("CENTRE SOCIAL JOLIBOIS", labels(suggest("jolibois cent"), "structure"))
        self.assertEqual(labels(suggest("jolibois marais"), "structure"), [])

    def test_it_groups_in_a_fixed_order_with_links(self):
        result = suggest("paren")
        kinds = [g.kind for g in result.groups]
        self.assertEqual(kinds, ["keyword", "sheet"])
        self.assertEqual([g.label for g in result.groups], ["Mots clés", "Fiches actions"])
        self.assertEqual(urls(result, "keyword"), ["/actions/?keywords=parentalite"])
        self.assertIn(self.parentalite.get_absolute_url(), urls(result, "sheet"))
        self.assertEqual(result.announcement, f"{result.count} suggestions")

    def test_structures_communes_and_departements_lead_to_their_pages(self):
        self.assertEqual(urls(suggest("jolibois"), "structure"), [self.nancy.get_absolute_url()])
        # A commune with one structure: that structure's page.
        result = suggest("loir")
        self.assertEqual(labels(result, "commune"), ["Loiron"])
        self.assertEqual(urls(result, "commune"), [self.loiron.get_absolute_url()])
        # A département by name or by code.
        self.assertEqual(labels(suggest("mayen"), "departement"), ["Mayenne (53)"])
        self.assertEqual(urls(suggest("53"), "departement"), ["/departements/53/"])
        self.assertEqual(labels(suggest("meurthe mos"), "departement"), ["Meurthe-et-Moselle (54)"])

    def test_a_commune_of_several_structures_filters_the_catalogue_on_them(self):
        other = make_structure("ESPACE FAMILLES", dep="53", commune="LOIRON")
        indexed(make_sheet(other, "Ludothèque itinérante"))
        result = suggest("loiron")
        self.assertEqual(labels(result, "commune"), ["Loiron"])
        self.assertEqual(
            urls(result, "commune"), [f"/actions/?structure={self.loiron.pk}&structure={other.pk}"]
        )
        self.assertEqual(result.groups[0].suggestions[0].detail, "Mayenne (53), 2 structures")

    def test_a_keyword_adds_its_filter_to_the_current_query_without_the_text(self):
        query = SheetQuery(q="paren", departement=("53",), keywords=("famille",))
        self.assertEqual(
            urls(suggest("paren", query), "keyword"),
            ["/actions/?departement=53&keywords=famille&keywords=parentalite"],
        )

    def test_only_published_sheets_and_what_they_use(self):
        # The draft "Brouillon parentalité numérique" is no title suggestion.
        self.assertNotIn("Brouillon parentalité numérique", labels(suggest("brouil")))
        self.assertEqual(labels(suggest("brouillon")), [])
        # A structure, a commune and a keyword used by drafts only are not suggested.
        hidden = make_structure("MAISON CACHEE", dep="29", commune="Quimperlé")
        indexed(
            make_sheet(
                hidden,
                "Projet secret",
                keywords=["Logement"],
                publication_status=PublicationStatus.DRAFT,
            )
        )
        self.assertTrue(Keyword.objects.filter(label="Logement").exists())
        for typed in ("cachee", "quimper", "finist", "secret", "logem"):
            with self.subTest(typed=typed):
                self.assertEqual(suggest(typed).count, 0)
        # Once published, they are (the labels follow the index's changes).
        sheet = hidden.sheets.get()
        sheet.publication_status = PublicationStatus.PUBLISHED
        sheet.save()
        indexed(sheet)
        with mock.patch.object(autocomplete, "LABELS_MAX_AGE", 30):
            # Within LABELS_MAX_AGE, a published sheet moves the labels later; its title at once.
            self.assertEqual(labels(suggest("cachee"), "structure"), [])
            self.assertEqual(labels(suggest("secret"), "sheet"), ["Projet secret"])
        with mock.patch.object(autocomplete, "LABELS_MAX_AGE", 0):
            self.assertEqual(labels(suggest("cachee"), "structure"), ["MAISON CACHEE"])
        self.assertEqual(labels(suggest("cachee"), "structure"), ["MAISON CACHEE"])
        self.assertEqual(labels(suggest("quimper"), "commune"), ["Quimperlé"])
        self.assertEqual(labels(suggest("finist"), "departement"), ["Finistère (29)"])
        self.assertEqual(labels(suggest("secret"), "sheet"), ["Projet secret"])
        self.assertEqual(labels(suggest("logem"), "keyword"), ["Logement"])
        # A renamed structure is suggested under its new name at once (a new generation).
        structure = Structure.objects.get(pk=hidden.pk)
        structure.name = "MAISON OUVERTE"
        structure.save()
        self.assertEqual(labels(suggest("cachee"), "structure"), [])
        self.assertEqual(labels(suggest("ouverte"), "structure"), ["MAISON OUVERTE"])

    def test_it_needs_two_letters_and_keeps_to_the_limit(self):
        self.assertEqual(suggest("p").count, 0)
        self.assertEqual(suggest(" - ").count, 0)
        self.assertEqual(suggest("").announcement, "Aucune suggestion")
        indexed(
            *(
                make_sheet(self.marais, f"Parcours numérique {i}", keywords=["Parentalité"])
                for i in range(12)
            )
        )
        make_structure("PARC DES ENFANTS", dep="35")
        for i in range(6):
            indexed(make_sheet(make_structure(f"PARI SOLIDAIRE {i}", dep="44"), f"Atelier {i}"))
        result = suggest("par")
        self.assertEqual(result.count, LIMIT)
        # The groups share the limit: a large group does not hide the others.
        self.assertEqual(
            [(g.kind, len(g.suggestions)) for g in result.groups],
            [("keyword", 1), ("structure", 4), ("sheet", 3)],
        )
        # A structure without published sheets is not suggested.
        self.assertNotIn("PARC DES ENFANTS", labels(result))
        # A group alone fills the limit.
        alone = suggest("parcours")
        self.assertEqual([(g.kind, len(g.suggestions)) for g in alone.groups], [("sheet", LIMIT)])
        one = suggest("par", limit=1)
        self.assertEqual(labels(one), ["Parentalité"])
        self.assertEqual(one.announcement, "1 suggestion")

    def test_titles_begin_with_the_typed_words_first_and_tolerate_stemming(self):
        indexed(make_sheet(self.marais, "Les ateliers sociaux du quartier"))
        self.assertEqual(labels(suggest("sociaux"), "sheet"), ["Les ateliers sociaux du quartier"])
        self.assertEqual(labels(suggest("social"), "sheet"), ["Les ateliers sociaux du quartier"])
        indexed(make_sheet(self.marais, "Numérique pour tous"))
        titles = labels(suggest("numeri"), "sheet")
        self.assertEqual(titles[0], "Numérique pour tous")
        self.assertIn("SERVICE COLLECTIF NUMERIQUE", titles)
        self.assertEqual(labels(suggest("aide aux dev"), "sheet"), [])
