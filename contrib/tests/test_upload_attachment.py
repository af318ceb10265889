import errno
import io
import os
import tempfile
import tracemalloc
import zipfile

from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import override_settings

from catalogue.models import ActionSheet, Attachment
from contrib import editing, moderation
from contrib.tests.helpers import ContribTestCase
from contrib.tests.zipbomb import odt_bomb, zip_with_entries

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr({"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind], "<x/>")
    return buffer.getvalue()


class CountingUploadHandler(FileUploadHandler):
    """Placed after the size limit: counts the bytes the storing handlers would have received."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        CountingUploadHandler.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


class FullDiskStorage(FileSystemStorage):
    """The disk fills up halfway through writing the file."""

    def _save(self, name, content):
        full_path = self.path(name)
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        with open(full_path, "wb") as partial:
            partial.write(content.read(10))
        raise OSError(errno.ENOSPC, "No space left on device")


MEDIA_ROOT = tempfile.mkdtemp(prefix="essaimage-test-")


def stored_files() -> list[str]:
    return [name for _, _, names in os.walk(MEDIA_ROOT) for name in names]


@override_settings(MEDIA_ROOT=MEDIA_ROOT)
class UploadAttachmentTestCase(ContribTestCase):
    def setUp(self):
        self.url = f"/contribuer/fiches/{self.draft.pk}/fichiers/"
        self.client.force_login(self.alice)

    def upload(self, name: str, content: bytes):
        return self.client.post(self.url, {"file": SimpleUploadedFile(name, content)}, follow=True)

    def test_it_stores_a_pdf_under_a_safe_name(self):
        r = self.upload("../../Bilan 2023 <b>.pdf", PDF)
        self.assertContains(r, "ajouté")
        attachment = Attachment.objects.get()
        self.assertEqual(attachment.content_type, "application/pdf")
        self.assertEqual(attachment.size, len(PDF))
        self.assertNotIn("..", attachment.file.name)
        self.assertRegex(attachment.file.name, r"^fichiers/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
        self.assertEqual(attachment.name, "Bilan 2023 <b>.pdf")
        self.assertContains(r, "Bilan 2023 &lt;b&gt;.pdf")
        self.draft.refresh_from_db()
        self.assertEqual(editing.snapshot(self.draft)["attachments"], [attachment.pk])

    def test_it_serves_a_pdf_with_a_safe_content_type(self):
        self.upload("bilan.pdf", PDF)
        attachment = Attachment.objects.get()
        r = self.client.get(f"/contribuer/fichiers/{attachment.pk}/")
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertEqual(r["Content-Disposition"], 'attachment; filename="bilan.pdf"')
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")
        self.assertEqual(b"".join(r.streaming_content), PDF)
        # Once published, the public download answers the same way.
        editing.submit(self.draft, self.alice)
        moderation.publish(self.draft, self.mona)
        self.client.logout()
        r = self.client.get(f"/fichiers/{attachment.pk}/")
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertIn("attachment;", r["Content-Disposition"])

    def test_both_downloads_forbid_active_content(self):
        """A file opened in the browser runs no script, on the draft and the public address."""
        self.upload("bilan.pdf", PDF)
        attachment = Attachment.objects.get()
        editing.submit(self.draft, self.alice)
        moderation.publish(self.draft, self.mona)
        for url in (f"/contribuer/fichiers/{attachment.pk}/", f"/fichiers/{attachment.pk}/"):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertIn("sandbox", r["Content-Security-Policy"])
                self.assertEqual(r["X-Content-Type-Options"], "nosniff")
                self.assertEqual(r["Content-Disposition"], 'attachment; filename="bilan.pdf"')

    def test_it_hides_draft_files_from_outsiders(self):
        self.upload("bilan.pdf", PDF)
        attachment = Attachment.objects.get()
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/contribuer/fichiers/{attachment.pk}/").status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(f"/fichiers/{attachment.pk}/").status_code, 404)

    def test_it_accepts_office_documents_and_images(self):
        self.upload("compte-rendu.odt", office_file("odt"))
        self.upload("budget.xlsx", office_file("xlsx"))
        self.upload("affiche.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
        self.assertEqual(
            sorted(Attachment.objects.values_list("content_type", flat=True)),
            [
                "application/vnd.oasis.opendocument.text",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "image/png",
            ],
        )

    def test_it_refuses_an_executable_renamed_pdf(self):
        r = self.upload("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 64)
        self.assertContains(r, "n&#x27;est pas d&#x27;un type accepté")
        self.assertFalse(Attachment.objects.exists())

    def test_it_refuses_html_disguised_as_pdf(self):
        r = self.upload("rapport.pdf", b"<!doctype html><script>alert(1)</script>")
        self.assertContains(r, "Fichier non ajouté")
        self.assertFalse(Attachment.objects.exists())

    def test_it_refuses_a_name_that_lies_about_the_content(self):
        r = self.upload("photo.jpg", PDF)
        self.assertContains(r, "ne correspond pas à son contenu")
        self.assertFalse(Attachment.objects.exists())

    def test_it_refuses_a_plain_zip_named_docx(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("virus.exe", "MZ")
        r = self.upload("lettre.docx", buffer.getvalue())
        self.assertContains(r, "Fichier non ajouté")
        self.assertFalse(Attachment.objects.exists())

    @override_settings(ATTACHMENT_MAX_BYTES=1024)
    def test_it_refuses_an_oversized_file_in_french(self):
        r = self.upload("gros.pdf", PDF + b"0" * 2048)
        self.assertContains(r, "dépasse la taille maximale de 1,0")
        self.assertFalse(Attachment.objects.exists())

    def test_removing_keeps_the_file_for_history(self):
        self.upload("bilan.pdf", PDF)
        attachment = Attachment.objects.get()
        r = self.client.post(
            f"/contribuer/fiches/{self.draft.pk}/fichiers/{attachment.pk}/retirer/", follow=True
        )
        self.assertContains(r, "récupérable dans l&#x27;historique")
        attachment.refresh_from_db()
        self.assertIsNotNone(attachment.removed_at)
        self.assertTrue(attachment.file.storage.exists(attachment.file.name))

    def test_a_file_added_to_a_published_sheet_waits_for_review(self):
        self.client.post(
            f"/contribuer/fiches/{self.sheet.pk}/fichiers/",
            {"file": SimpleUploadedFile("bilan.pdf", PDF)},
        )
        attachment = Attachment.objects.get()
        self.assertEqual(self.client.get(f"/fichiers/{attachment.pk}/").status_code, 404)
        editing.submit(self.sheet, self.alice)
        moderation.publish(self.sheet, self.mona)
        self.assertEqual(self.client.get(f"/fichiers/{attachment.pk}/").status_code, 200)

    def test_it_hides_other_structures_sheets(self):
        self.client.force_login(self.bob)
        r = self.client.post(self.url, {"file": SimpleUploadedFile("a.pdf", PDF)})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Attachment.objects.exists())

    def test_it_refuses_a_zip_bomb_within_a_memory_bound(self):
        # 256 KB whose `mimetype` entry inflates to 256 MiB (reading it whole took 2 GB at 1 GiB).
        bomb = odt_bomb(256 << 20)
        tracemalloc.start()
        try:
            r = self.upload("compte-rendu.odt", bomb)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertLess(peak, 30 * 1024 * 1024)
        self.assertContains(r, "une fois décompressé, il occuperait 256,0")
        self.assertFalse(Attachment.objects.exists())

    def test_it_refuses_an_archive_of_too_many_entries(self):
        entries = [("mimetype", b"application/vnd.oasis.opendocument.text")]
        entries += [(f"p/{i}", b"") for i in range(6000)]
        r = self.upload("compte-rendu.odt", zip_with_entries(entries))
        self.assertContains(r, "il contient 6001 éléments")
        self.assertFalse(Attachment.objects.exists())

    def test_it_refuses_a_highly_compressed_entry(self):
        entries = [("mimetype", b"application/vnd.oasis.opendocument.text"), ("x", 4 << 20)]
        r = self.upload("compte-rendu.odt", zip_with_entries(entries))
        self.assertContains(r, "son élément « x » se décompresse")
        self.assertFalse(Attachment.objects.exists())

    @override_settings(
        ATTACHMENT_MAX_BYTES=100 * 1024,
        FILE_UPLOAD_HANDLERS=[
            "essaimage.lib.uploads.MaxSizeUploadHandler",
            f"{__name__}.CountingUploadHandler",
            "django.core.files.uploadhandler.MemoryFileUploadHandler",
            "django.core.files.uploadhandler.TemporaryFileUploadHandler",
        ],
    )
    def test_it_stops_an_oversized_upload_while_it_streams(self):
        CountingUploadHandler.received = 0
        r = self.upload("gros.pdf", PDF + b"0" * (2 * 1024 * 1024))
        # The storing handlers got at most the limit plus one 64 KiB chunk, not 2 MiB.
        self.assertLessEqual(CountingUploadHandler.received, 100 * 1024 + 64 * 1024)
        self.assertContains(r, "dépasse la taille maximale de 100,0")
        self.assertFalse(Attachment.objects.exists())

    @override_settings(
        STORAGES={
            "default": {"BACKEND": f"{__name__}.FullDiskStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    def test_a_full_disk_leaves_no_orphan_file_and_says_why_in_french(self):
        before = stored_files()
        r = self.upload("bilan.pdf", PDF)
        # The degraded mode's page (essaimage.degraded), not a 500.
        self.assertContains(r, "le disque du serveur est plein", status_code=503)
        self.assertEqual(stored_files(), before)
        self.assertFalse(Attachment.objects.exists())

    def test_a_failed_save_removes_the_stored_file(self):
        # An imported sheet without a title: the new version is refused after the file was
        # written, and the row rolls back.
        ActionSheet.objects.filter(pk=self.draft.pk).update(title="")
        before = stored_files()
        r = self.upload("bilan.pdf", PDF)
        self.assertContains(r, "Fichier non ajouté")
        self.assertEqual(stored_files(), before)
        self.assertFalse(Attachment.objects.exists())


@override_settings(
    MEDIA_ROOT=MEDIA_ROOT, ATTACHMENT_MAX_FILES_PER_SHEET=3, ATTACHMENT_MAX_BYTES_PER_SHEET=1000
)
class SheetUploadTotalTestCase(ContribTestCase):
    """A sheet holds a bounded number and total size of files (removed ones included: they
    stay on the disk for the history)."""

    def setUp(self):
        self.url = f"/contribuer/fiches/{self.draft.pk}/fichiers/"
        self.client.force_login(self.alice)

    def upload(self, name: str, content: bytes):
        return self.client.post(self.url, {"file": SimpleUploadedFile(name, content)}, follow=True)

    def test_it_refuses_a_file_past_the_count_per_sheet(self):
        for i in range(3):
            self.assertContains(self.upload(f"bilan-{i}.pdf", PDF), "ajouté")
        # A removed file still occupies the disk: removing does not make room.
        first = Attachment.objects.filter(sheet=self.draft).first()
        editing.remove_attachment(ActionSheet.objects.get(pk=self.draft.pk), first, self.alice)
        r = self.upload("bilan-4.pdf", PDF)
        self.assertContains(r, "Cette fiche a déjà 3 fichiers")
        self.assertEqual(Attachment.objects.filter(sheet=self.draft).count(), 3)

    def test_it_refuses_a_file_past_the_total_size_per_sheet(self):
        big = PDF + b"0" * (600 - len(PDF))
        self.assertContains(self.upload("bilan-1.pdf", big), "ajouté")
        r = self.upload("bilan-2.pdf", big)
        self.assertContains(r, "au plus 1000")
        self.assertEqual(Attachment.objects.filter(sheet=self.draft).count(), 1)
        self.assertEqual(len(stored_files()) - len(set(stored_files())), 0)


@override_settings(MEDIA_ROOT=MEDIA_ROOT)
class SmallEntriesRatioTestCase(ContribTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_it_refuses_an_office_file_of_many_small_inflating_entries(self):
        # A 115 KB xlsx declaring 99 entries of 1 MiB each: none above the old 1 MiB floor.
        entries = [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<x/>")]
        entries += [(f"xl/media/{i}.bin", 1 << 20) for i in range(99)]
        bomb = zip_with_entries(entries)
        self.assertLess(len(bomb), 200_000)
        r = self.client.post(
            f"/contribuer/fiches/{self.draft.pk}/fichiers/",
            {"file": SimpleUploadedFile("tableau.xlsx", bomb)},
            follow=True,
        )
        self.assertContains(r, "se décompresse")
        self.assertFalse(Attachment.objects.exists())
