from django import template

from contrib import access, relay

register = template.Library()


@register.filter
def is_moderator(user) -> bool:
    """For the navigation only; every page still checks `contrib.access` itself."""
    return access.is_moderator(user)


@register.simple_tag
def relay_recipient(structure):
    """Who a visitor reaches about `structure` (contrib.relay.recipient_for), or None."""
    return relay.recipient_for(structure)
