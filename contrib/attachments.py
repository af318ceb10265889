"""Uploaded files: the type is read from the content (signatures, zip structure), never the name.

Hand-written checks rather than libmagic: the accepted list is short (PDF, images, OpenDocument
and Office Open XML) and each format has a reliable signature, so no dependency is needed.
"""

import re
import unicodedata
import uuid
import zipfile
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


def _sniff_zip(upload) -> FileKind | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return _ODF_TYPES.get(mimetype)
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
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
    kind = sniff(upload)
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
    attachment.file.save(attachment.storage_name, upload, save=False)
    attachment.save()
    return attachment
