"""Forms of accounts, sheet writing and moderation. They validate; services do the work."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError

from catalogue.fields import SHEET_FIELDS
from catalogue.models import (
    Departement,
    Structure,
)
from contrib import attachments, editing, throttle
from contrib.models import User
from essaimage.lib import limits
from search import analysis, thesaurus
from search.models import ThesaurusEntry
from stats.amounts import parse_number

# Sections of the form, in SENACS order (PRODUCT §2); each is a <fieldset>. A section runs from
# its first field to the next section's first (SheetForm's order: catalogue.fields.SHEET_FIELDS).
SECTION_STARTS = (
    ("identite", "L'action en bref", "title"),
    ("themes", "Thèmes et résumé", "keywords"),
    ("qui", "Qui, où, pour qui", "initiators"),
    ("partenaires", "Partenaires et moyens", "action_partners"),
    ("resultats", "Résultats", "results_territory"),
    ("suite", "Suite de l'action", "limits"),
)
# The help of a sheet field in the form: (help text, rows) for texts, help text for lists.
TEXT_HELP = {
    "end_reason": ("Seulement si l'action est terminée : pourquoi s'est-elle arrêtée ?", 3),
    "summary": ("En quelques lignes : quoi, pour qui, avec qui.", 4),
    "initiators_detail": ("Si vous avez coché « Autre ».", 2),
    "experience": ("Objectifs, acteurs, différentes phases.", 8),
    "financial_resources": ("Montants et financeurs, par exemple « 1 000 € Caf ».", 4),
    "people_mobilized": ("Salariés, bénévoles, habitants…", 3),
    "limits": ("Ce qui n'a pas marché, les difficultés rencontrées.", 4),
    "perspectives": ("Ce qui est prévu ensuite.", 4),
}
LIST_HELP = {
    "keywords": "Cochez tous les thèmes qui conviennent.",
    "financial_partners": "Ceux qui ont financé l'action.",
}


def _label(name: str) -> str:
    return editing.field_label(name)


def _text(name: str, help_text: str = "", rows: int = 5) -> forms.CharField:
    # strip=False: leading spaces and blank lines of tables pasted from SENACS are meaningful.
    return forms.CharField(
        label=_label(name),
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VocabularyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_label  # corrected spelling; the stored label stays


class VocabularyMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_label


def _choice(name: str, model) -> forms.ModelChoiceField:
    return VocabularyChoiceField(
        label=_label(name),
        queryset=model.objects.all(),
        required=False,
        empty_label="Non précisé",
        widget=forms.RadioSelect,
    )


def _multiple(name: str, model, help_text: str = "") -> forms.ModelMultipleChoiceField:
    return VocabularyMultipleChoiceField(
        label=_label(name),
        queryset=model.objects.all(),
        required=False,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


# A list field followed by a free proposal a moderator reviews: field -> (name, label, help).
PROPOSALS = {
    "keywords": (
        "new_keyword",
        "Autre mot clé (proposition)",
        "Si aucun mot clé ne convient, proposez-en un : un modérateur le relira.",
    ),
    "financial_partners": (
        "new_partner",
        "Autre type de partenaire (proposition)",
        "Si vous avez coché « Autre » : quel partenaire ? Un modérateur relira la proposition.",
    ),
}


def _sheet_form_fields() -> dict[str, forms.Field]:
    """SheetForm's fields: the version read, then every field of a sheet in SENACS order (the
    year after the title), with a proposed value after the keywords and after the partners."""
    fields: dict[str, forms.Field] = {
        "version": forms.IntegerField(widget=forms.HiddenInput, min_value=1),
        "title": forms.CharField(
            label="Titre de l'action",
            max_length=editing.TITLE_MAX,
            help_text="Un titre court qui dit ce que fait l'action, par exemple « Café des parents ».",
        ),
        "year": forms.IntegerField(
            label="Année",
            required=False,
            min_value=1900,
            max_value=2100,
            help_text="Année de l'action, sur quatre chiffres.",
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        ),
    }
    for name in SHEET_FIELDS[1:]:
        if name in editing.CHOICE_FIELDS:
            fields[name] = _choice(name, editing.CHOICE_FIELDS[name])
        elif name in editing.LIST_FIELDS:
            fields[name] = _multiple(name, editing.LIST_FIELDS[name], LIST_HELP.get(name, ""))
        else:
            fields[name] = _text(name, *TEXT_HELP.get(name, ()))
        if name in PROPOSALS:
            proposal, label, help_text = PROPOSALS[name]
            fields[proposal] = forms.CharField(
                label=label, required=False, max_length=200, help_text=help_text
            )
    return fields


def _sections(names) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(slug, title, field names) of each section: the form's fields cut at SECTION_STARTS."""
    names = list(names)
    starts = [names.index(first) for _, _, first in SECTION_STARTS] + [len(names)]
    return tuple(
        (slug, title, tuple(names[start:end]))
        for (slug, title, _), start, end in zip(SECTION_STARTS, starts, starts[1:], strict=False)
    )


