"""Uploaded files: the type is read from the content (signatures, zip structure), never the name.

Hand-written checks rather than libmagic: the accepted list is short (PDF, images, OpenDocument
and Office Open XML) and each format has a reliable signature, so no dependency is needed.
"""

import re
import struct
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from catalogue.models import ActionSheet, Attachment


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


PDF = FileKind("pdf", "application/pdf", "PDF")
PNG = FileKind("png", "image/png", "image PNG")
JPEG = FileKind("jpg", "image/jpeg", "image JPEG")
GIF = FileKind("gif", "image/gif", "image GIF")
WEBP = FileKind("webp", "image/webp", "image WebP")
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", "texte OpenDocument")
ODS = FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "tableur OpenDocument")
ODP = FileKind(
    "odp", "application/vnd.oasis.opendocument.presentation", "présentation OpenDocument"
)
DOCX = FileKind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "document Word",
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "classeur Excel"
)
PPTX = FileKind(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "présentation PowerPoint",
)
KINDS = (PDF, PNG, JPEG, GIF, WEBP, ODT, ODS, ODP, DOCX, XLSX, PPTX)
# Extensions a person may give each kind (the stored name always uses the canonical one).
EXTENSIONS = {k.extension: k for k in KINDS} | {"jpeg": JPEG}
ACCEPTED = (
    "PDF, images (PNG, JPEG, GIF, WebP), documents bureautiques (odt, ods, odp, docx, xlsx, pptx)"
)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in EXTENSIONS)

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF_TYPES = {k.content_type: k for k in (ODT, ODS, ODP)}


# Zip-based formats (OpenDocument, Office Open XML) are inspected with bounded reads before
# anything is inflated: a "zip bomb" of 1 MB can declare an entry of 1 GiB. Hard caps:
ZIP_MAX_ENTRIES = 5_000  # real documents hold tens to hundreds of parts
ZIP_MAX_DIRECTORY_BYTES = 1024 * 1024  # the central directory, read before any entry
ZIP_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # all entries together, declared and actual
ZIP_MAX_RATIO = 100  # uncompressed / compressed: per entry and for the whole archive
# The ratio is checked for every entry above 100 KiB (Apache POI's ZipSecureFile grace size),
# and for the archive as a whole above the same size: 99 entries of 1 MiB of zeros, each too
# small for a 1 MiB floor, made a 115 KB "xlsx" of 99 MiB.
_RATIO_FLOOR = 100 * 1024
_READ_CHUNK = 64 * 1024
_EOCD = b"PK\x05\x06"


class SuspiciousArchive(Exception):
    """A zip whose structure could exhaust memory or time if it were inflated (French message)."""


def _check_zip_directory(upload) -> None:
    """Read the end-of-central-directory record (the last 64 KiB at most) and refuse an archive
    announcing too many entries or too large a directory, before `zipfile` parses it."""
    upload.seek(0, 2)
    size = upload.tell()
    tail_size = min(size, 22 + 65535)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    position = tail.rfind(_EOCD)
    if position < 0 or len(tail) - position < 22:
        raise zipfile.BadZipFile("no end of central directory")
    entries, directory_size = struct.unpack("<HI", tail[position + 10 : position + 16])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:  # Zip64: never an office document
        raise SuspiciousArchive("son répertoire d'archive est au format Zip64")
    if entries > ZIP_MAX_ENTRIES or directory_size > ZIP_MAX_DIRECTORY_BYTES:
        raise SuspiciousArchive(
            f"il contient {entries} éléments compressés (au plus {ZIP_MAX_ENTRIES})"
        )


def _check_zip_sizes(archive: zipfile.ZipFile) -> None:
    """Declared sizes and ratios first (nothing inflated), then the actual sizes, inflated by
    chunks of 64 KiB and counted, so memory stays bounded whatever the archive claims."""
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise SuspiciousArchive(f"il contient {len(infos)} éléments (au plus {ZIP_MAX_ENTRIES})")
    declared = sum(info.file_size for info in infos)
    limit = filesizeformat(ZIP_MAX_UNCOMPRESSED_BYTES)
    if declared > ZIP_MAX_UNCOMPRESSED_BYTES:
        raise SuspiciousArchive(
            f"une fois décompressé, il occuperait {filesizeformat(declared)} (au plus {limit})"
        )
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise SuspiciousArchive(
                f"son élément « {info.filename[:80]} » se décompresse "
                f"{info.file_size // max(info.compress_size, 1)} fois (au plus {ZIP_MAX_RATIO})"
            )
    compressed = sum(info.compress_size for info in infos)
    if declared > _RATIO_FLOOR and declared > ZIP_MAX_RATIO * max(compressed, 1):
        raise SuspiciousArchive(
            f"son contenu se décompresse {declared // max(compressed, 1)} fois "
            f"(au plus {ZIP_MAX_RATIO})"
        )
    actual = 0
    for info in infos:
        with archive.open(info) as entry:  # zipfile never inflates past the declared size
            while chunk := entry.read(_READ_CHUNK):
                actual += len(chunk)
                if actual > ZIP_MAX_UNCOMPRESSED_BYTES:
                    raise SuspiciousArchive(f"une fois décompressé, il occuperait plus de {limit}")


