"""SearchForm: the only parser of the catalogue's query string (pages, API, exports, feeds, statistics).

Bad values never raise: each is reported in `form.errors` with a French message and left out
of the query, so `to_query()` always gives a usable SheetQuery (the page shows the message and
a normal page; the API may answer 400 with the same errors).
"""

import dataclasses

from django import forms
from django.core.exceptions import ValidationError

from catalogue.models import (
    ActionStatus,
    Departement,
    Dimension,
    Initiator,
    Keyword,
    PartnerKind,
    Public,
    Region,
    Structure,
    Territory,
)
from search import places
from search.query import MULTI_KEYS, SORTS, SheetQuery

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
MAX_VALUES = 50
YEAR_RANGE = (1900, 2100)

# Multi-valued filters checked against a vocabulary: key -> (model, column, French noun).
VOCABULARY_FILTERS = {
    "keywords": (Keyword, "value", "Mot clé"),
    "dimension": (Dimension, "value", "Dimension"),
    "status": (ActionStatus, "value", "Statut"),
    "publics": (Public, "value", "Public"),
    "territory": (Territory, "value", "Territoire"),
    "initiators": (Initiator, "value", "Initiateur"),
    "action_partners": (PartnerKind, "value", "Partenaire d'action"),
    "financial_partners": (PartnerKind, "value", "Partenaire financier"),
    "departement": (Departement, "code", "Département"),
    "region": (Region, "code", "Région"),
}