# A form class of the generated fields, SheetForm's base (its fields come first, in order).
_SheetFields = type(forms.Form)(
    "_SheetFields", (forms.Form,), {"__module__": __name__, **_sheet_form_fields()}
)


class SheetForm(_SheetFields):
    """Every field of a sheet, SENACS labels and order."""

    def clean(self):
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, "Ce texte contient un caractère nul : retirez-le.")
        return data

    def sections(self):
        for slug, title, names in SECTIONS:
            yield {"slug": slug, "title": title, "fields": [self[name] for name in names]}

    def to_data(self) -> dict:
        """cleaned_data as the editing services expect it (a proposed keyword joins the list)."""
        d = self.cleaned_data
        data = {name: d[name] for name in editing.FIELDS if name in d}
        data["keywords"] = list(d["keywords"])
        if d.get("new_keyword"):
            data["keywords"].append(d["new_keyword"])
        if d.get("new_partner"):
            data["action_partners"] = [*d["action_partners"], d["new_partner"]]
        return data

    @classmethod
    def initial_from(cls, data: dict, version: int) -> dict:
        """Initial values from a snapshot."""
        initial = {name: value for name, value in data.items() if name != "attachments"}
        initial["version"] = version
        return initial


SECTIONS = _sections(name for name in SheetForm.base_fields if name != "version")


class NewSheetForm(forms.Form):
    structure = forms.ModelChoiceField(
        label="Structure organisatrice", queryset=None, empty_label=None
    )
    title = forms.CharField(label="Titre de l'action", max_length=editing.TITLE_MAX)

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures.select_related("departement")


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Ajouter un fichier",
        help_text=f"{attachments.ACCEPTED}.",
        # On the edit page the file belongs to the edit form (its upload button saves the text
        # first): the input sits beside the form, tied to it by the `form` attribute.
        widget=forms.ClearableFileInput(
            attrs={"accept": attachments.ACCEPT_ATTRIBUTE, "form": "sheet-form"}
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire pour l'auteur",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qu'il faut revoir avant publication. Il sera envoyé par courriel.",
    )


class MergeForm(forms.Form):
    # The review page offers the candidates as radio buttons (moderation.merge_candidates).
    target = forms.IntegerField(label="Fiche à conserver", min_value=1)


class RenameValueForm(forms.Form):
    label = forms.CharField(label="Nouveau libellé", max_length=200)


class MapValueForm(forms.Form):
    onto = forms.IntegerField(label="Rattacher à", widget=forms.Select)

    def __init__(self, *args, value, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = type(value).objects.exclude(pk=value.pk).order_by("label")
        self.fields["onto"].widget.choices = [(v.pk, v.label) for v in self.choices]

    def clean_onto(self):
        found = self.choices.filter(pk=self.cleaned_data["onto"]).first()
        if found is None:
            raise forms.ValidationError("Choisissez une valeur existante du même vocabulaire.")
        return found


class JoinSearchForm(forms.Form):
    departement = forms.ModelChoiceField(
        label="Département",
        queryset=Departement.objects.all(),
        required=False,
        empty_label="Tous",
    )
    q = forms.CharField(label="Nom de la structure", max_length=200, required=False)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Votre fonction dans la structure, par exemple.",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique de la personne invitée")


