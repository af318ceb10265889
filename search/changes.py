"""What the in-memory search indexes follow: a generation token and a log of changed sheets.

Both live in the database, so every worker of every app server sees them (no invalidation that
reaches only the local process):

- `IndexState.generation`, a random token, moves when anything but a sheet's own values changes
  (a vocabulary label, a structure, a département…) or when too many sheets change at once (an
  import): each worker then rebuilds its index (search.engines.memory), in the background. A
  token, not a counter: a rolled-back transaction must never bring back a value that an index
  was built for. The log is emptied at the same time.
- `IndexChange` rows, one per published sheet whose values changed: each worker reads the rows
  past the last one it applied and updates those sheets only (milliseconds).

A sheet that is not public and never was (a draft, a submitted sheet) changes nothing, and
neither does saving a published sheet's pending edit: its public values stay as they are.
`current_generation()` names the whole state (token and log), e.g. for caches of statistics.
"""

import uuid

from django.db import connection
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from catalogue import models as catalogue
from catalogue.bulk import insert_rows
from catalogue.models import ActionSheet, PublicationStatus
from search.models import IndexChange, IndexState

# More sheets than this in one write (an import): a full rebuild costs less than the changes.
MAX_LOGGED = 500
# A longer log is emptied by a full rebuild: workers far behind rebuild rather than catch up.
MAX_LOG = 2000
# The sheet columns a search reads (filters, facets, sorts, visibility); a save that touches none
# of them (a pending edit's version counter) changes nothing public.
INDEXED_FIELDS = frozenset(
    {
        "title",
        "year",
        "publication_status",
        "published_at",
        "created_at",
        "structure",
        "structure_id",
        "dimension",
        "dimension_id",
        "status",
        "status_id",
        "territory",
        "territory_id",
    }
)
# Sheet relations a search reads: name -> through model.
SHEET_RELATIONS = {
    name: getattr(ActionSheet, name).through
    for name in ("keywords", "initiators", "publics", "action_partners", "financial_partners")
}


def log_state() -> tuple[str, int, int]:
    """(token, number of rows of the log, last row id), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT generation FROM search_indexstate WHERE id = 1), COUNT(*), MAX(id) "
            "FROM search_indexchange"
        )
        token, count, last = cursor.fetchone()
    return token or "", count, last or 0


def current_generation() -> str:
    """The state of the public index (token, log size and last row): moves with every change."""
    token, count, last = log_state()
    return f"{token}:{count}:{last}"


def bump_generation() -> None:
    """Every worker rebuilds its whole index (and every cache keyed on the generation expires)."""
    token = uuid.uuid4().hex
    IndexChange.objects.all().delete()
    if not IndexState.objects.filter(pk=1).update(generation=token):
        IndexState.objects.update_or_create(pk=1, defaults={"generation": token})


def log_changes(sheet_ids, *, always: bool = False) -> None:
    """Record that these sheets' public values may have changed. Sheets that are not published
    and never were are left out (nothing public changed) unless `always`; deleted sheets are
    kept."""
    ids = {int(i) for i in sheet_ids}
    if not ids:
        return
    if len(ids) > MAX_LOGGED or IndexChange.objects.count() > MAX_LOG:
        bump_generation()
        return
    private = (
        set()
        if always
        else set(
            ActionSheet.objects.filter(pk__in=ids)
            .exclude(
                Q(publication_status=PublicationStatus.PUBLISHED) | Q(published_at__isnull=False)
            )
            .values_list("pk", flat=True)
        )
    )
    stamp = uuid.uuid4().hex[:8]
    insert_rows(IndexChange, ("sheet_id", "stamp"), [(pk, stamp) for pk in sorted(ids - private)])


# --- Receivers: every write that can change a search result -------------------------------------


def follow_sheet_changes(sheet_ids) -> None:
    """Step of the sheet-change pipeline (essaimage.sheet_changes): the change log the workers'
    memory indexes follow. In the request."""
    ids = list(sheet_ids)
    if ids:
        log_changes(ids)
    else:
        bump_generation()  # "something changed": follow everything


def _on_sheet_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and not INDEXED_FIELDS.intersection(update_fields)):
        return
    # Only a published sheet can be archived: it leaves the index, published_at set or not.
    log_changes([instance.pk], always=instance.publication_status == PublicationStatus.ARCHIVED)


def _on_sheet_deleted(sender, instance, **kwargs) -> None:
    IndexChange.objects.create(sheet_id=instance.pk, stamp=uuid.uuid4().hex[:8])


def _on_sheet_relation(sender, instance, reverse=False, pk_set=None, action="", **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, ActionSheet):
        log_changes([instance.pk])
    else:
        bump_generation()  # a vocabulary value's sheets changed from its side


def _bump(sender, raw=False, **kwargs) -> None:
    if not raw:
        bump_generation()


post_save.connect(_on_sheet_saved, sender=ActionSheet, dispatch_uid="search_changes_sheet_saved")
post_delete.connect(
    _on_sheet_deleted, sender=ActionSheet, dispatch_uid="search_changes_sheet_deleted"
)
for _through in SHEET_RELATIONS.values():
    m2m_changed.connect(
        _on_sheet_relation, sender=_through, dispatch_uid=f"search_changes_m2m_{_through.__name__}"
    )
# Values shown or filtered on for many sheets at once: a full rebuild.
for _model in (
    catalogue.Structure,
    catalogue.Departement,
    catalogue.Region,
    catalogue.ActionStatus,
    catalogue.Dimension,
    catalogue.Keyword,
    catalogue.Initiator,
    catalogue.Territory,
    catalogue.Public,
    catalogue.PartnerKind,
):
    post_save.connect(_bump, sender=_model, dispatch_uid=f"search_changes_save_{_model.__name__}")
    post_delete.connect(
        _bump, sender=_model, dispatch_uid=f"search_changes_delete_{_model.__name__}"
    )
