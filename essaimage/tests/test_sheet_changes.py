"""One pipeline follows a change of sheets (essaimage.sheet_changes): every step, in its order,
whatever the order of INSTALLED_APPS, and a batch's duplicates read the profiles the similar
step saved before them."""

from unittest import mock

from django.test import override_settings

from catalogue.signals import sheets_changed
from discovery.models import ProbableDuplicate, SimilarityProfile
from essaimage import sheet_changes
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search.models import IndexChange, SearchDocument
from stats.models import SheetFigures


class SheetChangesTestCase(BaseTestCase):
    def test_one_receiver_runs_every_step_in_order(self):
        receivers = [r for r in sheets_changed._live_receivers(None)[0]]
        self.assertEqual(receivers, [sheet_changes.follow])
        called = []
        steps = tuple(
            sheet_changes.Step(
                s.name,
                (lambda run, name: lambda ids, **kw: called.append(name))(s.run, s.name),
                s.where,
            )
            for s in sheet_changes.STEPS
        )
        with mock.patch.object(sheet_changes, "STEPS", steps):
            sheets_changed.send(sender=None, sheet_ids=[1])
        self.assertEqual(
            called,
            [
                "search index",
                "change log of the memory indexes",
                "similar actions",
                "probable duplicates",
                "observatory figures",
            ],
        )

    @override_settings(SIMILAR_SYNC_MAX=1)
    def test_a_batch_is_indexed_profiled_paired_and_counted(self):
        structure = make_structure("CENTRE SOCIAL DU PORT", dep="29")
        text = "Jardin partagé au pied des immeubles avec les habitants du quartier."
        sheets = [make_sheet(structure, f"Jardin partagé {n}", summary=text) for n in (1, 2)]
        ids = [s.pk for s in sheets]
        sheets_changed.send(sender=None, sheet_ids=ids)
        self.assertEqual(SearchDocument.objects.filter(pk__in=ids).count(), 2)
        self.assertTrue(IndexChange.objects.filter(sheet_id__in=ids).exists())
        self.assertEqual(SimilarityProfile.objects.filter(sheet_id__in=ids).count(), 2)
        # Two sheets of one structure with the same text: a probable duplicate pair, found from
        # the profiles the similar step saved first.
        self.assertTrue(ProbableDuplicate.objects.filter(first_id=min(ids), second_id=max(ids)))
        self.assertEqual(SheetFigures.objects.filter(sheet_id__in=ids).count(), 2)
