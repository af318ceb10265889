"""What follows a change of sheets, in order: the one receiver of `catalogue.signals.sheets_changed`.

Whoever writes sheets (importer, editing, moderation, API, admin, merge) sends the signal once
the rows are written, inside its transaction, with the ids touched. The steps below then run in
this order, whatever the order of INSTALLED_APPS; each is a plain function of its app, tested
there, and says where its work is done.

The project package wires the layers together (as its URLs do): the catalogue sends, knowing no
receiver, and search, discovery and statistics never call each other for this.
"""

from collections.abc import Callable
from dataclasses import dataclass

from discovery import duplicates, similarity
from search import changes, indexing
from stats import figures


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[..., None]
    where: str  # in the request, or in the job worker


def _index(ids, **kwargs) -> None:
    indexing.index_sheets(ids)


def _duplicates(ids, *, pairs_later: bool = False, **kwargs) -> None:
    duplicates.follow_sheet_changes(ids, pairs_later=pairs_later)


STEPS = (
    Step("search index", _index, "request"),
    Step(
        "change log of the memory indexes",
        lambda ids, **kw: changes.follow_sheet_changes(ids),
        "request",
    ),
    Step(
        "similar actions",
        lambda ids, **kw: similarity.follow_sheet_changes(ids),
        "job worker for a few sheets, request for a batch",
    ),
    # After the similar actions: for a batch, it reads the profiles that step saved.
    Step(
        "probable duplicates",
        _duplicates,
        "job worker for a few sheets, request for a batch, end of an import",
    ),
    Step("observatory figures", lambda ids, **kw: figures.follow_sheet_changes(ids), "request"),
)


def follow(sender, sheet_ids=(), **kwargs) -> None:
    """The receiver: every step, in order."""
    ids = list(sheet_ids)
    for step in STEPS:
        step.run(ids, **kwargs)
