"""What both search engines answer, and the helpers they share: the page window, the snippets,
the corrected query ("Résultats pour « … »")."""

import math
import re
from dataclasses import dataclass, field, replace

from django.utils.safestring import SafeString

from catalogue.models import ActionSheet, Keyword
from search import text as french
from search.facets import Facet, FacetValue
from search.matching import TextMatch
from search.query import SheetQuery


@dataclass
class SearchResult:
    query: SheetQuery
    sheets: list[ActionSheet]
    total: int
    page: int
    num_pages: int
    per_page: int | None
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facet_groups: list[Facet] = field(default_factory=list)
    snippets: dict[int, SafeString] = field(default_factory=dict)
    # "Résultats pour « … »": the query with its unknown words corrected.
    suggestion: str | None = None
    # The results shown are those of `suggestion`; `exact_text` searches the words as typed.
    corrected: bool = False
    exact_text: str = ""
    # No sheet holds every concept: those holding the most (relaxed), or very few do and those
    # missing one concept follow them (widened).
    relaxed: bool = False
    widened: bool = False
    # Typed words (or phrases) no sheet holds: the others still found sheets.
    missing: tuple[str, ...] = ()
    # (value, label) of keywords the first results agree on (search.feedback), offered as filters.
    related_keywords: tuple[tuple[str, str], ...] = ()
    # (typed word no sheet holds, the dictionary synonyms searched instead: search.dictionary).
    stand_ins: tuple[tuple[str, tuple[str, ...]], ...] = ()
    requested_page: int = 1
    base_url: str = ""

    @property
    def rows(self) -> list[tuple[ActionSheet, SafeString | None]]:
        """(sheet, snippet) pairs, for templates."""
        return [(sheet, self.snippets.get(sheet.pk)) for sheet in self.sheets]

    @property
    def selected_filters(self) -> list[tuple[str, FacetValue]]:
        """(facet label, value) of every ticked value: the "active filters" with remove links."""
        return [(f.label, v) for f in self.facet_groups for v in f.values if v.selected]

    @property
    def suggestion_querystring(self) -> str:
        return replace(self.query, q=self.suggestion or "").querystring()

    @property
    def keyword_suggestions(self) -> list[tuple[str, str]]:
        """(label, query string with that keyword filter added) of the related keywords not
        already chosen."""
        chosen = set(self.query.keywords)
        return [
            (label, self.query.toggled("keywords", value).querystring())
            for value, label in self.related_keywords
            if value not in chosen
        ]

    @property
    def missing_notice(self) -> str:
        """ "Aucune fiche ne contient « x » : …" when a typed word found nothing (French)."""
        if not self.missing:
            return ""
        words = " ni ".join(f"« {w} »" for w in self.missing)
        if self.sheets or self.total:
            return f"Aucune fiche ne contient {words} : voici les fiches qui contiennent les autres mots."
        return f"Aucune fiche ne contient {words}."

    @property
    def stand_in_notices(self) -> list[str]:
        """ "Aucune fiche ne contient « chagrin » : recherché avec des mots de sens proche
        (tristesse, deuil)." per typed word searched through its synonyms (French)."""
        return [
            f"Aucune fiche ne contient « {word} » : recherché avec "
            + ("un mot de sens proche" if len(synonyms) == 1 else "des mots de sens proche")
            + f" ({', '.join(synonyms)})."
            for word, synonyms in self.stand_ins
        ]

    @property
    def notices(self) -> list[str]:
        """Every notice about the words searched, for the API."""
        return [*self.stand_in_notices, *([self.missing_notice] if self.missing else [])]

    @property
    def exact_querystring(self) -> str:
        return replace(self.query, q=self.exact_text).querystring()

    @property
    def clear_url(self) -> str:
        return f"{self.base_url}?{self.query.without_filters().querystring()}"

    @property
    def sort(self) -> str:
        return self.query.effective_sort

    @property
    def page_out_of_range(self) -> bool:
        return self.requested_page != self.page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        if not self.total:
            return 0
        return (self.page - 1) * (self.per_page or self.total) + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.sheets) - 1 if self.sheets else 0

    def page_url(self, number: int) -> str:
        extra = {"page": number if number > 1 else ""}
        if self.per_page and self.per_page != 25:
            extra["page_size"] = self.per_page
        return f"{self.base_url}?{self.query.querystring(**extra)}"

    @property
    def previous_url(self) -> str:
        return self.page_url(self.page - 1) if self.has_previous else ""

    @property
    def next_url(self) -> str:
        return self.page_url(self.page + 1) if self.has_next else ""

    @property
    def page_links(self) -> list[tuple[int | None, str]]:
        """(number, url) around the current page; (None, "") marks a gap."""
        wanted = {1, self.num_pages, *range(self.page - 2, self.page + 3)}
        links, previous = [], 0
        for number in sorted(n for n in wanted if 1 <= n <= self.num_pages):
            if number - previous > 1:
                links.append((None, ""))
            links.append((number, self.page_url(number)))
            previous = number
        return links


