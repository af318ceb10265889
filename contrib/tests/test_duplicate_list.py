from datetime import UTC, datetime
from unittest import mock

from catalogue.models import PublicationStatus
from catalogue.signals import sheets_changed
from contrib.tests.helpers import ContribTestCase
from discovery.duplicates import compute_pairs
from essaimage.test import make_sheet, make_structure

STORY = (
    "Chaque trimestre, des bénévoles réparateurs accueillent les habitants pour réparer "
    "ensemble vélos, petits appareils électroménagers, vêtements et ordinateurs, autour d'un "
    "café, afin de lutter contre le gaspillage et de créer du lien entre les générations du "
    "quartier."
)


def written(structure, title: str, **fields):
    """A sheet written as the editing services and the importer do: rows, then sheets_changed
    (which refreshes the stored pairs the list reads)."""
    sheet = make_sheet(structure, title, **fields)
    sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
    return sheet


class DuplicateListTestCase(ContribTestCase):
    url = "/contribuer/doublons/"

    def pairs(self, user) -> list[tuple[str, str, list[str]]]:
        self.client.force_login(user)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        return [(p.first.title, p.second.title, p.reasons) for p in r.context["pairs"]]

    def test_it_finds_the_same_title_within_a_structure(self):
        written(self.adesir, "REPAIR CAFE")
        self.assertIn(
            ("Repair Café", "REPAIR CAFE", ["même titre, même structure"]), self.pairs(self.mona)
        )

    def test_it_finds_a_close_title_within_a_structure(self):
        written(self.adesir, "Repair Cafés")
        [(first, second, reasons)] = self.pairs(self.mona)
        self.assertEqual((first, second), ("Repair Café", "Repair Cafés"))
        self.assertRegex(reasons[0], r"^titre proche \(9\d %\), même structure$")

    def test_it_finds_a_retitled_copy_in_another_structure(self):
        self.sheet.summary = STORY
        self.sheet.save()
        sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk])
        saint_denis = make_structure("Case de Saint-Denis", dep="974")
        written(saint_denis, "Atelier de réparation 2024", summary=STORY, year=2024)
        [(first, second, reasons)] = self.pairs(self.mona)
        self.assertEqual((first, second), ("Repair Café", "Atelier de réparation 2024"))
        self.assertRegex(reasons[0], r"^textes presque identiques \(\d+ %\), autre structure$")

    def test_it_ignores_different_sheets_and_archived_ones(self):
        written(self.adesir, "Jardin partagé", summary=STORY[:80])
        written(self.adesir, "Repair Café", publication_status=PublicationStatus.ARCHIVED)
        self.assertEqual(self.pairs(self.mona), [])
        r = self.client.get(self.url)
        self.assertContains(r, "Aucun doublon probable dans votre territoire.")

    def test_it_stays_in_the_moderators_territory(self):
        written(self.adesir, "Repair Café")
        self.assertEqual(self.pairs(self.nina), [])  # Ille-et-Vilaine
        self.assertEqual(len(self.pairs(self.mona)), 1)

    def test_a_structure_that_changes_departement_takes_its_pairs_along(self):
        written(self.adesir, "Repair Café")
        self.assertEqual(len(self.pairs(self.mona)), 1)
        self.adesir.departement_id = "35"
        self.adesir.save()
        self.assertEqual(self.pairs(self.mona), [])
        self.assertEqual(len(self.pairs(self.nina)), 1)  # Ille-et-Vilaine

    def test_it_links_each_pair_to_its_comparison(self):
        copy = written(self.adesir, "Repair Café")
        self.client.force_login(self.mona)
        r = self.client.get(self.url)
        self.assertContains(r, f"/contribuer/doublons/{self.sheet.pk}-{copy.pk}/")
        self.assertContains(r, "1 paire de fiches")

    def test_it_lists_the_most_probable_pairs_first_up_to_a_limit(self):
        written(self.adesir, "Repair Café")
        written(self.adesir, "Repair Cafés")
        self.client.force_login(self.mona)
        with mock.patch("contrib.views.discovery.LISTED_PAIRS", 2):
            r = self.client.get(self.url)
        self.assertContains(r, "3 paires de fiches")
        self.assertContains(r, "Les 2 plus probables sont listées.")
        self.assertEqual(
            [p.reasons[0] for p in r.context["pairs"]][0], "même titre, même structure"
        )
        self.assertEqual(len(r.context["pairs"]), 2)

    def test_it_is_for_moderators_only(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_says_when_the_list_was_computed(self):
        self.client.force_login(self.mona)
        self.assertContains(self.client.get(self.url), "pas encore été calculée")
        with mock.patch("django.utils.timezone.now") as now:
            now.return_value = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
            compute_pairs()
        # 03:00 in Paris.
        self.assertContains(self.client.get(self.url), "Liste calculée le 2 décembre 2026 à 03:00")

    def test_it_reads_stored_pairs_without_comparing_sheets(self):
        written(self.adesir, "REPAIR CAFE")
        self.client.force_login(self.ada)
        self.client.get(self.url)  # session, user
        with (
            mock.patch("discovery.duplicates.probable_duplicates") as on_the_fly,
            mock.patch("discovery.duplicates._close_titles") as titles,
            mock.patch("discovery.duplicates._normalized") as texts,
            # session, user, the page's pairs, their sheets (no count below the limit), last run
            self.assertNumQueries(5),
        ):
            r = self.client.get(self.url)
        self.assertEqual(len(r.context["pairs"]), 1)
        for computation in (on_the_fly, titles, texts):
            computation.assert_not_called()

    def test_a_region_moderator_sees_the_pairs_of_the_region_only(self):
        written(self.adesir, "REPAIR CAFE")
        written(self.marais, "Repair Café")
        written(self.marais, "Repair Café")
        self.assertEqual(len(self.pairs(self.remi)), 1)  # La Réunion
        self.assertEqual(len(self.pairs(self.nina)), 1)  # Ille-et-Vilaine
        self.assertEqual(len(self.pairs(self.ada)), 2)
