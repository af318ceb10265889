"""manage.py backup / restore: a whole site out and back, identical (issue 9, finding 8)."""

import json
import tempfile
import zipfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from api.tokens import create_token, user_for_key
from catalogue.models import ActionSheet, Attachment, Structure
from contrib import editing, moderation
from contrib.models import Membership, ModeratorTerritory, PendingEdit, Revision, User
from contrib.tests.helpers import ContribTestCase
from essaimage.test import SAMPLE_PATH
from ingest import archive
from ingest.importer import import_paths
from search.indexing import rebuild_index
from search.models import SearchDocument
from search.tests.test_indexing import indexed_ids

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def without_csrf(content: bytes) -> bytes:
    # The CSRF token differs on every page: compare the rest.
    return b"\n".join(line for line in content.splitlines() if b"csrf" not in line.lower())


def empty_the_database() -> None:
    """What a fresh `migrate` leaves: reference rows only (they are replaced on restore)."""
    for label in reversed(archive.BACKED_UP):
        if label not in archive.LOADED_BY_MIGRATIONS:
            archive._model(label)._base_manager.all().delete()
    SearchDocument.objects.all().delete()


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="essaimage-backup-test-"))
class BackupRestoreTestCase(ContribTestCase):
    pages = (
        "/api/v1/actions?page_size=100",
        "/api/v1/actions?sort=recent&page_size=100",
        "/api/v1/actions?q=jeu&page_size=100",
        "/api/v1/structures",
        "/api/v1/vocabularies",
        "/actions/export.csv",
        "/actions/export.csv?sort=recent",
        "/actions/export.jsonl",
        "/actions/feed.atom",
        "/actions/?sort=recent",
    )

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])
        # Different publication dates: the "recent" order and the feed depend on them.
        for days, sheet in enumerate(ActionSheet.objects.order_by("pk")):
            ActionSheet.objects.filter(pk=sheet.pk).update(
                published_at=timezone.now() - timedelta(days=days * 3)
            )
        editing.submit(cls.draft, cls.alice)
        moderation.publish(cls.draft, cls.mona)
        cls.draft.refresh_from_db()
        editing.add_attachment(cls.draft, SimpleUploadedFile("bilan.pdf", PDF), cls.alice)
        cls.draft.refresh_from_db()
        # An edit of the published sheet waits for review: a pending edit.
        data = editing.working_snapshot(cls.draft)
        editing.save_draft(
            cls.draft, {**data, "summary": "En attente."}, cls.alice, cls.draft.version
        )
        cls.token, cls.key = create_token(cls.alice, "script")
        rebuild_index()  # the cast's sheets were created without the editing services
        cls.archive_path = Path(tempfile.mkdtemp()) / "sauvegarde.zip"

    def snapshot(self) -> dict[str, bytes]:
        answers = {}
        for url in self.pages:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
            answers[url] = without_csrf(b"".join(r.streaming_content) if r.streaming else r.content)
        self.client.force_login(self.alice)
        for url in (
            f"/contribuer/fiches/{self.draft.pk}/historique/",
            f"/contribuer/fiches/{self.draft.pk}/modifier/",
            f"/actions/{self.draft.pk}-{self.draft.slug}/",
        ):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
            answers[url] = without_csrf(r.content)
        self.client.logout()
        attachment = Attachment.objects.exclude(file="").get()
        self.client.force_login(self.alice)
        r = self.client.get(reverse("contrib:download-attachment", args=[attachment.pk]))
        self.assertEqual(r.status_code, 200)
        answers["file"] = b"".join(r.streaming_content)
        self.client.logout()
        return answers

    def test_a_restore_gives_the_same_pages_api_answers_and_exports(self):
        before = self.snapshot()
        counts = {label: archive._model(label)._base_manager.count() for label in archive.BACKED_UP}
        self.assertGreater(counts["contrib.Revision"], 3)
        self.assertEqual(counts["contrib.PendingEdit"], 1)
        call_command("backup", str(self.archive_path), stdout=StringIO())
        stored = Attachment.objects.exclude(file="").get().file
        stored.storage.delete(stored.name)
        empty_the_database()
        self.assertEqual(ActionSheet.objects.count(), 0)

        out = StringIO()
        call_command("restore", str(self.archive_path), stdout=out)
        self.assertIn("Restauration terminée : 26 fiches", out.getvalue())
        self.assertIn("pour charger l'index de recherche", out.getvalue())

        after_counts = {
            label: archive._model(label)._base_manager.count() for label in archive.BACKED_UP
        }
        self.assertEqual(after_counts, counts)
        after = self.snapshot()
        for url, content in before.items():
            self.assertEqual(after[url], content, url)
        self.assertEqual(SearchDocument.objects.count(), ActionSheet.objects.count())
        # The index came back as it was, and the database finds it consistent (SQLite: FTS5's
        # integrity check of its inverted index against the restored terms).
        self.assertEqual(indexed_ids(), sorted(ActionSheet.objects.values_list("pk", flat=True)))
        # People, roles and keys come back: Alice logs in with her password, Mona moderates.
        self.assertTrue(
            self.client.login(username="alice@example.org", password="mot-de-passe-solide-42")
        )
        self.assertTrue(ModeratorTerritory.objects.filter(user__email="mona@example.org").exists())
        self.assertEqual(user_for_key(self.key), User.objects.get(email="alice@example.org"))
        self.assertEqual(PendingEdit.objects.get().data["summary"], "En attente.")

    def test_reindex_rebuilds_the_search_index_with_the_same_answers(self):
        url = "/api/v1/actions?q=jeu+parents&page_size=100"
        before = self.client.get(url).json()
        self.assertGreater(before["count"], 0)
        call_command("backup", str(self.archive_path), stdout=StringIO())
        empty_the_database()
        out = StringIO()
        call_command("restore", str(self.archive_path), "--reindex", stdout=out)
        self.assertIn("pour reconstruire l'index de recherche", out.getvalue())
        self.assertEqual(self.client.get(url).json(), before)
        self.assertEqual(SearchDocument.objects.count(), 26)

    def test_importing_the_same_senacs_file_after_a_restore_creates_nothing(self):
        call_command("backup", str(self.archive_path), stdout=StringIO())
        empty_the_database()
        call_command("restore", str(self.archive_path), stdout=StringIO())
        report = import_paths([SAMPLE_PATH])
        self.assertEqual(report.total("created"), 0)
        self.assertEqual(report.total("unchanged"), 24)
        self.assertEqual(ActionSheet.objects.count(), 26)

    def test_it_refuses_a_database_that_is_not_empty(self):
        call_command("backup", str(self.archive_path), stdout=StringIO())
        with self.assertRaises(CommandError) as caught:
            call_command("restore", str(self.archive_path), stdout=StringIO())
        self.assertIn("la base de données n'est pas vide (26 fiches", str(caught.exception))
        self.assertEqual(ActionSheet.objects.count(), 26)

    def test_it_refuses_a_file_that_is_not_a_backup(self):
        path = self.archive_path.with_name("autre.zip")
        with zipfile.ZipFile(path, "w") as other:
            other.writestr("notes.txt", "rien")
        empty_the_database()
        with self.assertRaises(CommandError) as caught:
            call_command("restore", str(path), stdout=StringIO())
        self.assertIn("n'est pas une sauvegarde d'Essaimage", str(caught.exception))
        self.assertEqual(Structure.objects.count(), 0)

    def test_the_manifest_counts_every_model(self):
        call_command("backup", str(self.archive_path), stdout=StringIO())
        with zipfile.ZipFile(self.archive_path) as saved:
            manifest = json.loads(saved.read("manifest.json"))
            self.assertEqual(manifest["format"], "essaimage-backup")
            counts = {m["model"]: m["count"] for m in manifest["models"]}
            self.assertEqual(counts["catalogue.ActionSheet"], 26)
            self.assertEqual(counts["contrib.Membership"], Membership.objects.count())
            self.assertEqual(counts["contrib.Revision"], Revision.objects.count())
            self.assertEqual(counts["api.ApiToken"], 1)
            self.assertEqual(len(manifest["files"]), 1)
            first = json.loads(saved.read("data/catalogue.actionsheet.jsonl").splitlines()[0])
            self.assertIn("published_at", first)
            self.assertIn("source_ref", first)
            self.assertIn("source_hash", first)

    def test_every_model_is_saved_or_said_not_to_be(self):
        labels = {m._meta.label for m in apps.get_models(include_auto_created=True)}
        saved = {*archive.BACKED_UP, *archive.INDEX_MODELS}
        self.assertEqual(labels - saved - set(archive.NOT_BACKED_UP), set())
