"""What the clock did: one row per scheduled job and slot (operations.scheduler)."""

from django.db import models


class JobRun(models.Model):
    """One run of a scheduled job for one slot (its scheduled time).

    The unique (job, slot) pair is the lock between clocks: the first clock to insert the row
    runs the job, any other one gets an IntegrityError and skips it (SQLite and PostgreSQL alike).
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "En cours"
        SUCCEEDED = "succeeded", "Réussie"
        FAILED = "failed", "Échec"

    job = models.CharField("tâche", max_length=64)
    slot = models.DateTimeField("heure prévue")
    started_at = models.DateTimeField("début")
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    outcome = models.CharField(
        "résultat", max_length=16, choices=Outcome.choices, default=Outcome.RUNNING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    # The last lines the command printed (its report: counts of sheets, alerts, files…).
    output = models.TextField("compte rendu", blank=True)
    clock = models.CharField("horloge", max_length=200, blank=True)

    class Meta:
        verbose_name = "exécution de tâche"
        verbose_name_plural = "exécutions de tâches"
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_slot")]
        indexes = [models.Index(fields=["job", "-slot"])]

    def __str__(self) -> str:
        return f"{self.job} {self.slot:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return None if self.finished_at is None else self.finished_at - self.started_at
