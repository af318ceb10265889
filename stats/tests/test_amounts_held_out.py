"""The figures reader on texts it was not written from: 30 synthetic texts in the style of the
SENACS fields "Ressources financières mobilisées" and "Nombre de personnes mobilisées" (written
for issue #22, after the reader, without tuning it on them). Expected values by hand (None: a
careful reader would not state one figure). Run with `-s` to see recall and precision."""

from decimal import Decimal

from django.test import SimpleTestCase

from stats.amounts import read_budget, read_people

HELD_OUT_BUDGETS = [
    ("12000 e", Decimal("12000")),
    ("Budget global : 8 500 E", Decimal("8500")),
    ("CAF 3000 eur, commune 1500 eur, total 4500 eur", Decimal("4500")),
    ("financement CAF (REAAP) 2 300€", Decimal("2300")),
    ("Coût total de l'action : 15.000 euros", Decimal("15000")),
    ("Subvention Ville : 4000 e\nFonds propres : 1000 e\nTotal : 5000 e", Decimal("5000")),
    ("3 500 euros (Conseil départemental)", Decimal("3500")),
    ("Budget prévisionnel 2021 : 27 630 €", Decimal("27630")),
    ("800e de la CAF", Decimal("800")),
    ("Environ 2000 euros selon les années", None),
    ("Entre 500 et 800 € par an", None),
    ("Bénévolat, prêt de salle par la mairie", None),
    ("Le coût s'élève à 6 200 €.", Decimal("6200")),
    ("10 € par famille et par séjour", None),
    ("Fonds propres du centre social : 1 250 E", Decimal("1250")),
]

HELD_OUT_PEOPLE = [
    ("14", 14),
    ("8 bénévoles", 8),
    ("2 animatrices et 12 habitants", 14),
    ("Une vingtaine de jeunes", 20),
    ("Bénévoles : 6\nSalariés : 3", 9),
    ("35 participants en moyenne par séance", 35),
    ("l'équipe du centre social", None),
    ("3 salariés, 10 bénévoles, 40 familles", None),
    ("Au total 120 personnes", 120),
    ("25", 25),
    ("jusqu'à 30 enfants", None),
    ("1 référente famille", 1),
    ("Six parents", 6),
    ("40 personnes (dont 10 enfants de 6 à 11 ans)", None),
    ("5 professionnels et 15 adolescents", 20),
]


def _score(cases, reader):
    given = right = with_figure = 0
    for text, expected in cases:
        found = reader(text)
        value = None if found is None else getattr(found, "total", None) or found.count
        if expected is not None:
            with_figure += 1
        if value is not None:
            given += 1
            if value == expected:
                right += 1
    return right / with_figure, (right / given if given else 1.0)


class HeldOutAmountsTestCase(SimpleTestCase):
    def test_budget_recall_and_precision_on_held_out_texts(self):
        recall, precision = _score(HELD_OUT_BUDGETS, read_budget)
        print(f"\nbudget, held out: recall {recall:.0%}, precision {precision:.0%}")
        self.assertEqual(precision, 1.0)
        self.assertGreaterEqual(recall, 0.9)

    def test_people_recall_and_precision_on_held_out_texts(self):
        recall, precision = _score(HELD_OUT_PEOPLE, read_people)
        print(f"\npeople, held out: recall {recall:.0%}, precision {precision:.0%}")
        self.assertEqual(precision, 1.0)
        self.assertGreaterEqual(recall, 0.9)

    def test_it_reads_euros_written_e_and_a_bare_count(self):
        self.assertEqual(read_budget("12000 e").total, Decimal("12000"))
        self.assertEqual(read_people("14").count, 14)
        # An ordinal is not an amount.
        self.assertIsNone(read_budget("2e édition du festival"))
