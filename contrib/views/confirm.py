"""Confirmation of actions that are public or undo work, without JavaScript."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Accounts


def unconfirmed(
    request: HttpRequest,
    *,
    question: str,
    consequence: str,
    button: str,
    cancel_url: str,
    comment: str = "",
) -> HttpResponse | None:
    """A moderator's action that is public or undoes work is confirmed first, without
    JavaScript: the first POST answers this page, whose form posts the same fields back with
    `confirmation=oui`. None once confirmed (the action goes ahead)."""
    if request.POST.get("confirmation") == "oui":
        return None
    fields = [
        (name, value)
        for name, value in request.POST.items()
        if name not in ("csrfmiddlewaretoken", "confirmation")
    ]
    return render(
        request,
        "contrib/confirm_action.html",
        {
            "question": question,
            "consequence": consequence,
            "button": button,
            "cancel_url": cancel_url,
            "comment": comment,
            "fields": fields,
        },
    )
