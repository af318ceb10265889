"""SheetQuery: a validated catalogue query, as plain values (built by SearchForm.to_query())."""

from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

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

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevance" and not self.q.strip():
            return DEFAULT_SORT
        return self.sort or ("relevance" if self.q.strip() else DEFAULT_SORT)

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, k) for k in MULTI_KEYS) or bool(self.year_min or self.year_max)

    def to_params(self) -> list[tuple[str, str]]:
        """Query-string pairs, in field order (stable, so URLs are bookmarkable and comparable)."""
        params = []
        for f in fields(self):
            params.extend(SheetQuery._pairs(f.name, getattr(self, f.name)))
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
                (after if seen else before).extend(SheetQuery._pairs(f.name, getattr(self, f.name)))
        head, tail = urlencode(before), urlencode(after)
        current = getattr(self, name)

        def querystring(value) -> str:
            if value in current:
                values = tuple(v for v in current if v != value)
            else:
                values = (*current, value)
            middle = urlencode([(name, str(v)) for v in values])
            return "&".join(part for part in (head, middle, tail) if part)

        return querystring

    @staticmethod
    def _pairs(name: str, value) -> list[tuple[str, str]]:
        if isinstance(value, tuple):
            return [(name, str(v)) for v in value]
        return [(name, str(value))] if value not in ("", None) else []

    def toggled(self, name: str, value) -> "SheetQuery":
        """This query with `value` added to or removed from the multi-valued filter `name`."""
        current = getattr(self, name)
        if value in current:
            return replace(self, **{name: tuple(v for v in current if v != value)})
        return replace(self, **{name: (*current, value)})

    def without_filters(self) -> "SheetQuery":
        return SheetQuery(q=self.q, sort=self.sort)
