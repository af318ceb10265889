"""Snapshots of the memory engine's index (search/snapshot.py): a loaded snapshot answers
exactly as a fresh build, follows the writes made since, and a snapshot that is not the current
database's current generation, or is damaged, is never used (a build happens instead)."""

import fcntl
import io
import random
import shutil
import threading
from unittest import mock

import numpy as np
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from bench import synthetic
from catalogue.models import ActionSheet, Keyword, PublicationStatus
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet
from search import snapshot
from search.changes import bump_generation, log_state
from search.engines import memory
from search.forms import SearchForm
from search.service import search_sheets
from search.tests.test_fast_path import facets_of, random_querystring


def index_state(index: memory.Index) -> dict:
    """Everything an index answers from, comparable with ==."""

    def bits(table):
        return {key: [list(b) for b in value] for key, value in table.items()}

    text = index.text
    return {
        "ids": list(index.ids),
        "position": index.position.array[: len(index.position.array)].tolist(),
        "all": list(index.all),
        "bitmaps": {n: {v: list(b) for v, b in t.items()} for n, t in index.bitmaps.items()},
        "labels": index.labels,
        "structure_of": list(index.structure_of),
        "rank": {sort: rank.tolist() for sort, rank in index.rank.items()},
        "order": {sort: list(order) for sort, order in index.order.items()},
        "generation": index.generation,
        "vendor": index.vendor,
        "log": index.log,
        "applied": index.applied,
        "text": None
        if text is None
        else {
            "terms": bits(text.terms),
            "phrases": bits(text.phrases),
            "near": {pair: list(b) for pair, b in text.near.items()},
            "complete": text.complete,
            "nbytes": text.nbytes,
        },
    }


class SnapshotTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        synthetic.generate_sheets(300, seed=12, batch_size=300)
        cls.draft = make_sheet(
            cls.marais, "Zygomorphe zéro déchet", publication_status=PublicationStatus.DRAFT
        )
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def setUp(self):
        memory._index = None  # every test starts from a process without an index

    def fresh_start(self) -> memory.Index:
        """The index as a process starting now gets it (snapshot or build)."""
        memory._index = None
        return memory.get_index()

    def compare(self, querystring: str):
        """The memory engine (with this process's index) answers as the database engine."""
        form = SearchForm(QueryDict(querystring))
        self.assertTrue(form.is_valid(), form.errors)
        query = form.to_query()
        page = form.cleaned_data.get("page") or 1
        slow = search_sheets(query, page=page, fast=False)
        quick = search_sheets(query, page=page, fast=True)
        self.assertEqual(quick.total, slow.total, querystring)
        self.assertEqual([s.pk for s in quick.sheets], [s.pk for s in slow.sheets], querystring)
        self.assertEqual(facets_of(quick), facets_of(slow), querystring)
        return quick

    def snapshot_path(self):
        return snapshot.path_for(snapshot.key_for(log_state()[0]))

    def test_a_loaded_snapshot_is_the_built_index(self):
        builds = memory.builds
        built = self.fresh_start()
        self.assertEqual(memory.builds, builds + 1)
        self.assertTrue(self.snapshot_path().exists(), "a full build writes its snapshot")
        loaded = self.fresh_start()
        self.assertEqual(memory.builds, builds + 1, "the next process loads it")
        self.assertIsNot(loaded, built)
        self.assertEqual(index_state(loaded), index_state(built))
        self.assertIsNotNone(loaded.text)
        self.assertIsInstance(loaded.position.array, np.ndarray)

    def test_a_loaded_snapshot_answers_as_the_database(self):
        self.fresh_start()
        builds = memory.builds
        self.fresh_start()
        self.assertEqual(memory.builds, builds)
        published = ActionSheet.objects.published()
        values = {
            "departement": sorted(
                set(published.values_list("structure__departement_id", flat=True)) - {None}
            ),
            "keywords": list(Keyword.objects.values_list("value", flat=True)),
            "publics": ["tous-publics", "jeunesse", "familles"],
            "structure_type": ["cs", "evs", "other"],
            "year": list(range(2015, 2027)),
            "structure": list(published.values_list("structure_id", flat=True)[:20]),
        }
        rng = random.Random(3)
        for _ in range(25):
            querystring = random_querystring(rng, values)
            with self.subTest(querystring=querystring):
                self.compare(querystring)
        self.assertEqual(memory.builds, builds)

    def test_writes_made_after_the_snapshot_are_followed(self):
        self.fresh_start()  # built, snapshot written
        published = list(ActionSheet.objects.published().order_by("pk")[:2])
        edited, archived = published
        edited.title = "Zygomorphe des familles"
        edited.save()
        archived.publication_status = PublicationStatus.ARCHIVED
        archived.save()
        self.draft.publication_status = PublicationStatus.PUBLISHED
        self.draft.save()
        sheets_changed.send(sender=None, sheet_ids=[edited.pk, archived.pk, self.draft.pk])
        builds = memory.builds
        loaded = self.fresh_start()
        self.assertEqual(memory.builds, builds, "the snapshot and the change log, no build")
        self.assertIn(self.draft.pk, loaded.position)
        self.assertEqual(self.compare("q=zygomorphe").total, 2)
        self.compare("q=zygomorphe&sort=title")
        self.compare(f"q={archived.title}")
        self.compare("sort=recent&page=2")
        rebuilt = memory.build_index(log_state()[0])
        for sort in memory.SORTS:
            self.assertEqual(
                [loaded.ids[p] for p in loaded.order[sort]],
                [rebuilt.ids[p] for p in rebuilt.order[sort]],
            )

    def test_a_new_generation_writes_a_new_snapshot_and_deletes_the_old(self):
        self.fresh_start()
        old = self.snapshot_path()
        bump_generation()  # what rebuild_search_index, a vocabulary edit or an import do
        builds = memory.builds
        memory.get_index()
        self.assertEqual(memory.builds, builds + 1)
        self.assertTrue(self.snapshot_path().exists())
        self.assertFalse(old.exists(), "only the current generation's snapshot is kept")

    def test_a_snapshot_of_another_generation_is_ignored(self):
        self.fresh_start()
        old = self.snapshot_path()
        kept = old.read_bytes()
        bump_generation()
        self.snapshot_path().parent.mkdir(parents=True, exist_ok=True)
        self.snapshot_path().write_bytes(kept)  # the old generation's file under the new name
        builds = memory.builds
        with self.assertLogs("search.snapshot", "WARNING"):
            index = self.fresh_start()
        self.assertEqual(memory.builds, builds + 1)
        self.assertEqual(index.generation, log_state()[0])

    def test_a_damaged_snapshot_is_ignored(self):
        self.fresh_start()
        path = self.snapshot_path()
        whole = path.read_bytes()
        middle = len(whole) // 2
        damaged = {
            "truncated": whole[:middle],
            "header only": whole[: snapshot.HEADER_SIZE],
            "a byte changed": whole[:middle] + bytes([whole[middle] ^ 1]) + whole[middle + 1 :],
            "empty": b"",
            "not a snapshot": b"PK\x03\x04" + whole[4:],
        }
        for name, content in damaged.items():
            with self.subTest(name):
                path.write_bytes(content)
                builds = memory.builds
                with self.assertLogs("search.snapshot", "WARNING"):
                    self.fresh_start()
                self.assertEqual(memory.builds, builds + 1)
                self.assertEqual(path.read_bytes(), whole, "the build wrote it again")
                self.compare("q=parentalite&sort=year")

    def test_a_snapshot_of_another_database_is_never_loaded(self):
        self.fresh_start()
        ours = self.snapshot_path()
        other = {"vendor": connection.vendor, "name": "autre", "host": "", "port": ""}
        with mock.patch.object(snapshot, "database_identity", lambda: other):
            theirs = self.snapshot_path()
            self.assertNotEqual(theirs, ours)
            shutil.copy(ours, theirs)  # even under their name
            builds = memory.builds
            with self.assertLogs("search.snapshot", "WARNING"):
                self.fresh_start()
            self.assertEqual(memory.builds, builds + 1)

    def test_the_skeleton_never_unpickles_a_class(self):
        with self.assertRaises(Exception) as caught:
            snapshot._NoGlobals(io.BytesIO(b"cos\nsystem\n(S'true'\ntR.")).load()
        self.assertIn("refused", str(caught.exception))

    def test_without_a_directory_nothing_is_written(self):
        with self.settings(SEARCH_INDEX_SNAPSHOT_DIR=""):
            builds = memory.builds
            self.fresh_start()
            self.fresh_start()
            self.assertEqual(memory.builds, builds + 2)

    def test_a_process_waits_for_the_one_building_then_loads(self):
        token = log_state()[0]
        index = memory.build_index(token)
        building, built = threading.Event(), []

        def slow_build(token):
            building.set()
            built.append("first")
            threading.Event().wait(0.3)
            return index

        def second_build(token):
            built.append("second")
            return index

        def run(build, out):
            try:
                out.append(snapshot.load_or_build(token, build, lambda i: i))
            finally:
                connection.close()

        first_out, second_out = [], []
        first = threading.Thread(target=run, args=(slow_build, first_out))
        first.start()
        building.wait(10)
        second = threading.Thread(target=run, args=(second_build, second_out))
        second.start()
        first.join(20)
        second.join(20)
        self.assertEqual(built, ["first"], "one process builds, the other loads its snapshot")
        self.assertEqual(index_state(second_out[0]), index_state(index))

    def test_a_process_builds_itself_when_the_lock_is_held_too_long(self):
        token = log_state()[0]
        path = snapshot.path_for(snapshot.key_for(token))
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            open(path.with_suffix(".lock"), "a+b") as held,
            self.settings(SEARCH_INDEX_SNAPSHOT_WAIT=0.3),
        ):
            fcntl.flock(held, fcntl.LOCK_EX)
            builds = memory.builds
            with self.assertLogs("search.snapshot", "WARNING"):
                self.fresh_start()
            self.assertEqual(memory.builds, builds + 1)

    def test_the_command_writes_the_snapshot_every_process_loads(self):
        out = io.StringIO()
        call_command("search_snapshot", stdout=out)
        self.assertIn("Instantané de l'index", out.getvalue())
        self.assertTrue(self.snapshot_path().exists())
        builds = memory.builds
        self.fresh_start()
        self.assertEqual(memory.builds, builds)
        call_command("search_snapshot", stdout=out)
        self.assertIn("existait déjà", out.getvalue())
        call_command("search_snapshot", "--rebuild", stdout=out)
        self.assertEqual(memory.builds, builds + 1)
