from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from pages.models import Page


@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    shown = get_object_or_404(Page, slug=slug)
    return render(
        request,
        "pages/page.html",
        {"page": shown, "contact_email": settings.CONTACT_EMAIL},
    )
