"""`manage.py relevance`: the judged queries on a fresh database holding the bundled sample."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

from essaimage.test import SAMPLE_PATH
from search import analysis, relevance


class Command(BaseCommand):
    help = (
        "Mesure la pertinence de la recherche sur l'échantillon (requêtes jugées de "
        "search/data/judged_queries.toml) : succès@k, MRR et nDCG@10 par type de requête."
    )

    def add_arguments(self, parser):
        parser.add_argument("--save", help="écrire les titres trouvés par requête (JSON)")
        parser.add_argument(
            "--compare", help="comparer les titres trouvés à ceux d'un fichier écrit par --save"
        )
        parser.add_argument("--failures", action="store_true", help="lister les requêtes ratées")
        parser.add_argument(
            "--normaliser",
            choices=analysis.NORMALISERS,
            help="comparer une autre normalisation des mots (par défaut : "
            f"{analysis.DEFAULT_NORMALISER})",
        )

    def handle(self, *args, **options):
        from ingest.importer import import_paths

        if options["normaliser"]:
            analysis.set_normaliser(options["normaliser"])

        # A throw-away database (the test runner's), so the command never touches real data.
        connection.settings_dict.setdefault("TEST", {})
        connection.settings_dict["TEST"]["NAME"] = (
            None
            if connection.vendor == "sqlite"
            else f"relevance_{connection.settings_dict['NAME']}"
        )
        old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        try:
            import_paths([SAMPLE_PATH])
            outcomes = relevance.run_judged()
        finally:
            teardown_databases(old, verbosity=0)
        table = relevance.score(outcomes)
        title = f"Pertinence — {connection.vendor}, normalisation {analysis.current_normaliser()}"
        self.stdout.write(relevance.format_table(table, title))
        if options["failures"]:
            for o in table["ensemble"].failures:
                self.stdout.write(f"  raté [{o.query.kind}] {o.query.q!r}: {o.titles[: o.query.k]}")
        found = {o.query.q: o.titles for o in outcomes}
        if options["save"]:
            Path(options["save"]).write_text(json.dumps(found, ensure_ascii=False, indent=1))
        if options["compare"]:
            other = json.loads(Path(options["compare"]).read_text())
            differing = [q for q in found if found[q] != other.get(q)]
            for q in differing:
                self.stdout.write(f"  différent {q!r}: {found[q]} / {other.get(q)}")
            if differing:
                raise CommandError(
                    f"{len(differing)} requête(s) donnent d'autres fiches que {options['compare']}."
                )
            self.stdout.write(f"Mêmes fiches, dans le même ordre, que {options['compare']}.")
