"""What an import writes, table by table, stays what it always wrote: the bulk path may get
faster, never different. Ids and times differ between runs and databases, so sheets are named
by their `source_ref` and values by their key; the digest was recorded with the code before the
raw inserts (figures, fundings, similarity profiles) and the batch's word list."""

import hashlib
import io
import json
import re

from django.test import TestCase, override_settings

from bench import synthetic
from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS
from catalogue.models import ActionSheet
from discovery.models import ProbableDuplicate, SimilarityProfile
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_bytes
from search.models import SearchDocument, SearchWord
from stats.models import SheetFigures, SheetFunding

GOLDEN_DIGEST = "d3284aa9e23615a0f31cdaa029875d41ad118e9d0058d0e8afbb45808f43feff"
GOLDEN_DIGEST_26 = "c5148341930238fc081ef0ba43fb97d74f047c1c8a38cc971c92cffff122d03a"
GOLDEN_DIGEST_7 = "d7de5529c704402709ceff0e0e48da86b1da2b1b32799f04d72e9a7e48dc58bb"


def written() -> dict:
    """Every row the import writes, without ids nor times."""
    ref = dict(ActionSheet.objects.values_list("pk", "source_ref"))
    sheets = []
    for sheet in ActionSheet.objects.with_relations().order_by("source_ref"):
        row = [sheet.source_ref, sheet.source_hash, sheet.title, sheet.year, sheet.structure.name]
        row += [getattr(sheet, name).key if getattr(sheet, name) else "" for name in CHOICE_FIELDS]
        row += [sorted(v.key for v in getattr(sheet, name).all()) for name in LIST_FIELDS]
        row += [a.name for a in sheet.attachments.order_by("name")]
        sheets.append(row)
    figures = sorted(
        (ref[f.sheet_id], f.text_hash, str(f.budget_read), f.budget_source, str(f.budget),
         f.people_read, f.people_source, f.people, f.budget_corrected, f.people_corrected)
        for f in SheetFigures.objects.all()
    )  # fmt: skip
    fundings = [
        (ref[f.sheet_id], f.kind, f.label, str(f.amount))
        for f in SheetFunding.objects.order_by("pk")
    ]
    profiles = sorted(
        (ref[p.sheet_id], bytes(p.vector).hex()) for p in SimilarityProfile.objects.all()
    )
    pairs = sorted(
        (ref[p.first_id], ref[p.second_id], round(p.score, 3), p.reasons,
         p.first_departement, p.second_departement)
        for p in ProbableDuplicate.objects.all()
    )  # fmt: skip
    # The index rows themselves are those a rebuild writes (search/tests/test_bulk_index.py).
    indexed = sorted(ref[pk] for pk in SearchDocument.objects.values_list("pk", flat=True))
    words = sorted(SearchWord.objects.values_list("word", "display"))
    return {
        "sheets": sheets,
        "figures": figures,
        "fundings": fundings,
        "profiles": profiles,
        "pairs": pairs,
        "indexed": indexed,
        "words": words,
    }


def digest(data: dict, report_lines: list[str]) -> str:
    ref = dict(ActionSheet.objects.values_list("pk", "source_ref"))
    lines = [re.sub(r"n° (\d+)", lambda m: ref[int(m.group(1))], line) for line in report_lines]
    text = json.dumps({**data, "report": lines}, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ImportWritesTestCase(TestCase):
    def imported(self) -> str:
        out = io.StringIO()
        synthetic.write_senacs_export(synthetic.synthetic_records(80, 7), out)
        # The same sheets a year later: new sheets, each a probable duplicate of its twin.
        later = re.sub(
            r"^(.+ \| .+ \| )(\d{4})( \|)$",
            lambda m: f"{m.group(1)}{int(m.group(2)) + 1}{m.group(3)}",
            out.getvalue(),
            flags=re.MULTILINE,
        )
        lines = []
        for name, data in (
            ("sample", SAMPLE_PATH.read_bytes()),
            ("synthetic", out.getvalue().encode()),
            ("a year later", later.encode()),
        ):
            report = import_bytes(data, name=name)
            lines += report.probable_duplicates
        data = written()
        self.assertEqual(len(data["sheets"]), 24 + 80 + 80)
        self.assertGreaterEqual(len(data["pairs"]), 80)
        self.assertTrue(data["fundings"] and data["words"])
        return digest(data, lines)

    def test_it_writes_what_it_always_wrote(self):
        # Batches of 50: each one's probable duplicates within structures (SIMILAR_SYNC_MAX).
        self.assertEqual(self.imported(), GOLDEN_DIGEST)

    @override_settings(IMPORT_BATCH_SIZE=26)
    def test_it_writes_what_it_always_wrote_ending_with_a_small_batch(self):
        # 3 batches of 26 per file, then 2 sheets: those against the whole base.
        self.assertEqual(self.imported(), GOLDEN_DIGEST_26)

    @override_settings(IMPORT_BATCH_SIZE=7)
    def test_it_writes_what_it_always_wrote_in_small_batches(self):
        self.assertEqual(self.imported(), GOLDEN_DIGEST_7)
