"""Stale suggestion labels answer while a background thread reads them again."""

import pytest

from catalogue.signals import sheets_changed
from essaimage.test import ensure_reference_data, make_sheet, make_structure
from search import autocomplete

# The refreshing thread has its own connection: it only sees committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def structures(text):
    result = autocomplete.suggest(text)
    return [s.label for g in result.groups if g.kind == "structure" for s in g.suggestions]


def test_stale_labels_answer_while_a_thread_reads_them_again(settings):
    ensure_reference_data()
    settings.SEARCH_FAST_PATH_BACKGROUND = True
    autocomplete.clear_cache()
    lac = make_structure("Centre social du Lac", dep="35")
    sheets_changed.send(sender=None, sheet_ids=[make_sheet(lac, "Repair Café du Lac").pk])
    assert structures("lac") == ["Centre social du Lac"]  # the first labels: built at once

    # A new generation (a structure edited): the old labels answer, a thread reads new ones.
    lac.name = "Centre social de l'Étang"
    lac.save()
    before = autocomplete._refreshing
    assert structures("lac") == ["Centre social du Lac"]
    refreshing = autocomplete._refreshing
    assert refreshing is not before, "stale labels must start a background refresh"
    refreshing.join(timeout=60)
    assert structures("lac") == []
    assert structures("etang") == ["Centre social de l'Étang"]
    autocomplete.clear_cache()
