"""The stored probable duplicates (discovery.duplicates): the full computation gives what the
on-the-fly rules give, the incremental update follows sheets_changed to the same pairs, and a
merge empties its pair."""

import random
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, override_settings
from django_tasks_db.models import DBTaskResult

from catalogue.models import ActionSheet, PublicationStatus
from catalogue.signals import sheets_changed
from contrib import moderation
from contrib.tests.helpers import ContribTestCase, make_draft
from discovery.duplicates import compute_pairs, probable_duplicates
from discovery.models import DuplicateComputation, ProbableDuplicate
from discovery.similarity import compute_all
from essaimage.test import SAMPLE_PATH, make_sheet, make_structure
from ingest.importer import import_bytes, import_paths
from ingest.tests.test_import_duplicates import SAMPLE, TWO_YEARS, retitled_second_copy
from public.tests.test_export_jobs import run_worker

WORDS = [
    "atelier",
    "parents",
    "enfants",
    "jardin",
    "repas",
    "quartier",
    "réparation",
    "vélo",
    "café",
    "lecture",
    "musique",
    "théâtre",
    "numérique",
    "emploi",
    "santé",
    "sport",
    "seniors",
    "jeunes",
    "famille",
    "solidarité",
    "cuisine",
    "couture",
    "bricolage",
    "sortie",
    "vacances",
    "danse",
    "chant",
    "conte",
    "jeu",
    "débat",
    "écriture",
    "photo",
    "vidéo",
]
TITLES = ("Repair Café", "Café des parents", "Jardin partagé", "Atelier vélo", "Ludothèque")


def stored() -> dict:
    return {
        (p.first_id, p.second_id): (round(p.score, 4), p.reasons)
        for p in ProbableDuplicate.objects.all()
    }


def on_the_fly() -> dict:
    return {
        (p.first.pk, p.second.pk): (round(p.score, 4), p.reasons)
        for p in probable_duplicates(ActionSheet.objects.all())
    }


