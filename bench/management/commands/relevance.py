"""`manage.py relevance`: each judged set on a fresh database holding its own sheets, the engine
beside a plain BM25 baseline."""

import json
import shutil
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

from bench import relevance
from search import analysis


class Command(BaseCommand):
    help = (
        "Mesure la pertinence de la recherche sur les jeux de requêtes jugées (développement : "
        "search/data/judged_queries.toml ; aveugle : search/data/blind/) : succès@k, MRR et "
        "nDCG@10 par type de requête, à côté d'un BM25 standard (bm25s, racinisation Snowball)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            choices=[*relevance.SETS, "all"],
            default="all",
            help="jeu de requêtes à mesurer (par défaut : tous)",
        )
        parser.add_argument(
            "--no-baseline", action="store_true", help="ne pas calculer le BM25 de référence"
        )
        parser.add_argument("--save", help="écrire les titres trouvés par jeu et requête (JSON)")
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
        if options["normaliser"]:
            analysis.set_normaliser(options["normaliser"])
        names = list(relevance.SETS) if options["set"] == "all" else [options["set"]]
        found: dict[str, dict[str, list[str]]] = {}
        for name in names:
            judged_set = relevance.SETS[name]
            if not judged_set.path.exists():
                self.stdout.write(f"Jeu {name} : {judged_set.path} absent, non mesuré.")
                continue
            outcomes, baseline = self.measure(judged_set, with_baseline=not options["no_baseline"])
            table = relevance.score(outcomes)
            title = (
                f"Jeu {judged_set.label} — {connection.vendor}, normalisation "
                f"{analysis.current_normaliser()}, {len(outcomes)} requêtes, "
                f"empreinte SHA-256 {judged_set.digest()[:16]}"
            )
            base_table = relevance.score(baseline) if baseline else None
            self.stdout.write(relevance.format_table(table, title, base_table))
            if options["failures"]:
                for o in table["ensemble"].failures:
                    self.stdout.write(
                        f"  raté [{o.query.kind}] {o.query.q!r}: {o.titles[: o.query.k]}"
                    )
            found[name] = {o.query.q: o.titles for o in outcomes}
        if options["save"]:
            Path(options["save"]).write_text(json.dumps(found, ensure_ascii=False, indent=1))
        if options["compare"]:
            self.compare(found, json.loads(Path(options["compare"]).read_text()))

    def measure(self, judged_set: relevance.JudgedSet, *, with_baseline: bool):
        """The set's queries on a throw-away database (the test runner's) holding its corpus, so
        the command never touches real data."""
        from ingest.pages_importer import import_pages

        connection.settings_dict.setdefault("TEST", {})
        # SQLite: a file of its own per set (an in-memory test database outlives its teardown
        # while any connection holds it, and the next set would search this one's corpus too).
        scratch = Path(tempfile.mkdtemp(prefix="relevance-"))
        connection.settings_dict["TEST"]["NAME"] = (
            str(scratch / "relevance.sqlite3")
            if connection.vendor == "sqlite"
            else f"relevance_{connection.settings_dict['NAME']}"
        )
        old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        try:
            report = import_pages(judged_set.corpus())
            for name, reason in report.refused:
                # Measured all the same: the queries judging these sheets count as failed.
                self.stderr.write(f"Corpus incomplet : {name} : {reason}")
            queries = judged_set.queries()
            outcomes = relevance.run_judged(queries)
            baseline = (
                relevance.run_baseline(queries, relevance.published_documents())
                if with_baseline
                else None
            )
        finally:
            teardown_databases(old, verbosity=0)
            shutil.rmtree(scratch, ignore_errors=True)
        return outcomes, baseline

    def compare(self, found: dict, other: dict) -> None:
        differing = [
            (name, q)
            for name, titles_by_query in found.items()
            for q, titles in titles_by_query.items()
            if titles != other.get(name, {}).get(q)
        ]
        for name, q in differing:
            self.stdout.write(
                f"  différent [{name}] {q!r}: {found[name][q]} / {other.get(name, {}).get(q)}"
            )
        if differing:
            raise CommandError(f"{len(differing)} requête(s) donnent d'autres fiches.")
        self.stdout.write("Mêmes fiches, dans le même ordre, sur les deux bases.")
