from datetime import datetime

from django.utils import timezone

from catalogue.models import PublicationStatus
from catalogue.signals import sheets_changed
from discovery.models import SimilarSheet
from essaimage.test import make_sheet, make_structure
from search.tests.base import SearchTestCase


class SheetDetailTestCase(SearchTestCase):
    def setUp(self):
        self.url = self.parentalite.get_absolute_url()

    def test_it_shows_the_sheet_with_senacs_labels(self):
        r = self.client.get(self.url)
        self.assertContains(r, "<h1>Soutenir la parentalité</h1>", html=True)
        for label in (
            "Structure organisatrice",
            "Statut de l'action",
            "Dimension",
            "Mots clés associés à l'action",
            "Résumé",
            "Qui est à l'initiative de l'action ?",
            "Territoire concerné",
            "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
            "Public",
            "Partenaires d'action",
            "Partenaires financiers",
        ):
            self.assertContains(r, f"<dt>{label}</dt>")

    def test_it_hides_empty_fields_and_sections(self):
        r = self.client.get(self.url)
        self.assertNotContains(r, "Résultat pour les habitants")
        self.assertNotContains(r, "Suite de l'action")
        self.assertNotContains(r, "Raisons pour lesquelles")

    def test_it_links_vocabularies_to_the_filtered_catalogue(self):
        r = self.client.get(self.url)
        self.assertContains(
            r, '<a href="/actions/?keywords=parentalite">Parentalité</a>', html=True
        )
        self.assertContains(r, '<a href="/actions/?action_partners=caf">Caf</a>', html=True)
        self.assertContains(r, '<a href="/actions/?publics=familles">Familles</a>', html=True)
        self.assertContains(r, self.loiron.get_absolute_url())
        self.assertContains(r, "/departements/53/")

    def test_it_lists_other_sheets_of_the_structure(self):
        other = make_sheet(self.loiron, "Ludothèque itinérante")
        make_sheet(self.loiron, "Projet en brouillon", publication_status=PublicationStatus.DRAFT)
        r = self.client.get(self.url)
        self.assertContains(r, "Autres actions de CHALET DES ÉCHANGES")  # no article to contract
        self.assertContains(r, other.get_absolute_url())
        self.assertNotContains(r, "Projet en brouillon")

    def test_it_uses_a_fixed_number_of_queries(self):
        # sheet + 6 prefetches + other sheets + their count + the figures read from its text
        # + its similar sheets + the territory's relay (the structure gave no e-mail)
        with self.assertNumQueries(12):
            self.client.get(self.url)

    def test_it_shows_similar_sheets_of_other_structures_with_reasons(self):
        trait = make_structure("Le Trait d'Union", dep="68")
        similar = make_sheet(trait, "Café <b>parents</b>", keywords=["Parentalité"])
        make_sheet(self.loiron, "Même structure", keywords=["Parentalité"])
        sheets_changed.send(sender=None, sheet_ids=[similar.pk, self.parentalite.pk])
        r = self.client.get(self.url)
        self.assertContains(r, '<h2 id="similar-title">Actions similaires</h2>', html=True)
        self.assertContains(r, f'href="{similar.get_absolute_url()}"')
        self.assertContains(r, "Café &lt;b&gt;parents&lt;/b&gt;")
        self.assertContains(r, "mot clé commun : Parentalité")
        self.assertNotContains(r, "Même structure</a> · ")

    def test_it_hides_the_similar_section_when_there_is_none(self):
        SimilarSheet.objects.filter(sheet=self.parentalite).delete()
        r = self.client.get(self.url)
        self.assertNotContains(r, "Actions similaires")

    def test_it_has_a_print_stylesheet(self):
        r = self.client.get(self.url)
        self.assertContains(r, 'href="/static/css/print.css" media="print"')

    def test_it_escapes_user_text(self):
        r = self.client.get(self.cafe.get_absolute_url())
        self.assertNotContains(r, "<script>alert(1)</script>")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_it_redirects_to_the_canonical_slug(self):
        r = self.client.get(f"/actions/{self.parentalite.pk}-autre-chose/")
        self.assertRedirects(r, self.url, status_code=301)

    def test_it_hides_drafts(self):
        r = self.client.get(self.draft.get_absolute_url())
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, "Page introuvable", status_code=404)

    def test_it_names_the_structure_with_the_right_article(self):
        trait = make_structure("Le Trait d'Union", dep="68")
        first = make_sheet(trait, "Atelier couture")
        make_sheet(trait, "Repas partagé")
        r = self.client.get(first.get_absolute_url())
        self.assertContains(r, "Autres actions du Trait d&#x27;Union")
        self.assertNotContains(r, "de Le ")

    def test_its_facts_give_the_dates_and_the_way_to_contact(self):
        published = timezone.make_aware(datetime(2025, 3, 14, 10, 0))
        sheet = make_sheet(self.loiron, "Jardin partagé", published_at=published)
        r = self.client.get(sheet.get_absolute_url())
        self.assertContains(r, "<dt>Publiée le</dt><dd>14 mars 2025</dd>", html=True)
        self.assertContains(r, "<dt>Dernière mise à jour</dt>", html=True)
        self.assertContains(r, "Contacter la structure")
        imported = make_sheet(
            self.loiron, "Fiche reprise", source="senacs", published_at=published, year=2019
        )
        r = self.client.get(imported.get_absolute_url())
        self.assertContains(
            r, "<dt>Origine</dt><dd>Fiche reprise de SENACS (année 2019)</dd>", html=True
        )
        self.assertNotContains(r, "14 mars 2025")
        self.assertNotContains(r, "Publiée le")
        self.assertNotContains(r, "Dernière mise à jour")  # the import's day, not news
