"""Tasks of Django's task framework (django-tasks backport), run by `manage.py db_worker`."""

from django_tasks import task

from discovery import duplicates, similarity


@task()
def update_similar(sheet_ids: list[int]) -> None:
    similarity.update_sheets(sheet_ids)


@task()
def update_duplicates(sheet_ids: list[int]) -> None:
    duplicates.update_pairs(sheet_ids)


@task()
def recompute_after_import() -> None:
    """What the nightly `compute_similar` does, right after an import: similar actions, then
    probable duplicates from the same fresh terms, then the suggestions."""
    from discovery import suggestions
    from discovery.duplicates import compute_pairs

    similarity.compute_all()
    compute_pairs()
    suggestions.train()