class MultipleValueField(forms.Field):
    """Several string values of one key (?keywords=a&keywords=b), stripped and de-duplicated."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        printable = ("".join(ch for ch in str(v) if ch.isprintable()).strip() for v in value)
        cleaned = list(dict.fromkeys(v for v in printable if v))
        if len(cleaned) > MAX_VALUES:
            raise ValidationError(f"Trop de valeurs (au plus {MAX_VALUES}).")
        return cleaned


def _quote(values) -> str:
    return ", ".join(f"« {v} »" for v in values)


class SearchForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200, strip=True)
    departement = MultipleValueField(label="Département", required=False)
    region = MultipleValueField(label="Région", required=False)
    keywords = MultipleValueField(label="Mots clés", required=False)
    dimension = MultipleValueField(label="Dimension", required=False)
    status = MultipleValueField(label="Statut de l'action", required=False)
    publics = MultipleValueField(label="Public", required=False)
    territory = MultipleValueField(label="Territoire concerné", required=False)
    initiators = MultipleValueField(label="Qui est à l'initiative", required=False)
    action_partners = MultipleValueField(label="Partenaires d'action", required=False)
    financial_partners = MultipleValueField(label="Partenaires financiers", required=False)
    structure = MultipleValueField(label="Structure", required=False)
    structure_type = MultipleValueField(label="Type de structure", required=False)
    year = MultipleValueField(label="Année", required=False)
    year_min = forms.CharField(label="Année à partir de", required=False)
    year_max = forms.CharField(label="Année jusqu'à", required=False)
    sort = forms.CharField(label="Trier par", required=False)
    page = forms.CharField(label="Page", required=False)
    page_size = forms.CharField(label="Fiches par page", required=False)
    as_text = MultipleValueField(label="Lieux cherchés comme texte", required=False)
    exclude = MultipleValueField(label="Fiches exclues", required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.partial: dict = {}  # the valid part of each field, kept even when it has errors

    # -- helpers -----------------------------------------------------------------------------
    def _keep(self, name: str, value, bad=None, message: str = ""):
        self.partial[name] = value
        if bad:
            raise ValidationError(message)
        return value

    def _vocabulary(self, name: str):
        values = self.cleaned_data.get(name) or []
        if not values:
            return self._keep(name, [])
        model, column, noun = VOCABULARY_FILTERS[name]
        if name == "departement":
            values = [v.upper() for v in values]
        known = set(
            model.objects.filter(**{f"{column}__in": values}).values_list(column, flat=True)
        )
        good = [v for v in values if v in known]
        bad = [v for v in values if v not in known]
        plural = "s" if len(bad) > 1 else ""
        return self._keep(
            name, good, bad, f"{noun}{plural} inconnu{plural} : {_quote(bad)} (filtre ignoré)."
        )

    def _year(self, raw: str, name: str) -> int | None:
        try:
            year = int(raw)
        except ValueError:
            raise ValidationError(f"Année non valide : « {raw} » (filtre ignoré).") from None
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise ValidationError(f"Année hors limites : « {raw} » (filtre ignoré).")
        return year

    # -- fields ------------------------------------------------------------------------------
    def clean_q(self):
        # Control characters (NUL included, which PostgreSQL refuses) are never meant.
        return "".join(ch for ch in self.cleaned_data.get("q", "") if ch.isprintable()).strip()

    def clean_departement(self):
        return self._vocabulary("departement")

    def clean_region(self):
        return self._vocabulary("region")

    def clean_keywords(self):
        return self._vocabulary("keywords")

    def clean_dimension(self):
        return self._vocabulary("dimension")

    def clean_status(self):
        return self._vocabulary("status")

    def clean_publics(self):
        return self._vocabulary("publics")

    def clean_territory(self):
        return self._vocabulary("territory")

    def clean_initiators(self):
        return self._vocabulary("initiators")

    def clean_action_partners(self):
        return self._vocabulary("action_partners")

    def clean_financial_partners(self):
        return self._vocabulary("financial_partners")

    def clean_structure(self):
        values = self.cleaned_data.get("structure") or []
        ids = [int(v) for v in values if v.isdigit() and len(v) < 12]
        known = (
            set(Structure.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        )
        good = [i for i in ids if i in known]
        bad = [v for v in values if not (v.isdigit() and len(v) < 12 and int(v) in known)]
        return self._keep(
            "structure", good, bad, f"Structure inconnue : {_quote(bad)} (filtre ignoré)."
        )

    def clean_structure_type(self):
        values = self.cleaned_data.get("structure_type") or []
        good = [v for v in values if v in Structure.Type.values]
        bad = [v for v in values if v not in Structure.Type.values]
        return self._keep(
            "structure_type",
            good,
            bad,
            f"Type de structure inconnu : {_quote(bad)} (filtre ignoré).",
        )

    def clean_as_text(self):
        return self._keep("as_text", self.cleaned_data.get("as_text") or [])

    def clean_exclude(self):
        values = self.cleaned_data.get("exclude") or []
        good = [int(v) for v in values if v.isdigit() and len(v) < 12]
        bad = [v for v in values if not (v.isdigit() and len(v) < 12)]
        return self._keep("exclude", good, bad, f"Fiche inconnue : {_quote(bad)} (ignorée).")

    def clean_year(self):
        values = self.cleaned_data.get("year") or []
        good, bad = [], []
        for raw in values:
            try:
                good.append(self._year(raw, "year"))
            except ValidationError:
                bad.append(raw)
        return self._keep(
            "year",
            list(dict.fromkeys(good)),
            bad,
            f"Année non valide : {_quote(bad)} (filtre ignoré).",
        )

    def clean_year_min(self):
        raw = self.cleaned_data.get("year_min", "").strip()
        return self._keep("year_min", self._year(raw, "year_min") if raw else None)

    def clean_year_max(self):
        raw = self.cleaned_data.get("year_max", "").strip()
        return self._keep("year_max", self._year(raw, "year_max") if raw else None)

    def clean_sort(self):
        raw = self.cleaned_data.get("sort", "").strip()
        if raw and raw not in SORTS:
            raise ValidationError(f"Tri inconnu : « {raw} » (tri par défaut appliqué).")
        return self._keep("sort", raw)

    def clean_page(self):
        raw = self.cleaned_data.get("page", "").strip()
        if not raw:
            return self._keep("page", 1)
        if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
            raise ValidationError(
                f"Numéro de page non valide : « {raw} » (première page affichée)."
            )
        return self._keep("page", int(raw))

    def clean_page_size(self):
        raw = self.cleaned_data.get("page_size", "").strip()
        if not raw:
            return self._keep("page_size", DEFAULT_PAGE_SIZE)
        if not raw.isdigit() or int(raw) not in PAGE_SIZES:
            sizes = ", ".join(str(s) for s in PAGE_SIZES)
            raise ValidationError(
                f"Nombre de fiches par page non valide : « {raw} » (choisir parmi {sizes})."
            )
        return self._keep("page_size", int(raw))

    def clean(self):
        cleaned = super().clean()
        year_min, year_max = self.partial.get("year_min"), self.partial.get("year_max")
        if year_min and year_max and year_min > year_max:
            self.partial["year_min"], self.partial["year_max"] = year_max, year_min
        return cleaned

    # -- results -----------------------------------------------------------------------------
    def _value(self, name, default):
        self.errors  # noqa: B018  (runs the validation once)
        return self.partial.get(name, default)

    @property
    def page_number(self) -> int:
        return self._value("page", 1)

    @property
    def per_page(self) -> int:
        return self._value("page_size", DEFAULT_PAGE_SIZE)

    def error_messages(self) -> list[str]:
        """Every problem with the query string, as French sentences naming the field."""
        messages = []
        for name, errors in self.errors.items():
            # Our own messages name their field; Django's generic ones need the label.
            label = self.fields[name].label if name in ("q",) else ""
            for error in errors:
                messages.append(f"{label} : {error}" if label else str(error))
        return messages

    def to_query(self) -> SheetQuery:
        """The valid part of the query string, as a SheetQuery (never raises). Places named in
        the text (search.places) become filters and leave the text."""
        self.errors  # noqa: B018
        values = {name: tuple(self.partial.get(name, ())) for name in MULTI_KEYS}
        typed = (self.cleaned_data.get("q") or "") if "q" not in self.errors else ""
        recognition = places.recognise(typed, as_text=self.partial.get("as_text", ()))
        found = []
        for place in recognition.places:
            name = place.filter_name
            added = tuple(v for v in place.values if v not in values[name])
            values[name] = (*values[name], *added)
            found.append(dataclasses.replace(place, added=added))
        return SheetQuery(
            q=recognition.text,
            year_min=self.partial.get("year_min"),
            year_max=self.partial.get("year_max"),
            sort=self.partial.get("sort", ""),
            as_text=recognition.kept,
            places=tuple(found),
            typed_q=typed if found else "",
            exclude=tuple(self.partial.get("exclude", ())),
            **values,
        )
