"""SheetQuery: a validated catalogue query, as plain values (built by SearchForm.to_query())."""

from dataclasses import dataclass, fields, replace
from urllib.parse import quote_plus, urlencode

# Which filter a recognised place sets (search.places): a commune selects its structures.
PLACE_FILTERS = {"departement": "departement", "region": "region", "commune": "structure"}
# Fields that describe the recognition and never appear in a URL as such.
# Not carried in URLs: set again on each request by whoever set them (the search form, a portal).
_DERIVED = ("places", "typed_q", "exclude")

SORTS = {
    "relevance": "pertinence",
    "title": "titre",
    "departement": "département",
    "year": "année",
    "recent": "les plus récentes",
}
# Without words to rank by, the catalogue lists the most recent actions first (year of the
# action, then title): people come for ideas to take up, and a 2024 action is more likely to be
# running than a 2012 one. Not "recent" (publication date): every sheet imported from SENACS has
# the import's date. Not titles: only useful to someone who knows the title, and they search it.
DEFAULT_SORT = "year"
# Query-string keys that hold several values; they are also SheetQuery's tuple fields.
MULTI_KEYS = (
    "departement",
    "region",
    "keywords",
    "dimension",
    "status",
    "publics",
    "territory",
    "initiators",
    "action_partners",
    "financial_partners",
    "structure",
    "structure_type",
    "year",
)


@dataclass(frozen=True)
class Place:
    """A place recognised in the typed text (search.places): "en Gironde" -> département 33."""

    kind: str  # "departement", "region" or "commune"
    name: str  # the folded name it was recognised by ("gironde", "33"): what `as_text` names
    label: str  # "Gironde", "Alsace", "Saint-Denis"
    values: tuple  # the filter values it stands for (codes, or a commune's structure ids)
    typed: str  # as typed, with its cue words ("en Gironde")
    start: int  # its span in the typed text
    end: int
    added: tuple = ()  # the values it added to the filter (not already asked for)

    @property
    def filter_name(self) -> str:
        return PLACE_FILTERS[self.kind]

    @property
    def kind_label(self) -> str:
        if self.kind == "departement" and len(self.values) > 1:
            return "départements"  # a former région ("Alsace")
        return {"departement": "département", "region": "région", "commune": "commune"}[self.kind]


def cut_spans(text: str, spans) -> str:
    """`text` without the (start, end) spans, its spacing tidied."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return " ".join(text.split())


@dataclass(frozen=True)
class SheetQuery:
    q: str = ""
    departement: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    dimension: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()
    territory: tuple[str, ...] = ()
    initiators: tuple[str, ...] = ()
    action_partners: tuple[str, ...] = ()
    financial_partners: tuple[str, ...] = ()
    structure: tuple[int, ...] = ()
    structure_type: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    sort: str = ""  # "" = the default: relevance with text, DEFAULT_SORT without
    # Places typed in the text are kept as text when named here (a removed "lieu reconnu" chip).
    as_text: tuple[str, ...] = ()
    # Set by SearchForm when places were recognised: `q` is then the text without them, and
    # `typed_q` what the visitor typed (what URLs and the search box carry).
    places: tuple[Place, ...] = ()
    typed_q: str = ""
    # Sheets never listed, whatever else matches (a portal's excluded sheets: portals.middleware).
    exclude: tuple[int, ...] = ()

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevance" and not self.q.strip():
            return DEFAULT_SORT
        return self.sort or ("relevance" if self.q.strip() else DEFAULT_SORT)

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, k) for k in MULTI_KEYS) or bool(self.year_min or self.year_max)

    @property
    def shown_q(self) -> str:
        """The text as the visitor typed it, places included (the search box, URLs)."""
        if not self.places:
            return self.q
        if self.typed_q and cut_spans(self.typed_q, self._spans()) == self.q:
            return self.typed_q
        # The text was changed since (a spelling suggestion): the places follow it.
        return " ".join(filter(None, [self.q, *(p.typed for p in self.places)]))

    def _spans(self):
        return [(p.start, p.end) for p in self.places]

    def _url_value(self, name: str):
        """The value of field `name` as a URL carries it: the typed text, and filters without
        the values that recognised places added (the typed text brings them back)."""
        if name == "q":
            return self.shown_q
        if name in _DERIVED:
            return ""
        value = getattr(self, name)
        if self.places and isinstance(value, tuple):
            added = {v for p in self.places if p.filter_name == name for v in p.added}
            if added:
                return tuple(v for v in value if v not in added)
        return value

    def place_adding(self, name: str, value) -> Place | None:
        """The recognised place that put `value` in filter `name`, if any."""
        for place in self.places:
            if place.filter_name == name and value in place.added:
                return place
        return None

    def without_place(self, place: Place) -> "SheetQuery":
        """This query with `place` searched as text instead of as a filter."""
        rest = tuple(p for p in self.places if p != place)
        name = place.filter_name
        return replace(
            self,
            q=cut_spans(self.typed_q, [(p.start, p.end) for p in rest]),
            places=rest,
            as_text=(*self.as_text, place.name),
            **{name: tuple(v for v in getattr(self, name) if v not in place.added)},
        )

    def to_params(self) -> list[tuple[str, str]]:
        """Query-string pairs, in field order (stable, so URLs are bookmarkable and comparable)."""
        params = []
        for f in fields(self):
            params.extend(SheetQuery._pairs(f.name, self._url_value(f.name)))
        return params

    def querystring(self, **extra) -> str:
        params = self.to_params() + [(k, str(v)) for k, v in extra.items() if v not in ("", None)]
        return urlencode(params)

    def toggled_querystrings(self, name: str):
        """A function value -> `self.toggled(name, value).querystring()`, the other fields
        encoded once (a facet shows hundreds of values)."""
        before, after, seen = [], [], False
        for f in fields(self):
            if f.name == name:
                seen = True
            else:
                (after if seen else before).extend(
                    SheetQuery._pairs(f.name, self._url_value(f.name))
                )
        head, tail = urlencode(before), urlencode(after)
        current = self._url_value(name)
        # urlencode's pairs, each encoded once.
        key = quote_plus(name)
        chosen = [(v, f"{key}={quote_plus(str(v))}") for v in current]

        def querystring(value) -> str:
            if self.places and self.place_adding(name, value):
                return self.toggled(name, value).querystring()
            if value in current:
                middle = [pair for v, pair in chosen if v != value]
            else:
                middle = [pair for _, pair in chosen] + [f"{key}={quote_plus(str(value))}"]
            return "&".join(part for part in (head, *middle, tail) if part)

        return querystring

    @staticmethod
    def _pairs(name: str, value) -> list[tuple[str, str]]:
        if isinstance(value, tuple):
            return [(name, str(v)) for v in value]
        return [(name, str(value))] if value not in ("", None) else []

    def toggled(self, name: str, value) -> "SheetQuery":
        """This query with `value` added to or removed from the multi-valued filter `name`
        (removing a value a recognised place added searches that place as text)."""
        place = self.place_adding(name, value) if self.places else None
        if place is not None:
            return self.without_place(place)
        current = getattr(self, name)
        if value in current:
            return replace(self, **{name: tuple(v for v in current if v != value)})
        return replace(self, **{name: (*current, value)})

    def without_filters(self) -> "SheetQuery":
        """The text alone (with the places recognised in it, which stay as typed)."""
        kept = {}
        for place in self.places:
            name = place.filter_name
            kept[name] = (*kept.get(name, ()), *place.added)
        return SheetQuery(
            q=self.q,
            sort=self.sort,
            as_text=self.as_text,
            places=self.places,
            typed_q=self.typed_q,
            **kept,
        )
