"""The budget and people readers, judged on real phrases of data/senacs_sample.txt and on tricky
cases. Expected values were written by hand by reading each text (None: a careful reader would
not state one figure). Precision = right readings / readings given; coverage = right readings /
texts that have a figure. Run with `-s` to see the figures printed."""

from decimal import Decimal

from django.test import SimpleTestCase

from essaimage.test import SAMPLE_PATH
from ingest.senacs import parse
from stats.amounts import parse_number, read_budget, read_people

# Title of a sample sheet -> the total budget a reader states from "Ressources financières".
SAMPLE_BUDGETS = {
    "Repair Café": Decimal("1000"),
    "Challenge Mix Cité": Decimal("2197"),
    '"Changer d\'air" week-end en gite': Decimal("2640.20"),
    "CLAS Primaire": Decimal("6500"),
    "Fête du jeu": Decimal("750"),  # three expense lines, no total written
    "Soutenir la parentalité": Decimal("19160"),
    "Accès aux droits et lutte contre la fracture numérique": Decimal("5000"),
    "Chantiers Ville Vie Vacances": Decimal("22475"),
    "FAITES ENSEMBLE": Decimal("20361"),  # budget table: realised total (planned 22 056)
    "THEATRE FORUM": Decimal("1200"),
    "Réseau d'écoute, d'appui et d'accompagnement à la parentalité": Decimal("500"),
    "Alimentation du jeune enfant": Decimal("9300"),
    "le Café des parents": None,  # "en moyenne 500 € par saison": a rate, not a budget
}

# Title -> number of people a reader states from "Nombre de personnes mobilisés".
SAMPLE_PEOPLE = {
    "LIVRET D'ACCUEIL": 10,  # five named one by one, three residents, two team members
    "Repair Café": 15,
    "Challenge Mix Cité": 17,
    '"Changer d\'air" week-end en gite': None,  # "6 familles" + 2 animateurs: households
    "CLAS Primaire": 19,  # 15 pupils, two employees, two volunteers
    "Fête du jeu": 48,  # "un total de 43 personnes + 5 membres de l'équipe"
    "Soutenir la parentalité": 44,  # 2 + 22 + une dizaine + 9 + 1
    "Accès aux droits et lutte contre la fracture numérique": 428,
    "Chantiers Ville Vie Vacances": 4,  # the partners listed are organisations
    "FAITES ENSEMBLE": 320,  # 300 participants and "une petite vingtaine"
    "THEATRE FORUM": 10,  # the named staff are not counted by the text
    "Café des parents": 15,
    "Réseau d'écoute, d'appui et d'accompagnement à la parentalité": 1,
    "Actions Intergénérationnelles": 1,
    "Bénévolat d'insertion": 1,
    "Alimentation du jeune enfant": 2,
    "Pépinière d'Initiatives Jeunesse - PIJ25": 1,
    "le Café des parents": 8,
    "Accueil convivial de tous publics clients": 12,
}

# Tricky cases: separators, decimals, k€, ranges, percentages, years, phones, postcodes, dates.
TRICKY_BUDGETS = {
    "22\u00a0475 €": Decimal("22475"),
    "22\u202f475 €": Decimal("22475"),
    "1.500 €": Decimal("1500"),
    "2640,20 €": Decimal("2640.20"),
    "1 117,50 euros": Decimal("1117.50"),
    "5k€": Decimal("5000"),
    "1,5 k€": Decimal("1500"),
    "6 500 € dont 3 000 € de la CAF": Decimal("6500"),
    "CAF : 3 000 €, Ville : 2 000 €": Decimal("5000"),
    "Budget prévisionnel : 12 000 € (CAF 5 000 €, Commune 4 000 €, autofinancement 3 000 €)": (
        Decimal("12000")
    ),
    "Coût total : 4 300\nCAF : 2 000\nCommune : 2 300": Decimal("4300"),
    "Total général des charges\n22056\n20361": None,  # planned and realised: which one?
    "Budget : 5 000 €\nTotal : 6 000 €": None,  # two different totals
    "entre 3000 et 5000 €": None,
    "de 3 000 à 5 000 €": None,
    "environ 4 000 €": None,
    "300 € par mois": None,
    "50 % CAF, 50 % commune": None,
    "Budget 2019": None,
    "Tél : 03 81 22 33 44": None,
    "25000 Besançon": None,
    "Action lancée le 12/05/2019": None,
    "Financement CAF et commune": None,
    "": None,
}

