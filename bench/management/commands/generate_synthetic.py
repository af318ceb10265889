"""Create N realistic synthetic sheets (or a SENACS text export of them) for load tests."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from bench import synthetic


class Command(BaseCommand):
    help = "Crée N fiches actions synthétiques réalistes (publiées) et leurs structures."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="nombre de fiches")
        parser.add_argument(
            "--seed", type=int, default=1, help="graine (mêmes fiches pour une graine)"
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--replace", action="store_true", help="supprime d'abord les fiches de cette graine"
        )
        parser.add_argument(
            "--senacs-output",
            metavar="FICHIER",
            help="écrit un export texte SENACS des fiches au lieu de les enregistrer ('-' : sortie)",
        )

    def handle(self, *args, count, seed, batch_size, replace, senacs_output, **options):
        if count < 1:
            raise CommandError("--count doit être un entier positif.")
        if batch_size < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        started = time.monotonic()
        if senacs_output:
            records = synthetic.synthetic_records(count, seed)
            if senacs_output == "-":
                written = synthetic.write_senacs_export(records, sys.stdout)
            else:
                try:
                    with open(senacs_output, "w", encoding="utf-8") as out:
                        written = synthetic.write_senacs_export(records, out)
                except OSError as error:
                    raise CommandError(
                        f"Impossible d'écrire {senacs_output} : {error.strerror}."
                    ) from error
                self.stdout.write(f"{written} fiches écrites dans {senacs_output}.")
            return
        if replace:
            deleted = synthetic.delete_synthetic(seed)
            if deleted:
                self.stdout.write(f"{deleted} fiches synthétiques de la graine {seed} supprimées.")

        def progress(done: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {done}/{count} fiches…")

        try:
            report = synthetic.generate_sheets(
                count, seed, batch_size=batch_size, progress=progress
            )
        except synthetic.SyntheticDataExists as error:
            raise CommandError(
                f"Des fiches synthétiques de la graine {seed} existent déjà : "
                "relancez avec --replace ou choisissez une autre graine."
            ) from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{report.sheets} fiches et {report.structures} structures créées "
            f"en {elapsed:.1f} s (graine {seed})."
        )
