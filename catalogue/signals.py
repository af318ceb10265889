"""Signals that let other apps follow the catalogue without the catalogue knowing them.

Whoever creates, edits or deletes sheets (importer, editing services, admin, API) sends
`sheets_changed` once the rows are written, inside the same transaction, with the ids touched.
The search app listens and re-indexes; an id that no longer exists is removed from the index.
"""

from django.dispatch import Signal

# kwargs: sheet_ids (iterable of int)
sheets_changed = Signal()