TRICKY_PEOPLE = {
    "une trentaine de bénévoles": 30,
    "15 parents en moyenne": 15,
    "12 jeunes de 15 à 18 ans": 12,
    "En 2019, 35 habitants ont participé": 35,
    "3 animateurs, 2 bénévoles et 20 enfants": 25,
    "Salariés : 2\nBénévoles : 72\nHabitants : 237": 311,
    "Bénévoles : 5\nFamilles : 8": None,
    "environ 40 personnes": None,
    "entre 10 et 15 jeunes": None,
    "Tél. 03 81 22 33 44, 12 bénévoles": None,
    "20 % de bénévoles": None,
    "jusqu'à 30 enfants": None,
    "6 familles": None,
    "Une animatrice et un bénévole, 10 parents": None,
    "": None,
}


def _sample_sheets() -> dict:
    sheets = {}
    for sheet in parse(SAMPLE_PATH.read_text(encoding="utf-8")).sheets:
        sheets.setdefault(sheet.title, sheet)
    return sheets


def _score(cases: list[tuple[object, object]]) -> tuple[int, int, int, list]:
    """(readings given, right readings, texts with a figure, wrong readings)."""
    given = right = with_figure = 0
    wrong = []
    for expected, got in cases:
        if expected is not None:
            with_figure += 1
        if got is not None:
            given += 1
            if got == expected:
                right += 1
            else:
                wrong.append((expected, got))
    return given, right, with_figure, wrong


def _report(name: str, cases) -> tuple[int, int, int, list]:
    given, right, with_figure, wrong = _score(cases)
    print(
        f"\n{name}: {given} readings, precision {right}/{given} = {right / max(given, 1):.0%}, "
        f"coverage {right}/{with_figure} = {right / max(with_figure, 1):.0%}"
    )
    return given, right, with_figure, wrong


class AmountReaderTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sample = _sample_sheets()

    def _budget_cases(self):
        cases = [
            (expected, getattr(read_budget(self.sample[t].financial_resources), "total", None))
            for t, expected in SAMPLE_BUDGETS.items()
        ]
        cases += [
            (expected, getattr(read_budget(text), "total", None))
            for text, expected in TRICKY_BUDGETS.items()
        ]
        return cases

    def _people_cases(self):
        cases = [
            (expected, getattr(read_people(self.sample[t].people_mobilized), "count", None))
            for t, expected in SAMPLE_PEOPLE.items()
        ]
        cases += [
            (expected, getattr(read_people(text), "count", None))
            for text, expected in TRICKY_PEOPLE.items()
        ]
        return cases

    def test_the_judged_phrases_are_real(self):
        # every sample sheet with a text in either field is judged
        for title, sheet in self.sample.items():
            if sheet.financial_resources.strip():
                self.assertIn(title, SAMPLE_BUDGETS, title)
            if sheet.people_mobilized.strip():
                self.assertIn(title, SAMPLE_PEOPLE, title)

    def test_no_budget_is_read_wrong(self):
        cases = self._budget_cases()
        _report("Budgets, sample", cases[: len(SAMPLE_BUDGETS)])
        given, right, with_figure, wrong = _report("Budgets, all", cases)
        self.assertEqual(wrong, [])
        self.assertGreaterEqual(right / with_figure, 0.9)

    def test_no_number_of_people_is_read_wrong(self):
        cases = self._people_cases()
        _report("People, sample", cases[: len(SAMPLE_PEOPLE)])
        given, right, with_figure, wrong = _report("People, all", cases)
        self.assertEqual(wrong, [])
        self.assertGreaterEqual(right / with_figure, 0.6)

    def test_it_reads_amounts_by_funder(self):
        budget = read_budget(self.sample['"Changer d\'air" week-end en gite'].financial_resources)
        by_kind = {}
        for funding in budget.funders:
            by_kind[funding.kind] = by_kind.get(funding.kind, 0) + funding.amount
        self.assertEqual(by_kind, {"Usagers": Decimal("1117.50"), "Commune": Decimal("1523.50")})
        budget = read_budget("6 500 € dont 3 000 € de la CAF")
        self.assertEqual([(f.kind, f.amount) for f in budget.funders], [("Caf", Decimal("3000"))])

    def test_it_says_where_the_budget_comes_from(self):
        budget = read_budget(self.sample["Chantiers Ville Vie Vacances"].financial_resources)
        self.assertEqual(budget.source, "Budget global 2019 : 22 475 €")
        people = read_people(self.sample["Café des parents"].people_mobilized)
        self.assertIn("15 parents en moyenne", people.source)

    def test_french_numbers(self):
        self.assertEqual(parse_number("22 475"), Decimal("22475"))
        self.assertEqual(parse_number("2640,20"), Decimal("2640.20"))
        self.assertEqual(parse_number("22.475"), Decimal("22475"))
