"""French agreement in templates (a builtin library, no {% load %} needed):

{{ total|compte:"fiche" }}            aucune fiche · 1 fiche · 2 fiches
{{ total|compte:"champ utile" }}      aucun champ utile · 3 champs utiles
{{ total|accord:"fiche" }}            the noun alone: fiche · fiches
Autres actions {{ structure.name|de }}   du Trait d'Union · d'ADESIR
"""

from django import template

from catalogue.display import display_label
from essaimage.lib import french

register = template.Library()


@register.filter
def compte(count, phrase: str) -> str:
    return french.count_noun(int(count or 0), phrase)


@register.filter
def accord(count, phrase: str) -> str:
    if "|" in phrase:
        singular, plural = phrase.split("|", 1)
        return french.agree(int(count or 0), singular, plural)
    return french.agree(int(count or 0), phrase)


@register.filter(name="de")
def de_filter(name) -> str:
    return french.de(str(name))


@register.filter
def fiches(count) -> str:
    """ "fiche" or "fiches" for a number printed just before."""
    return french.agree(int(count or 0), "fiche")


@register.filter
def libelle(label) -> str:
    """A vocabulary label as pages show it (catalogue.display): "familles" -> "Familles"."""
    return display_label(str(label))
