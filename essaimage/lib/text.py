"""Text helpers that know nothing of sheets."""

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`´_/.,;:()\"«»]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)  # vocabulary labels and département names repeat on every sheet
def normalize_key(text: str) -> str:
    """A matching key tolerant of case, accents, hyphens, apostrophes and spacing.

    "Saône-et-Loire", "saone et loire" and "SAÔNE ET  LOIRE" give the same key.
    """
    text = strip_accents(text).casefold().replace("œ", "oe").replace("æ", "ae")
    return _SEPARATORS.sub(" ", text).strip()