class RandomBase:
    """Sheets of a few structures from a small vocabulary: close titles, copied texts with a
    few words changed, short texts, drafts and archived sheets."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.structures = [make_structure(f"Centre {n}", dep="35") for n in range(4)]
        self.texts = [self.text(30) for _ in range(6)]

    def text(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def variant(self, text: str) -> str:
        words = text.split()
        for _ in range(self.rng.randint(0, 4)):
            words[self.rng.randrange(len(words))] = self.rng.choice(WORDS)
        return " ".join(words)

    def fields(self) -> dict:
        rng = self.rng
        title = rng.choice(TITLES) + rng.choice(("", "", "s", " 2024", " du quartier"))
        if rng.random() < 0.3:
            title = title.upper()
        return {
            "title": title,
            "summary": self.variant(rng.choice(self.texts)) if rng.random() < 0.8 else "",
            "description": self.text(rng.choice((0, 5, 25))),
            "publication_status": rng.choice(
                [PublicationStatus.PUBLISHED] * 3
                + [PublicationStatus.DRAFT, PublicationStatus.ARCHIVED]
            ),
        }

    def sheet(self) -> ActionSheet:
        fields = self.fields()
        return make_sheet(self.rng.choice(self.structures), fields.pop("title"), **fields)


class FullComputationTestCase(TestCase):
    def test_it_stores_the_pairs_the_rules_give_on_a_random_base(self):
        base = RandomBase(seed=14)
        for _ in range(60):
            base.sheet()
        compute_all()  # profiles of the published sheets, as compute_similar stores them
        self.assertEqual(
            compute_pairs(),
            (
                ActionSheet.objects.exclude(publication_status=PublicationStatus.ARCHIVED).count(),
                len(on_the_fly()),
            ),
        )
        expected = on_the_fly()
        self.assertGreater(len(expected), 10)
        self.assertTrue(any("autre structure" in r for _, rs in expected.values() for r in rs))
        self.assertEqual(stored(), expected)
        run = DuplicateComputation.objects.get()
        self.assertEqual(run.pairs, len(expected))

    def test_blocks_and_bound_do_not_change_the_pairs(self):
        base = RandomBase(seed=7)
        for _ in range(60):
            base.sheet()
        compute_all()
        # Few dense terms (a loose bound), blocks of 16 rows, survivors checked 7 at a time.
        with (
            mock.patch("discovery.duplicates.HEAVY_TERMS", 3),
            mock.patch("discovery.duplicates.BLOCK_CELLS", 1),
            mock.patch("discovery.duplicates.CHECK_PAIRS", 7),
        ):
            compute_pairs()
        self.assertEqual(stored(), on_the_fly())
        self.assertGreater(len(stored()), 10)

    def test_compute_similar_and_compute_duplicates_store_them(self):
        structure = make_structure("Centre social", dep="35")
        make_sheet(structure, "Repair Café")
        make_sheet(structure, "REPAIR CAFE", publication_status=PublicationStatus.DRAFT)
        out = StringIO()
        call_command("compute_similar", stdout=out)
        self.assertIn("1 paire de doublons probables", out.getvalue())
        self.assertEqual(len(stored()), 1)
        ProbableDuplicate.objects.all().delete()
        out = StringIO()
        call_command("compute_duplicates", stdout=out)
        self.assertIn("2 fiches comparées, 1 paire de doublons probables", out.getvalue())
        self.assertEqual(len(stored()), 1)


class IncrementalUpdateTestCase(TestCase):
    def test_it_reaches_the_full_computation_after_random_edits(self):
        base = RandomBase(seed=3)
        sheets = [base.sheet() for _ in range(40)]
        compute_all()
        compute_pairs()
        rng = base.rng
        for _ in range(25):
            action = rng.random()
            if action < 0.2:
                changed = [base.sheet()]
            elif action < 0.3:
                victim = sheets.pop(rng.randrange(len(sheets)))
                changed = [victim.pk]
                victim.delete()
            else:
                changed = rng.sample(sheets, rng.choice((1, 1, 2)))
                for sheet in changed:
                    for name, value in base.fields().items():
                        if rng.random() < 0.5:
                            setattr(sheet, name, value)
                    sheet.save()
            ids = [getattr(s, "pk", s) for s in changed]
            sheets_changed.send(sender=None, sheet_ids=ids)
        incremental = stored()
        compute_pairs()
        self.assertEqual(incremental, stored())
        self.assertEqual(incremental, on_the_fly())

    def test_an_import_batch_refreshes_its_pairs_within_structures(self):
        # The sample is larger than SIMILAR_SYNC_MAX: its batch takes the cheap path.
        import_bytes((TWO_YEARS + SAMPLE.split("\n", 1)[1]).encode(), name="annees.txt")
        first, second = ActionSheet.objects.filter(title="Repair Café").order_by("year")
        self.assertEqual(
            stored(),
            {
                (first.pk, second.pk): (
                    100.0,
                    [
                        "même titre, même structure",
                        "textes presque identiques (100 %), même structure",
                    ],
                )
            },
        )

    def test_a_retitled_imported_copy_is_stored(self):
        import_bytes(retitled_second_copy().encode(), name="renommee.txt")
        [(pair, (_, reasons))] = stored().items()
        titles = set(ActionSheet.objects.filter(pk__in=pair).values_list("title", flat=True))
        self.assertEqual(titles, {"Repair Café", "Atelier de réparation du quartier"})
        self.assertRegex(reasons[0], r"^textes presque identiques \(\d+ %\), même structure$")
        compute_pairs()
        self.assertEqual(list(stored()), [pair])

    def test_the_merged_sample_has_no_pair(self):
        import_paths([SAMPLE_PATH])
        compute_pairs()
        self.assertEqual(stored(), {})


class InBackgroundTestCase(ContribTestCase):
    def test_the_worker_refreshes_the_pairs_of_a_saved_draft(self):
        draft = make_draft(self.adesir, "Repair Cafés", self.alice)  # sends sheets_changed
        self.assertEqual(stored(), {})
        self.assertTrue(
            DBTaskResult.objects.filter(task_path="discovery.tasks.update_duplicates").exists()
        )
        run_worker()
        [(pair, (_, [reason]))] = stored().items()
        self.assertEqual(pair, (self.sheet.pk, draft.pk))
        self.assertRegex(reason, r"^titre proche \(9\d %\), même structure$")

    def test_a_merge_empties_its_pair_before_the_worker_runs(self):
        copy = make_sheet(self.adesir, "REPAIR CAFE")
        sheets_changed.send(sender=None, sheet_ids=[copy.pk])
        run_worker()
        self.assertEqual(list(stored()), [(self.sheet.pk, copy.pk)])
        moderation.merge(copy, self.sheet, self.mona)
        self.assertEqual(stored(), {})

    def setUp(self):
        background = override_settings(SIMILAR_IN_BACKGROUND=True)
        background.enable()
        self.addCleanup(background.disable)


class MergeTestCase(ContribTestCase):
    def test_a_merge_removes_the_pair_from_the_list(self):
        copy = make_sheet(self.adesir, "REPAIR CAFE")
        sheets_changed.send(sender=None, sheet_ids=[copy.pk])
        self.assertEqual(list(stored()), [(self.sheet.pk, copy.pk)])
        self.client.force_login(self.mona)
        self.assertEqual(len(self.client.get("/contribuer/doublons/").context["pairs"]), 1)
        moderation.merge(copy, self.sheet, self.mona)
        self.assertEqual(stored(), {})
        self.assertEqual(self.client.get("/contribuer/doublons/").context["pairs"], [])