def corrected_text(text: str, corrections: dict[str, str], *, quote: bool = False) -> str:
    """`text` with each corrected word replaced by its suggestion (or quoted, to search it as
    typed: a quoted word is never corrected)."""
    for typed, spelling in corrections.items():
        replacement = f'"{typed}"' if quote else spelling
        text = re.sub(
            rf"(?<!\w){re.escape(typed)}(?!\w)", lambda m, r=replacement: r, text, count=1
        )
    return text


def page_bounds(total: int, page: int, per_page: int | None) -> tuple[int, int, int, int | None]:
    """(page, num_pages, offset, limit), the page clamped into range; per_page None = all."""
    if not per_page:
        return 1, 1, 0, None
    num_pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), num_pages)
    return page, num_pages, (page - 1) * per_page, per_page


def snippets_for(sheets: list[ActionSheet], match: TextMatch | None) -> dict[int, SafeString]:
    """Highlighted excerpts of the matched words, or the start of the summary without text."""
    from search.indexing import snippet_sources

    if not sheets or match is None:
        return {s.pk: french.excerpt(s.summary) for s in sheets}
    result = {}
    for sheet in sheets:
        sources = snippet_sources(sheet)
        found = next((h for src in sources if (h := french.highlight(src, match.highlight))), None)
        result[sheet.pk] = found or french.excerpt(next((src for src in sources if src), ""))
    return result


# What a result card reads (catalogue/_sheet_card.html, the portals' embeds): a few columns, the
# structure's name with its département, the status and the keywords. With a text match, the
# long texts a snippet may be cut from too. Only these: at 100,000 sheets, reading the
# structure's thirty columns and whole keyword rows was 2.5 ms of a 27 ms search
# (docs/benchmarks/2026-12-07-latency.md).
CARD_COLUMNS = (
    "title",
    "year",
    "summary",
    "structure__name",
    "structure__departement__code",
    "structure__departement__name",
    "status__value",
    "status__label",
    "status__position",
)
CARD_KEYWORD_COLUMNS = ("value", "label", "position")


def load_sheets(ids: list[int], match: TextMatch | None, *, records: bool) -> list[ActionSheet]:
    """The sheets `ids`, in that order: with every relation (`records`: API records), or only
    what a result card shows (two queries)."""
    if not ids:
        return []
    if records:
        qs = ActionSheet.objects.with_relations()
    else:
        from search.indexing import SNIPPET_FIELDS

        columns = (*CARD_COLUMNS, *SNIPPET_FIELDS) if match is not None else CARD_COLUMNS
        qs = ActionSheet.objects.select_related("structure__departement", "status").only(*columns)
    by_id = qs.in_bulk(ids)
    sheets = [by_id[pk] for pk in ids if pk in by_id]
    if not records:
        attach_card_keywords(sheets)
    return sheets


def attach_card_keywords(sheets: list[ActionSheet]) -> None:
    """Each sheet's keywords (ActionSheet.card_keywords), in the vocabulary's order, in one read
    of the (sheet, keyword) pairs with the few columns a card shows, one object per keyword:
    a prefetch built one per pair (3 ms of a 22 ms search at 100,000 sheets,
    docs/benchmarks/2026-12-07-latency.md)."""
    if not sheets:
        return
    pairs = (
        ActionSheet.keywords.through.objects.filter(actionsheet_id__in=[s.pk for s in sheets])
        .order_by(*(f"keyword__{name}" for name in Keyword._meta.ordering))
        .values_list(
            "actionsheet_id", "keyword_id", *(f"keyword__{c}" for c in CARD_KEYWORD_COLUMNS)
        )
    )
    keywords: dict[int, Keyword] = {}
    held: dict[int, list[Keyword]] = {}
    for sheet_id, keyword_id, *columns in pairs:
        if keyword_id not in keywords:
            keywords[keyword_id] = Keyword(
                pk=keyword_id, **dict(zip(CARD_KEYWORD_COLUMNS, columns, strict=True))
            )
        held.setdefault(sheet_id, []).append(keywords[keyword_id])
    for sheet in sheets:
        sheet.attached_keywords = held.get(sheet.pk, [])


def result_for(query, match, sheets, total, page, num_pages, per_page, base_url) -> "SearchResult":
    """The SearchResult of both paths (database and memory engines), facets aside."""
    corrections = match.corrections if match is not None else {}
    result = SearchResult(
        query=query,
        sheets=sheets,
        total=total,
        page=page,
        num_pages=num_pages,
        per_page=per_page,
        suggestion=corrected_text(query.q, corrections) if corrections else None,
        corrected=bool(corrections),
        exact_text=corrected_text(query.q, corrections, quote=True) if corrections else "",
        relaxed=bool(match and match.relaxed),
        widened=bool(match and match.widened),
        missing=tuple(getattr(match, "missing", ()) or ()) if match is not None else (),
        related_keywords=tuple(getattr(match, "related_keywords", ()) or ())
        if match is not None
        else (),
        stand_ins=tuple(getattr(match, "stand_ins", ()) or ()) if match is not None else (),
        base_url=base_url,
    )
    result.snippets = snippets_for(sheets, match)
    return result
