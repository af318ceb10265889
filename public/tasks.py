"""Tasks of Django's task framework (django-tasks backport), run by `manage.py db_worker`."""

from django_tasks import task

from public import export_jobs


@task()
def build_export(job_id: str) -> None:
    export_jobs.build(job_id)


@task()
def build_open_data() -> None:
    from public import open_data

    open_data.build_files()
