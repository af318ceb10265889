"""Former name of search.engines.memory, kept for bench/worker.py (`fast.get_index()`)."""

from search.engines.memory import build_index, get_index, ready_index  # noqa: F401
