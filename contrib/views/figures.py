"""A sheet's figures as its contributors state them (budget, people), over stats.figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from contrib import access
from contrib.forms import FiguresForm
from stats.figures import correct_figures, refresh_figures
from stats.models import SheetFigures
from stats.templatetags.stats_figures import french_number


@login_required
def correct_sheet_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """A contributor states the budget and people of a sheet; their values win over the reading."""
    sheet = access.sheet_to_edit(request.user, pk)
    refresh_figures([sheet.pk])
    figures = SheetFigures.objects.filter(sheet=sheet).first()
    if request.method == "POST":
        form = FiguresForm(request.POST)
        if form.is_valid():
            correct_figures(
                sheet, form.cleaned_data["budget"], form.cleaned_data["people"], request.user
            )
            messages.success(request, "Chiffres enregistrés.")
            return redirect("stats:correct-figures", pk=sheet.pk)
    else:
        initial = {}
        if figures and figures.budget_corrected is not None:
            initial["budget"] = french_number(figures.budget_corrected)
        if figures and figures.people_corrected is not None:
            initial["people"] = str(figures.people_corrected)
        form = FiguresForm(initial=initial)
    return render(
        request, "stats/correct_figures.html", {"sheet": sheet, "figures": figures, "form": form}
    )