class LoginForm(AuthenticationForm):
    """E-mail and password, refused for a while after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "throttled": (
            "Trop de tentatives de connexion ont échoué. Réessayez dans 15 minutes ou "
            "réinitialisez votre mot de passe."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An e-mail keyboard on phones, and the browser checks the address's shape.
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs["autocomplete"] = "email"

    def clean_username(self) -> str:
        # Addresses are stored lower-case (UserManager); people type them any way.
        return self.cleaned_data["username"].strip().lower()

    def _ip(self) -> str:
        return limits.client_address(self.request) if self.request else ""

    def clean(self):
        email = self.data.get("username", "")
        # Counted before the password is checked, in one step (see contrib.throttle).
        if not throttle.attempt(email, self._ip()):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        data = super().clean()
        throttle.reset(email, self._ip())
        return data


class SignUpForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")
        labels = {"first_name": "Prénom", "last_name": "Nom"}

    def clean_email(self):
        # No "this address is taken": contrib.accounts.sign_up tells the mailbox, not the page.
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self):
        """Skipped for the same reason (the model form would say the address exists)."""


class InvitationSignUpForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    password1 = forms.CharField(label="Mot de passe", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label="Confirmation du mot de passe", widget=forms.PasswordInput, strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class StructureContactForm(forms.ModelForm):
    """The public contact details of a structure ("Contacter la structure" on its sheets)."""

    class Meta:
        model = Structure
        fields = ("address", "postcode", "commune", "phone", "email", "hide_email", "website")
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "email": "Une adresse de la structure (accueil@…), pas celle d'une personne.",
            "website": "Adresse complète, par exemple https://www.centre-social.fr.",
        }

    hide_email = forms.BooleanField(
        label="Ne pas afficher ce courriel sur le site",
        required=False,
        help_text="Les visiteurs vous écrivent alors par le formulaire de mise en relation, qui "
        "vous transmet leur message sans montrer l'adresse (utile si elle nomme une personne).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.email:
            self.initial["hide_email"] = not self.instance.email_is_public

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (postcode.isdigit() and len(postcode) == 5):
            raise forms.ValidationError("Le code postal compte 5 chiffres.")
        return postcode

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and sum(ch.isdigit() for ch in phone) < 10:
            raise forms.ValidationError("Le numéro de téléphone compte au moins 10 chiffres.")
        return phone


class ThesaurusEntryForm(forms.ModelForm):
    """A group of the search thesaurus (search.ThesaurusEntry), as moderators write it."""

    MAX_EXPRESSIONS = 30

    class Meta:
        model = ThesaurusEntry
        fields = ["kind", "expressions"]
        labels = {"kind": "Type de groupe", "expressions": "Expressions"}
        help_texts = {
            "expressions": (
                "Au moins deux expressions séparées par des virgules, par exemple : "
                "jardin, potager, jardinage. Pour un sigle : le sigle puis son développement. "
                "Pour un terme générique : le terme, « > » puis les termes spécifiques "
                "(spectacle > théâtre, concert)."
            )
        }
        widgets = {"expressions": forms.Textarea(attrs={"rows": 2, "maxlength": 2000})}

    def clean_expressions(self):
        raw = self.cleaned_data["expressions"]
        if len(raw) > 2000:
            raise forms.ValidationError("2 000 caractères au plus.")
        return raw

    def clean(self):
        cleaned = super().clean()
        raw, kind = cleaned.get("expressions"), cleaned.get("kind")
        if raw is None or kind is None:
            return cleaned
        try:
            if kind == ThesaurusEntry.Kind.HIERARCHY:
                cleaned["expressions"] = self._hierarchy(raw)
            else:
                if thesaurus.HIERARCHY_MARK in raw:
                    raise forms.ValidationError(
                        "Le signe « > » ne sert que pour un groupe « Terme générique et termes "
                        "spécifiques »."
                    )
                cleaned["expressions"] = ", ".join(self._expressions(raw, at_least=2))
        except forms.ValidationError as error:
            self.add_error("expressions", error)
        return cleaned

    def _hierarchy(self, raw: str) -> str:
        split = thesaurus.split_hierarchy(raw)
        if split is None:
            raise forms.ValidationError(
                "Écrivez le terme générique, le signe « > » puis les termes spécifiques séparés "
                "par des virgules, par exemple : spectacle > théâtre, concert."
            )
        if not split[0]:
            raise forms.ValidationError("Écrivez le terme générique avant le signe « > ».")
        broader = self._expressions(split[0], at_least=1)
        if len(broader) != 1:
            raise forms.ValidationError("Un seul terme générique avant le signe « > ».")
        narrower = self._expressions(", ".join(split[1]), at_least=1)
        if any(analysis.terms(e) == analysis.terms(broader[0]) for e in narrower):
            raise forms.ValidationError(
                f"« {broader[0]} » ne peut pas être à la fois générique et spécifique."
            )
        return f"{broader[0]} > {', '.join(narrower)}"

    def _expressions(self, raw: str, *, at_least: int) -> list[str]:
        seen: dict[tuple[str, ...], str] = {}
        for expression in (" ".join(e.split()) for e in raw.split(",")):
            if not expression:
                continue
            if len(expression) > 200:
                raise forms.ValidationError(
                    f"« {expression[:40]}… » est trop longue (200 caractères au plus)."
                )
            terms = tuple(analysis.terms(expression))
            if not terms:
                raise forms.ValidationError(
                    f"« {expression} » ne contient aucun mot cherchable (seulement des mots "
                    "vides comme « le », « des »)."
                )
            seen.setdefault(terms, expression)
        if len(seen) < at_least:
            raise forms.ValidationError(
                "Il faut au moins deux expressions différentes, séparées par des virgules."
                if at_least == 2
                else "Il faut au moins un terme spécifique après le signe « > »."
            )
        if len(seen) > self.MAX_EXPRESSIONS:
            raise forms.ValidationError(f"{self.MAX_EXPRESSIONS} expressions au plus par groupe.")
        return list(seen.values())


class RelayMessageForm(forms.Form):
    """The "mise en relation" message a visitor sends to a structure (contrib.relay)."""

    name = forms.CharField(label="Votre nom (facultatif)", required=False, max_length=100)
    email = forms.EmailField(
        label="Votre courriel",
        max_length=254,
        help_text="Pour la réponse ; vous recevrez une copie de votre message.",
        error_messages={
            "required": "Indiquez votre courriel pour recevoir la réponse.",
            "invalid": "Ce courriel n'est pas valide (exemple : prenom@exemple.fr).",
        },
    )
    message = forms.CharField(
        label="Votre message",
        min_length=10,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Écrivez votre message.",
            "min_length": "Votre message est trop court (10 caractères au moins).",
            "max_length": "Votre message est trop long (3 000 caractères au plus).",
        },
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class FiguresForm(forms.Form):
    """A contributor's budget and number of people for a sheet; empty = what the text says."""

    budget = forms.CharField(
        label="Budget total de l'action (en euros)",
        required=False,
        max_length=20,
        help_text="Par exemple 22 475 ou 2640,20. Laissez vide pour garder le montant lu dans "
        "« Ressources financières mobilisées ».",
    )
    people = forms.CharField(
        label="Nombre de personnes mobilisées ou touchées",
        required=False,
        max_length=20,
        help_text="Un nombre entier. Laissez vide pour garder le nombre lu dans la fiche.",
    )

    def clean_budget(self) -> Decimal | None:
        raw = self.cleaned_data["budget"].replace("€", "").replace("euros", "").strip()
        if not raw:
            return None
        try:
            value = parse_number(raw)
        except (InvalidOperation, ValueError):
            raise ValidationError(
                f"Budget : « {raw} » n'est pas un montant (écrivez par exemple 22 475 ou 2640,20)."
            ) from None
        if value < 0 or value >= Decimal("1e12"):
            raise ValidationError(
                "Budget : le montant doit être positif et inférieur à mille milliards."
            )
        return value.quantize(Decimal("0.01"))

    def clean_people(self) -> int | None:
        written = self.cleaned_data["people"].strip()
        raw = "".join(ch for ch in written if not ch.isspace())
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError(
                f"Nombre de personnes : « {written} » n'est pas un nombre entier positif."
            )
        if len(raw) > 9:
            raise ValidationError("Nombre de personnes : au plus 999 999 999.")
        return int(raw)
