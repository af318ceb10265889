"""A read-only stand-in for an ActionSheet built from a snapshot, so the public sheet template
can show a draft or a pending edit exactly as it would look once published."""

from typing import Any

from django.urls import reverse

from catalogue.models import ActionSheet, Attachment
from contrib import editing


class _Related(list):
    """A list that answers `.all()` like a related manager (templates call `sheet.keywords.all`)."""

    def all(self):
        return self


class _PreviewFile:
    """An attachment whose link works before publication (the contributors' download)."""

    def __init__(self, attachment: Attachment):
        self.pk = attachment.pk
        self.name = attachment.name
        self.size = attachment.size
        self.url = reverse("contrib:download-attachment", args=[attachment.pk])


class SheetPreview:
    def __init__(self, sheet: ActionSheet, data: dict[str, Any]):
        self.pk = sheet.pk
        self.id = sheet.pk
        self.structure = sheet.structure
        self.publication_status = sheet.publication_status
        self.is_preview = True
        self.title = data["title"]
        self.year = data["year"]
        for name in editing.TEXT_FIELDS:
            setattr(self, name, data[name])
        for name, model in editing.CHOICE_FIELDS.items():
            setattr(self, name, model.objects.filter(pk=data[name]).first() if data[name] else None)
        for name, model in editing.LIST_FIELDS.items():
            values = model.objects.filter(pk__in=data[name]).order_by("position", "label")
            setattr(self, name, _Related(values))
        files = Attachment.objects.filter(sheet_id=sheet.pk, pk__in=data["attachments"])
        self.attachments = _Related(_PreviewFile(a) for a in files)

    def get_absolute_url(self) -> str:
        return "#"
