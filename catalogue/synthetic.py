"""Moved to bench/synthetic.py (issue 12). Kept only for search/tests/test_fast_path.py, which
another branch is rewriting: delete this file once it imports `bench.synthetic`."""

from bench.synthetic import *  # noqa: F403
