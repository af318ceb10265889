"""Precision and recall of the edit page's suggestions on published sheets held out of the
training (discovery.suggestions.evaluate). Rerun it on the real base: the sample and the
synthetic sheets are not enough to judge the suggestions."""

import time

from django.core.management.base import BaseCommand, CommandError

from discovery import suggestions
from essaimage.lib.french import count_noun

NAMES = suggestions.FIELD_NAMES


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


class Command(BaseCommand):
    help = (
        "Mesure la précision et le rappel des suggestions (mots clés, publics, dimension) sur "
        "des fiches publiées mises de côté."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--holdout", type=float, default=0.2, help="part des fiches mises de côté (0.2)"
        )
        parser.add_argument("--seed", type=int, default=0, help="graine du tirage (0)")
        parser.add_argument(
            "--folds",
            type=int,
            default=0,
            help="validation croisée en N parts (chaque fiche jugée une fois ; pour une petite base)",
        )

    def handle(self, *args, holdout, seed, folds, **options):
        if not 0 < holdout < 1:
            raise CommandError("--holdout doit être compris entre 0 et 1 (par exemple 0.2).")
        if folds == 1 or folds < 0:
            raise CommandError("--folds doit valoir au moins 2 (ou 0 : une seule mise de côté).")
        started = time.monotonic()
        quality = suggestions.evaluate(holdout=holdout, seed=seed, folds=folds)
        if quality is None:
            raise CommandError(
                "Trop peu de fiches publiées pour entraîner les suggestions sur une partie "
                f"d'entre elles (il en faut {suggestions.MIN_SHEETS} avec des valeurs). "
                "Essayez --folds 10 (chaque fiche jugée par un modèle entraîné sur les autres)."
            )
        split = f"--folds {folds}" if folds else f"--holdout {holdout:g} --seed {seed}"
        self.stdout.write(
            f"Suggestions jugées sur {count_noun(quality.held_out, 'fiche mise de côté', 'fiches mises de côté')} "
            f"({split} ; modèle{'s' if folds else ''} entraîné{'s' if folds else ''} sur "
            f"{count_noun(quality.trained_on, 'fiche')}{' au total' if folds else ''})."
        )
        rows = [("champ", "fiches", "rang", "précision", "rappel", "réf. préc.", "réf. rappel")]
        for name in suggestions.FIELDS:
            q = quality.fields[name]
            for k in suggestions.RANKS[name]:
                rows.append(
                    (
                        NAMES[name],
                        str(q.sheets),
                        f"@{k}",
                        percent(q.precision(k)),
                        percent(q.recall(k)),
                        percent(q.baseline_precision(k)),
                        percent(q.baseline_recall(k)),
                    )
                )
            rows.append(
                (
                    NAMES[name],
                    str(q.sheets),
                    f"≥{100 * suggestions.SHOW_CONFIDENCE[name]:.0f} %",
                    percent(q.shown_precision()),
                    percent(q.shown_recall()),
                    "",
                    "",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(
                    cell.ljust(w) if i < 3 else cell.rjust(w)
                    for i, (cell, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
        self.stdout.write(
            "@k : les k valeurs les plus sûres ; « ≥ seuil » : les puces que montre la page "
            "d'édition. Référence : les k valeurs les plus fréquentes de l'entraînement."
        )
        for name in suggestions.FIELDS:
            q = quality.fields[name]
            if q.sheets:
                self.stdout.write(
                    f"{NAMES[name].capitalize()} : au moins une puce pour "
                    f"{percent(q.sheets_shown / q.sheets)} des fiches."
                )
        beaten = [NAMES[n] for n in suggestions.FIELDS if quality.fields[n].beats_baseline()]
        self.stdout.write(
            "Meilleurs que la référence au rang 1 (proposés par la page après "
            f"train_suggestions) : {', '.join(beaten) or 'aucun'}."
        )
        self.stdout.write(f"({time.monotonic() - started:.1f} s)")
