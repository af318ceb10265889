"""`manage.py build_synonym_dictionary`: search/data/synonyms_fr.txt.gz from LibreOffice's French
thesaurus (Debian's package mythes-fr, `/usr/share/mythes/thes_fr.dat`, LGPL-2.1+)."""

import gzip
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from search import dictionary

HEADER = """\
# Synonymes du français : extrait du thésaurus français de LibreOffice (thes_fr.dat, paquet
# Debian mythes-fr), par `python manage.py build_synonym_dictionary`. Chaque ligne : un mot,
# puis ses {first} premiers synonymes, dans l'ordre du thésaurus.
# Thésaurus : © Kevin Hendricks, Frédéric Labbé, Laurent Godard ; licence LGPL-2.1 ou
# ultérieure (https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html). Ce fichier en est une
# œuvre dérivée, sous la même licence.
"""


class Command(BaseCommand):
    help = (
        "Écrit search/data/synonyms_fr.txt.gz à partir du thésaurus français de LibreOffice "
        "(paquet Debian mythes-fr)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", default="/usr/share/mythes/thes_fr.dat")
        parser.add_argument("--output", default=str(dictionary.DATA))

    def handle(self, *args, **options):
        source = Path(options["source"])
        if not source.exists():
            raise CommandError(
                f"{source} est introuvable : installez le paquet mythes-fr "
                "(apt-get install mythes-fr) ou donnez --source."
            )
        rows = dictionary.read_mythes(source.read_text(encoding="utf-8"))
        lines = [HEADER.format(first=dictionary.FIRST)]
        lines += ["|".join([word, *synonyms]) + "\n" for word, synonyms in rows]
        # mtime 0: the same source gives the same bytes.
        with gzip.GzipFile(options["output"], "wb", mtime=0) as out:
            out.write("".join(lines).encode("utf-8"))
        self.stdout.write(f"{len(rows)} mots écrits dans {options['output']}.")
