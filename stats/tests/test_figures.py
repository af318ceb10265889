"""Budgets and people are read when a sheet is written (stats.figures), not at page time."""

from decimal import Decimal

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet
from stats.figures import correct_figures, refresh_figures
from stats.models import SheetFigures, SheetFunding


class SheetFiguresTestCase(BaseTestCase):
    def setUp(self):
        self.sheet.financial_resources = "Budget global 2019 : 22 475 €\nCAF : 10 000 €"
        self.sheet.people_mobilized = "une trentaine de bénévoles"
        self.sheet.save()

    def _changed(self):
        sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk])
        return SheetFigures.objects.get(sheet=self.sheet)

    def test_it_reads_the_texts_when_a_sheet_changes(self):
        figures = self._changed()
        self.assertEqual(figures.budget, Decimal("22475"))
        self.assertEqual(figures.budget_source, "Budget global 2019 : 22 475 €")
        self.assertEqual(figures.people, 30)
        self.assertEqual(
            list(SheetFunding.objects.filter(sheet=self.sheet).values_list("kind", "amount")),
            [("Caf", Decimal("10000"))],
        )

    def test_it_reads_again_when_the_text_changes(self):
        self._changed()
        self.sheet.financial_resources = "Le projet a coûté environ 3 000 €"
        self.sheet.save()
        figures = self._changed()
        self.assertIsNone(figures.budget)  # "environ": no reading rather than a wrong one
        self.assertEqual(figures.budget_source, "")
        self.assertFalse(SheetFunding.objects.filter(sheet=self.sheet).exists())

    def test_an_unchanged_text_is_not_read_again(self):
        self._changed()
        self.assertEqual(refresh_figures([self.sheet.pk]), 0)

    def test_the_contributors_values_win_and_survive_a_new_text(self):
        self._changed()
        correct_figures(self.sheet, Decimal("25000"), 12, user=None)
        self.sheet.financial_resources = "1000 €"
        self.sheet.save()
        figures = self._changed()
        self.assertEqual(figures.budget_read, Decimal("1000"))
        self.assertEqual(figures.budget, Decimal("25000"))
        self.assertEqual(figures.people, 12)
        correct_figures(self.sheet, None, None, user=None)
        figures.refresh_from_db()
        self.assertEqual((figures.budget, figures.people), (Decimal("1000"), 30))

    def test_sheets_without_text_get_empty_figures(self):
        other = make_sheet(self.marais, "Sans chiffres")
        sheets_changed.send(sender=None, sheet_ids=[other.pk])
        figures = SheetFigures.objects.get(sheet=other)
        self.assertEqual((figures.budget, figures.people), (None, None))
