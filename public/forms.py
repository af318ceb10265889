"""Forms of the public pages."""

from django import forms

from discovery.models import SearchAlert


class AlertForm(forms.Form):
    email = forms.EmailField(
        label="Votre adresse e-mail",
        max_length=254,
        error_messages={
            "required": "Indiquez votre adresse e-mail.",
            "invalid": "Adresse e-mail invalide : vérifiez-la (exemple : nom@exemple.fr).",
        },
    )
    frequency = forms.ChoiceField(
        label="Fréquence",
        choices=SearchAlert.Frequency.choices,
        initial=SearchAlert.Frequency.WEEKLY,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez chaque semaine ou chaque mois."},
    )
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
