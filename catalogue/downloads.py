"""The one response that hands out an attached file, public or draft: always a download, never
rendered as a page (nosniff, and a sandbox that runs no script if a browser opens it anyway)."""

from django.http import FileResponse, Http404

from catalogue.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    if not attachment.file:
        raise Http404("Fichier indisponible.")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier indisponible.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