def _sniff_zip(upload) -> FileKind | None:
    """The office kind of a zip upload, or None. Raises SuspiciousArchive (zip bomb)."""
    try:
        _check_zip_directory(upload)
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            _check_zip_sizes(archive)
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(200).decode("ascii", "replace").strip()
                return _ODF_TYPES.get(mimetype)
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, zlib.error):
        return None
    return None


def sniff(upload) -> FileKind | None:
    """The kind of an uploaded file, read from its first bytes (and zip directory for office)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(upload)
    return None


def safe_display_name(name: str, kind: FileKind) -> str:
    """The uploader's file name, kept for display only: no path, no control characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name)[:200] or "fichier"
    return f"{stem}.{kind.extension}"


def too_large_message(name: str) -> str:
    """French message for a file dropped while streaming (essaimage.lib.uploads)."""
    return (
        f"Le fichier « {name} » dépasse la taille maximale de "
        f"{filesizeformat(settings.ATTACHMENT_MAX_BYTES)} : son envoi a été interrompu."
    )


def check_upload(upload) -> FileKind:
    """Refuse with a French message an empty, oversized or disguised file; return its kind."""
    max_bytes = settings.ATTACHMENT_MAX_BYTES
    name = upload.name or ""
    if upload.size == 0:
        raise ValidationError(f"Le fichier « {name} » est vide.")
    if upload.size > max_bytes:
        raise ValidationError(
            f"Le fichier « {name} » pèse {filesizeformat(upload.size)} : "
            f"la taille maximale est de {filesizeformat(max_bytes)}."
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        kind = sniff(upload)
    except SuspiciousArchive as reason:
        raise ValidationError(
            f"Le fichier « {name} » a été refusé : {reason}. Enregistrez-le à nouveau depuis "
            "votre logiciel de bureautique ou envoyez-le en PDF."
        ) from None
    if kind is None:
        raise ValidationError(
            f"Le fichier « {name} » n'est pas d'un type accepté (son contenu a été vérifié, pas "
            f"seulement son nom). Types acceptés : {ACCEPTED}."
        )
    if EXTENSIONS.get(extension) != kind:
        raise ValidationError(
            f"Le nom du fichier « {name} » ne correspond pas à son contenu ({kind.label}) : "
            f"renommez-le en .{kind.extension} ou choisissez le bon fichier."
        )
    return kind


def check_sheet_room(sheet: ActionSheet, size: int) -> None:
    """Refuse (French message) a file that would take the sheet past its number of files or
    its total size. Every stored file counts, removed and pending ones too: they stay on the
    disk for the history, so removing a file does not make room."""
    stored = Attachment.objects.filter(sheet=sheet)
    count = stored.count()
    max_files = settings.ATTACHMENT_MAX_FILES_PER_SHEET
    if count >= max_files:
        raise ValidationError(
            f"Cette fiche a déjà {count} fichiers (en comptant ceux retirés, gardés dans "
            f"l'historique) : au plus {max_files}. Regroupez vos documents en un seul PDF ou "
            "écrivez à un modérateur."
        )
    total = sum(stored.values_list("size", flat=True))
    max_bytes = settings.ATTACHMENT_MAX_BYTES_PER_SHEET
    if total + size > max_bytes:
        raise ValidationError(
            f"Les fichiers de cette fiche pèsent déjà {filesizeformat(total)} : avec celui-ci, "
            f"ils dépasseraient {filesizeformat(max_bytes)} (au plus {max_bytes} octets par "
            "fiche, en comptant les fichiers retirés, gardés dans l'historique)."
        )


def store(sheet: ActionSheet, upload, kind: FileKind, *, hidden: bool = False) -> Attachment:
    """Save the file under a random name of ours. `hidden` files (the pending edit of a
    published sheet) are stored as removed until the edit is published."""
    attachment = Attachment(
        sheet=sheet,
        name=safe_display_name(upload.name or "", kind),
        storage_name=f"{uuid.uuid4().hex}.{kind.extension}",
        size=upload.size,
        content_type=kind.content_type,
        removed_at=timezone.now() if hidden else None,
    )
    upload.seek(0)
    path = attachment.file.field.generate_filename(attachment, attachment.storage_name)
    try:
        attachment.file.save(attachment.storage_name, upload, save=False)
        attachment.save()
    except BaseException:
        discard_file(attachment.file.name or path, attachment.file.storage)
        raise
    return attachment


def discard_file(name: str, storage) -> None:
    """Delete a stored file whose database row will not exist (failed save, rolled back)."""
    try:
        if name and storage.exists(name):
            storage.delete(name)
    except OSError:
        pass
