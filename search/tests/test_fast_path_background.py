"""A stale in-memory index is rebuilt in a background thread; the database answers meanwhile."""

import pytest

from catalogue.signals import sheets_changed
from essaimage.test import ensure_reference_data, make_sheet, make_structure
from search.changes import log_state
from search.engines import memory as fast
from search.query import SheetQuery
from search.service import search_sheets

# The rebuilding thread has its own connection: it only sees committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stale_index_is_rebuilt_in_the_background_while_the_database_answers(settings):
    ensure_reference_data()
    settings.SEARCH_FAST_PATH = True
    settings.SEARCH_FAST_PATH_BACKGROUND = True
    lac = make_structure("Centre social du Lac", dep="35")
    sheet = make_sheet(lac, "Repair Café du Lac", summary="Réparer ensemble au bord du lac.")
    sheets_changed.send(sender=None, sheet_ids=[sheet.pk])  # indexes and makes the index stale
    query = SheetQuery(q="réparer lac")

    before = fast._rebuilding
    first = search_sheets(query)
    rebuilding = fast._rebuilding
    assert rebuilding is not before, "a stale index must start a background rebuild"
    assert [s.pk for s in first.sheets] == [sheet.pk]  # answered from the database

    rebuilding.join(timeout=60)
    index = fast.ready_index()
    assert index is not None and index.generation == log_state()[0]
    again = search_sheets(query)
    assert [s.pk for s in again.sheets] == [sheet.pk]
    assert again.facets == first.facets
