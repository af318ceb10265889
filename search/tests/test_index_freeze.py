"""A national catalogue's in-memory index is frozen out of the cyclic collector's walks
(search.engines.memory.index_for): at 100,000 sheets each full collection paused a search for
~100 ms. A small index is not (a test process keeps collecting what it creates)."""

import gc
from unittest import mock

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search.engines import memory


class FrozenIndexTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        sheet = make_sheet(make_structure("CENTRE SOCIAL DU LAC", dep="35"), "Repair Café")
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])

    def setUp(self):
        gc.unfreeze()
        self.addCleanup(gc.unfreeze)

    def test_a_small_index_stays_with_the_collector(self):
        with mock.patch.object(memory, "_index", None):
            memory.get_index()
        self.assertEqual(gc.get_freeze_count(), 0)

    def test_a_large_index_is_frozen(self):
        with (
            mock.patch.object(memory, "FREEZE_FROM", 1),
            mock.patch.object(memory, "_index", None),
        ):
            memory.get_index()
        self.assertGreater(gc.get_freeze_count(), 0)
