"""Change-log rows can become visible out of id order: two connections each insert a row, the
one holding the higher id commits first (PostgreSQL sequences hand out ids at insert time). A
worker that already applied the higher row must still apply the lower one when it appears."""

from catalogue.models import ActionSheet
from essaimage.test import BaseTestCase, make_sheet
from search.engines import memory
from search.models import IndexChange
from search.query import SheetQuery
from search.service import search_sheets


class ChangeLogOrderTestCase(BaseTestCase):
    def setUp(self):
        self.first = make_sheet(self.adesir, "Atelier couture", year=2020)
        self.second = make_sheet(self.marais, "Jardin partagé", year=2020)
        memory._index = None
        memory.get_index()

    def found(self, year: int) -> list[int]:
        result = search_sheets(SheetQuery(year_min=year, year_max=year), fast=True)
        return sorted(s.pk for s in result.sheets)

    def commit_change(self, sheet: ActionSheet, year: int, row_id: int) -> None:
        """What one connection's transaction makes visible when it commits: the sheet's new
        value and its change-log row, whose id it took when it inserted the row."""
        ActionSheet.objects.filter(pk=sheet.pk).update(year=year)  # no signal: logged below
        IndexChange.objects.create(id=row_id, sheet_id=sheet.pk, stamp=f"{row_id:08x}"[-8:])

    def test_a_lower_row_committed_later_is_still_applied(self):
        base = IndexChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        base += 1_000
        # Connection B took id base + 2 and commits first; the worker follows it.
        self.commit_change(self.second, 2031, base + 2)
        self.assertEqual(self.found(2031), [self.second.pk])
        # Connection A took id base + 1 before B, and commits now.
        self.commit_change(self.first, 2032, base + 1)
        self.assertEqual(self.found(2032), [self.first.pk])
        self.assertEqual(self.found(2020), [])
        # And the memory engine agrees with the database engine.
        for year in (2020, 2031, 2032):
            slow = search_sheets(SheetQuery(year_min=year, year_max=year), fast=False)
            self.assertEqual(sorted(s.pk for s in slow.sheets), self.found(year), year)
