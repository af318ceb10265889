"""Keep each sheet's figures (budget, funders, people) in step with its text.

`refresh_figures(ids)` reads the texts of the given sheets again when they changed since the
last reading (hash), inside the caller's transaction. It follows `catalogue.signals.sheets_changed`,
which every writer sends (importer, editing and moderation services, API, backup, generator).
`correct_figures` records a contributor's values, which win over the reading.
"""

import hashlib
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from catalogue.bulk import insert_rows
from catalogue.models import ActionSheet
from search.changes import bump_generation
from stats.amounts import read_budget, read_people
from stats.models import SheetFigures, SheetFunding

CHUNK = 1000
# The columns of a new sheet's figures (the others, corrections, start empty).
NEW_FIGURES = (
    "sheet",
    "text_hash",
    "budget_read",
    "budget_source",
    "budget",
    "people_read",
    "people_source",
    "people",
)


def _hash(financial_resources: str, people_mobilized: str) -> str:
    text = f"{financial_resources}\x00{people_mobilized}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def refresh_figures(ids: Iterable[int], *, models=None) -> int:
    """Read again the sheets `ids` whose texts changed. Returns the number read.

    `models`: (ActionSheet, SheetFigures, SheetFunding) of a data migration's historical state.
    """
    Sheet, Figures, Funding = models or (ActionSheet, SheetFigures, SheetFunding)
    ids = sorted({int(i) for i in ids})
    read = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        texts = Sheet.objects.filter(pk__in=chunk).values_list(
            "pk", "financial_resources", "people_mobilized"
        )
        existing = Figures.objects.in_bulk(chunk)
        to_create, to_update, changed = [], [], []
        fundings = []
        for pk, money, people in texts:
            digest = _hash(money, people)
            figures = existing.get(pk)
            if figures is not None and figures.text_hash == digest:
                continue
            budget, count = read_budget(money), read_people(people)
            changed.append(pk)
            if budget:
                fundings.extend((pk, f.kind, f.label, f.amount) for f in budget.funders)
            budget_read = budget.total if budget else None
            people_read = count.count if count else None
            if figures is None:
                # A new sheet (an import, a generation): no correction yet, plain rows.
                to_create.append(
                    (
                        pk,
                        digest,
                        budget_read,
                        budget.source if budget else "",
                        budget_read,
                        people_read,
                        count.source if count else "",
                        people_read,
                    )
                )
                continue
            to_update.append(figures)
            figures.text_hash = digest
            figures.budget_read = budget_read
            figures.budget_source = budget.source if budget else ""
            figures.people_read = people_read
            figures.people_source = count.source if count else ""
            figures.budget = (
                figures.budget_corrected
                if figures.budget_corrected is not None
                else figures.budget_read
            )
            figures.people = (
                figures.people_corrected
                if figures.people_corrected is not None
                else figures.people_read
            )
        insert_rows(Figures, NEW_FIGURES, to_create)
        Figures.objects.bulk_update(
            to_update,
            [
                "text_hash",
                "budget_read",
                "budget_source",
                "budget",
                "people_read",
                "people_source",
                "people",
            ],
        )
        if changed:
            Funding.objects.filter(sheet_id__in=changed).delete()
            insert_rows(Funding, ("sheet", "kind", "label", "amount"), fundings)
        read += len(changed)
    return read


def correct_figures(
    sheet: ActionSheet, budget: Decimal | None, people: int | None, user
) -> SheetFigures:
    """Record a contributor's budget and people (None: back to what the text says)."""
    refresh_figures([sheet.pk])
    figures, _ = SheetFigures.objects.get_or_create(sheet=sheet)
    figures.budget_corrected = budget
    figures.people_corrected = people
    figures.corrected_by = user
    figures.corrected_at = timezone.now()
    figures.settle()
    figures.save()
    bump_generation()  # cached statistics must not keep the old figures
    return figures


def follow_sheet_changes(sheet_ids) -> None:
    """Step of the sheet-change pipeline (essaimage.sheet_changes): the observatory's stored
    figures. In the request."""
    refresh_figures(sheet_ids)
