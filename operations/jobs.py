"""The scheduled jobs of Essaimage: what each runs, under which name, with which French label.

Times are cron expressions in settings.SCHEDULED_JOBS (an empty one turns the job off). Each
job runs as a child process (`manage.py …`, or the backup script), so its memory goes back to
the system when it ends and a crash cannot take the clock down.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Job:
    name: str
    label: str  # French, shown on the "Tâches" page
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def schedule(self) -> str:
        return settings.SCHEDULED_JOBS.get(self.name, "").strip()


def _manage(*args: str) -> tuple[str, ...]:
    return (sys.executable, str(ROOT / "manage.py"), *args)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "compute_similar",
            "Actions similaires, doublons probables et suggestions",
            _manage("compute_similar"),
        ),
        Job("send_alerts", "Alertes de recherche dues", _manage("send_alerts")),
        Job("prune_exports", "Suppression des exports expirés", _manage("prune_exports")),
        Job(
            "prune_task_results",
            "Nettoyage des tâches de fond terminées",
            _manage("prune_db_task_results"),
        ),
        # The script dates the archive and keeps the newest BACKUP_KEEP (docs/operations.md, "Backup and restore").
        Job(
            "backup",
            "Sauvegarde du site",
            ("sh", str(ROOT / "deploy" / "backup.sh")),
            env={"PYTHON": sys.executable},
        ),
    )
}


def enabled_jobs() -> list[Job]:
    return [job for job in JOBS.values() if job.schedule]
