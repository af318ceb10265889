"""What the search service tells whoever watches it (operations.metrics counts these).

- `search_answered(engine="memory" | "database")`: after each search_sheets call;
- `index_loaded(seconds=…, generation=…)`: after a process built or loaded its memory index.
"""

from django.dispatch import Signal

search_answered = Signal()
index_loaded = Signal()
