"""The portal administrators' form: plain fields whose clean_ methods normalise and explain."""

from django import forms
from django.http import QueryDict

from catalogue.models import ActionSheet
from contrib.attachments import GIF, JPEG, PNG, WEBP, sniff
from portals.colours import contrast_problem
from portals.models import FILTER_CHOICES, Portal
from search.forms import SearchForm

LOGO_MAX_BYTES = 512 * 1024
LOGO_KINDS = (PNG, JPEG, GIF, WEBP)
MAX_LISTED = 50


def _query_errors(raw: str, what: str) -> str:
    """The catalogue's own messages about a query string, or ""."""
    messages = SearchForm(QueryDict(raw)).error_messages()
    return f"{what} : " + " ".join(messages) if messages else ""


def _sheet_ids(raw: str, label: str) -> list[int]:
    tokens = [t for t in raw.replace(",", " ").replace(";", " ").split() if t]
    bad = [t for t in tokens if not t.isdigit() or len(t) > 12]
    if bad:
        raise forms.ValidationError(
            f"{label} : numéros de fiches attendus, séparés par des espaces "
            f"(non compris : {', '.join(bad[:5])})."
        )
    ids = list(dict.fromkeys(int(t) for t in tokens))
    if len(ids) > MAX_LISTED:
        raise forms.ValidationError(f"{label} : au plus {MAX_LISTED} fiches.")
    known = set(ActionSheet.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [str(i) for i in ids if i not in known]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise forms.ValidationError(
            f"{label} : fiche{plural} publiée{plural} introuvable{plural} : {', '.join(unknown)}."
        )
    return ids


class PortalForm(forms.Form):
    title = forms.CharField(label="Titre", max_length=120)
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Paragraphes séparés par une ligne vide, *italique*, **gras**, "
        "[texte du lien](https://…), listes à tirets (« - »).",
    )
    selection = forms.CharField(
        label="Sélection",
        required=False,
        max_length=2000,
        help_text="La partie après « ? » d'une adresse du catalogue, par exemple "
        "departement=25&keywords=numerique.",
    )
    shown_filters = forms.MultipleChoiceField(
        label="Filtres affichés",
        required=False,
        choices=FILTER_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : tous les filtres.",
    )
    offered_values = forms.CharField(
        label="Valeurs proposées",
        required=False,
        max_length=2000,
        help_text="Facultatif : limiter les valeurs d'un filtre, au format d'une requête, "
        "par exemple publics=familles&publics=jeunes.",
    )
    highlighted = forms.CharField(
        label="Fiches mises en avant",
        required=False,
        max_length=1000,
        help_text="Numéros des fiches, séparés par des espaces : elles viennent en premier.",
    )
    excluded = forms.CharField(
        label="Fiches exclues",
        required=False,
        max_length=1000,
        help_text="Numéros des fiches que le portail ne montre jamais.",
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG, GIF ou WebP, 512 Ko au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.gif,.webp"}),
    )
    logo_alt = forms.CharField(
        label="Texte du logo",
        required=False,
        max_length=120,
        help_text="Ce que dit le logo, lu par les lecteurs d'écran (ex. « Fédération du Doubs »).",
    )
    logo_link = forms.URLField(label="Lien du logo", required=False, assume_scheme="https")
    header_background = forms.CharField(
        label="Fond du bandeau", widget=forms.TextInput(attrs={"type": "color"})
    )
    header_text = forms.CharField(
        label="Texte du bandeau", widget=forms.TextInput(attrs={"type": "color"})
    )
    accent = forms.CharField(
        label="Couleur des liens", widget=forms.TextInput(attrs={"type": "color"})
    )

    def _colour(self, name: str) -> str:
        value = self.cleaned_data[name].strip().lower()
        Portal._meta.get_field(name).run_validators(value)
        return value

    def clean_header_background(self):
        return self._colour("header_background")

    def clean_header_text(self):
        return self._colour("header_text")

    def clean_accent(self):
        return self._colour("accent")

    def clean_selection(self):
        raw = self.cleaned_data["selection"].strip().lstrip("?")
        problem = _query_errors(raw, "Sélection")
        if problem:
            raise forms.ValidationError(problem)
        return raw

    def clean_offered_values(self):
        raw = self.cleaned_data["offered_values"].strip().lstrip("?")
        problem = _query_errors(raw, "Valeurs proposées")
        if problem:
            raise forms.ValidationError(problem)
        return raw

    def clean_highlighted(self):
        return _sheet_ids(self.cleaned_data["highlighted"], "Fiches mises en avant")

    def clean_excluded(self):
        return _sheet_ids(self.cleaned_data["excluded"], "Fiches exclues")

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return upload
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError("Logo trop lourd : 512 Ko au plus.")
        kind = sniff(upload)
        if kind not in LOGO_KINDS:
            raise forms.ValidationError(
                "Ce fichier n'est pas une image PNG, JPEG, GIF ou WebP (contenu vérifié, "
                "quelle que soit son extension)."
            )
        upload.name = f"logo.{kind.extension}"
        return upload

    def clean(self):
        cleaned = super().clean()
        background, text, accent = (
            cleaned.get("header_background"),
            cleaned.get("header_text"),
            cleaned.get("accent"),
        )
        if background and text:
            problem = contrast_problem(text, background, "le texte du bandeau sur son fond")
            if problem:
                self.add_error("header_text", problem)
        if accent:
            problem = contrast_problem(accent, "#ffffff", "les liens sur le fond blanc des pages")
            if problem:
                self.add_error("accent", problem)
        both = set(cleaned.get("highlighted") or ()) & set(cleaned.get("excluded") or ())
        if both:
            self.add_error(
                "excluded",
                "Une fiche ne peut pas être à la fois mise en avant et exclue : "
                + ", ".join(str(i) for i in sorted(both))
                + ".",
            )
        if cleaned.get("logo") and not cleaned.get("logo_alt"):
            self.add_error("logo_alt", "Indiquez ce que dit le logo (texte de remplacement).")
        return cleaned


class EmbedForm(forms.Form):
    """The "Intégrer sur votre site" generator (a GET form: the preview follows it)."""

    count = forms.IntegerField(label="Nombre de fiches", min_value=1, max_value=20, initial=5)
    order = forms.ChoiceField(
        label="Ordre",
        choices=[("recent", "les plus récentes"), ("relevance", "les plus pertinentes")],
        initial="recent",
    )
    q = forms.CharField(
        label="Mots à chercher (facultatif)", required=False, max_length=200, strip=True
    )
