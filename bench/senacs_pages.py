"""Import time of all of SENACS (issue 21): `python bench/senacs_pages.py [--sheets 5000]
[--structures 4000] [--folder DIR]`.

Writes synthetic pages in SENACS's formats (ingest.senacs_pages): one `/action/show/<id>` page
per older sheet (a third of them with a structure of the directory, the rest "structure non
précisée"), and `/structure/csx` / `/structure/evs` pages of 20 cards each (EVS pages with their
`Nom | Ville` table), then runs `import_pages` on the folder twice against the database of
DATABASE_URL (it WRITES: use a scratch database, `migrate` first). Prints wall and CPU seconds
of each run and the report's counts. Nothing here is a test: only numbers.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

CARDS_PER_PAGE = 20
WORDS = [
    "habitants",
    "famille",
    "jeunesse",
    "parentalité",
    "jardin",
    "partagé",
    "solidarité",
    "numérique",
    "accès",
    "droits",
    "culture",
    "sortie",
    "vacances",
    "insertion",
    "emploi",
    "santé",
    "alimentation",
    "repas",
    "accueil",
    "bénévoles",
    "quartier",
    "commune",
    "projet",
    "atelier",
    "lien",
    "social",
    "isolement",
    "seniors",
    "enfants",
    "école",
]
COMMUNES = [
    ("46100", "Figeac"), ("35000", "Rennes"), ("69001", "Lyon"), ("13001", "Marseille"),
    ("59000", "Lille"), ("33000", "Bordeaux"), ("81230", "Lacaune"), ("97150", "Saint-Martin"),
    ("74000", "Annecy"), ("53940", "Saint-Berthevin"), ("31000", "Toulouse"), ("67000", "Strasbourg"),
]  # fmt: skip
QUESTIONS = (
    "Quels furent les éléments de diagnostic à l'origine de l'expérience ?",
    "Quels sont les impacts ou effets positifs produits par cette expérience au niveau du "
    "public, du centre social ou de l'environnement ?",
    "Quels furent les facteurs de réussite de cette expérience ?",
    "Quelles sont les limites de cette expérience ?",
)


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def structure_name(number: int, kind: str) -> str:
    return f"{'CENTRE SOCIAL' if kind == 'cs' else 'EVS'} SYNTHETIQUE {number:05d}"


def card(rng: random.Random, number: int, kind: str) -> str:
    name = structure_name(number, kind)
    postcode, commune = COMMUNES[number % len(COMMUNES)]
    axes = "\n".join(f"- Axe {i} : {text(rng, 6) if i <= 3 else ''}" for i in range(1, 6))
    return f"""Informations sur la structure
{name}
Fiche identité
Adresse
{name}{number} rue des Lilas
{postcode} {commune}
Adresse mail contact : accueil{number}@cs.example.org
Site internet : https://cs{number}.example.org
Numéro SIRET : {30000000000000 + number}
Historique
Date du 1er agrément : 01/0{1 + number % 9}/19{70 + number % 30}
Population de la zone de compétence : {1000 + number}
{text(rng, 40)}
Axes du projet en cours :
{axes}
Mode de gestion
Mode de gestion de la structure : Associatif
Territoire d’intervention et géographie prioritaire
Type de territoire d’intervention : Un espace à dominante urbaine
Taille du territoire d’intervention : Une commune
Géographie prioritaire : Vous n'êtes pas concerné par cette question
Adhésion à une fédération
Adhérent à la Fédération des Centres Sociaux : Oui
Adhérent à une autre fédération : Francas
Spécificités de la structure
Structure « gens du voyage » : Non
Structure multi-sites / éclaté : Non
Structure itinérante : Non
"""


def directory_page(rng: random.Random, page: int, numbers: list[int], kind: str) -> str:
    path = "csx" if kind == "cs" else "evs"
    head = [f"URL: https://senacs.fr/structure/{path}?page={page}"]
    if kind == "evs":
        head += ["Liste des espaces de vie sociale", "Nom | Ville |", "---|---|"]
        for number in numbers:
            postcode, commune = COMMUNES[number % len(COMMUNES)]
            head.append(f"{structure_name(number, kind)} | {postcode}{commune} |")
    else:
        head.append("Liste des centres sociaux")
    return "\n".join(head) + "\n" + "".join(card(rng, n, kind) for n in numbers)


def sheet_page(rng: random.Random, senacs_id: int, structures: int) -> str:
    lines = [f"URL: https://senacs.fr/action/show/{senacs_id}", "Actions", "", text(rng, 4), ""]
    if senacs_id % 3 == 0 and structures:
        number = senacs_id % structures
        postcode, _ = COMMUNES[number % len(COMMUNES)]
        lines += ["Structure organisatrice", f"{structure_name(number, 'cs')} - {postcode[:2]}"]
        lines += ["Publié par", "Camille Exemple"]
    lines += ["Thèmes", "  • Tout public", "  • Autres ...", "Fichier(s) associé(s)"]
    if senacs_id % 5 == 0:
        lines += [f"bilan-{senacs_id}.pdf", "( 182.59K )"]
    lines += [QUESTIONS[0], text(rng, 60), "Mots clés associés à l'actions"]
    lines += [f"  • {rng.choice(WORDS)}" for _ in range(3)]
    lines += ["Description générale", text(rng, 40)]
    lines += [
        "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
        text(rng, 120),
    ]
    for question in QUESTIONS[1:]:
        lines += [question, text(rng, 40)]
    return "\n".join(lines) + "\n"


def generate(folder: Path, sheets: int, structures: int, seed: int = 21) -> None:
    rng = random.Random(seed)
    evs = structures * 2 // 5
    cs = structures - evs
    for kind, count, offset in (("cs", cs, 0), ("evs", evs, cs)):
        numbers = list(range(offset, offset + count))
        for page, start in enumerate(range(0, count, CARDS_PER_PAGE), 1):
            part = numbers[start : start + CARDS_PER_PAGE]
            (folder / f"structure-{kind}-page-{page}.txt").write_text(
                directory_page(rng, page, part, kind), encoding="utf-8"
            )
    for senacs_id in range(19, 19 + sheets):
        (folder / f"action-show-{senacs_id}.txt").write_text(
            sheet_page(rng, senacs_id, cs), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sheets", type=int, default=5000)
    parser.add_argument("--structures", type=int, default=4000)
    parser.add_argument("--folder", help="write the pages here (default: a temporary folder)")
    args = parser.parse_args()
    import django

    django.setup()
    from ingest.pages_importer import import_pages

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        generate(folder, args.sheets, args.structures)
        print(f"pages written: {len(list(folder.glob('*.txt')))} files in "
              f"{time.perf_counter() - began:.1f} s")  # fmt: skip
        for run in ("first", "second"):
            wall, cpu = time.perf_counter(), time.process_time()
            report = import_pages([folder])
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"{run} run: {wall:.1f} s wall, {cpu:.1f} s CPU; structures created "
                f"{report.structures_created}, updated {report.structures_updated}, unchanged "
                f"{report.structures_unchanged}; sheets created {report.sheets_created}, "
                f"unchanged {report.sheets_unchanged}; refused {len(report.refused)}; "
                f"{'no change' if not report.changed else 'changed'}"
            )


if __name__ == "__main__":
    main()
