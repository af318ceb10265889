"""Text helpers of search results: highlighted snippets and plain excerpts (the terms themselves
come from search.analysis)."""

import re

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
    matching words wrapped in <mark>; None when no word matches."""
    if not text or not terms:
        return None
    all_words = list(_WORD.finditer(text))
    first = next(
        (
            i
            for i, m in enumerate(all_words)
            if not terms.isdisjoint(analysis.word_terms(m.group()))
        ),
        None,
    )
    if first is None:
        return None
    start_word = max(0, first - size // 3)
    end_word = min(len(all_words), start_word + size)
    hits = [
        i
        for i in range(start_word, end_word)
        if not terms.isdisjoint(analysis.word_terms(all_words[i].group()))
    ]
    start = all_words[start_word].start() if start_word else 0
    end = all_words[end_word - 1].end() if end_word < len(all_words) else len(text)
    pieces = ["… " if start else ""]
    cursor = start
    for i in hits:
        s, e = all_words[i].start(), all_words[i].end()
        if s < start or e > end:
            continue
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
