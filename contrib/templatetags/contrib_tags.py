from django import template

from contrib import access

register = template.Library()


@register.filter
def is_moderator(user) -> bool:
    """For the navigation only; every page still checks `contrib.access` itself."""
    return access.is_moderator(user)
