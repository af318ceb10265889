"""Upload size enforced while the request streams in, not once the whole file is on disk."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


class MaxSizeUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive and drops the file
    (the next handlers stop receiving it, what they kept is deleted) once it passes
    ATTACHMENT_MAX_BYTES. The other fields (CSRF token, version) are still read, so the view can
    answer with a French message: see `refused_uploads`."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            refused = self.request.__dict__.setdefault("_refused_uploads", [])
            refused.append(self.file_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def refused_uploads(request: HttpRequest) -> list[str]:
    """Names of the files dropped while streaming because they were too large."""
    request.FILES  # noqa: B018 -- parses the body if nothing has yet
    return list(request.__dict__.get("_refused_uploads", []))
