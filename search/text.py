"""Text helpers of search results: highlighted snippets and plain excerpts (the terms themselves
come from search.analysis)."""

import re
from collections import deque

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search import analysis

_WORD = re.compile(r"[^\W_]+")
MARK_START = "<mark>"
MARK_END = "</mark>"
fold = analysis.fold


def words(text: str) -> list[str]:
    return _WORD.findall(text or "")


def highlight(text: str, terms: frozenset[str], *, size: int = 30) -> SafeString | None:
    """A window of about `size` words of `text` around the first matching word, HTML-escaped,
    matching words wrapped in <mark>; None when no word matches. Reads the words only as far as
    the window's end (texts run to thousands of words; 25 results per page)."""
    if not text or not terms:
        return None
    found = _WORD.finditer(text)
    lead = size // 3
    before: deque = deque(maxlen=lead)
    skipped = False  # words before the window
    for m in found:
        if not terms.isdisjoint(analysis.word_terms(m.group())):
            window = [*before, m]
            break
        if len(before) == lead:
            skipped = True
        before.append(m)
    else:
        return None
    for m in found:
        if len(window) == size:
            break
        window.append(m)
    else:
        m = None  # no word after the window
    start = window[0].start() if skipped else 0
    end = window[-1].end() if m is not None else len(text)
    pieces = ["… " if start else ""]
    cursor = start
    for word in window:
        if terms.isdisjoint(analysis.word_terms(word.group())):
            continue
        s, e = word.start(), word.end()
        pieces.append(escape(text[cursor:s]))
        pieces.append(MARK_START + escape(text[s:e]) + MARK_END)
        cursor = e
    pieces.append(escape(text[cursor:end]))
    pieces.append(" …" if end < len(text) else "")
    return mark_safe(" ".join("".join(pieces).split()))  # user text escaped above


def excerpt(text: str, *, size: int = 30) -> SafeString:
    """The first `size` words of `text`, escaped (a snippet when nothing is highlighted)."""
    found = list(_WORD.finditer(text or ""))
    if len(found) <= size:
        return escape(" ".join((text or "").split()))
    return escape(" ".join(text[: found[size - 1].end()].split()) + " …")
