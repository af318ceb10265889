from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from catalogue.models import PublicationStatus
from discovery.alerts import send_alerts
from discovery.models import SearchAlert
from essaimage.test import BaseTestCase, make_sheet


class SendAlertsTestCase(BaseTestCase):
    def setUp(self):
        self.now = timezone.now()
        self.week_ago = self.now - timedelta(days=7)
        self.alert = SearchAlert.objects.create(
            email="lea@example.org",
            query="keywords=intergenerationnel",
            token="jeton",
            confirmed_at=self.week_ago,
            last_sent_at=self.week_ago,
        )

    def publish(self, title, when, **fields):
        return make_sheet(
            self.marais, title, keywords=["intergénérationnel"], published_at=when, **fields
        )

    def send(self, now=None):
        with self.captureOnCommitCallbacks(execute=True):
            return send_alerts(now or self.now)

    def test_it_sends_only_sheets_published_since_the_last_email(self):
        self.publish("Ancienne fiche", self.week_ago - timedelta(days=1))
        new = self.publish("Nouvelle fiche", self.now - timedelta(days=1))
        make_sheet(self.marais, "Hors sujet", published_at=self.now - timedelta(days=1))
        self.publish(
            "Brouillon",
            self.now - timedelta(days=1),
            publication_status=PublicationStatus.DRAFT,
        )
        self.assertEqual(self.send(), (1, 0))
        [message] = mail.outbox
        self.assertEqual(message.subject, "1 nouvelle action sur Essaimage : Intergénérationnel")
        self.assertIn("Nouvelle fiche", message.body)
        self.assertIn(new.get_absolute_url(), message.body)
        for absent in ("Ancienne fiche", "Hors sujet", "Brouillon"):
            self.assertNotIn(absent, message.body)
        self.assertIn("/alertes/desabonner/jeton/", message.body)
        self.assertEqual(message.extra_headers["List-Unsubscribe"].count("/desabonner/jeton/"), 1)
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.last_sent_at, self.now)

    def test_it_sends_nothing_when_nothing_is_new(self):
        self.publish("Ancienne fiche", self.week_ago - timedelta(days=1))
        self.assertEqual(self.send(), (0, 1))
        self.assertEqual(mail.outbox, [])
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.last_sent_at, self.week_ago)

    def test_it_sends_nothing_to_an_unconfirmed_address(self):
        self.alert.confirmed_at = None
        self.alert.save()
        self.publish("Nouvelle fiche", self.now - timedelta(days=1))
        self.assertEqual(self.send(), (0, 0))
        self.assertEqual(mail.outbox, [])

    def test_it_waits_for_the_period(self):
        self.publish("Nouvelle fiche", self.now - timedelta(days=1))
        self.alert.frequency = SearchAlert.Frequency.MONTHLY
        self.alert.save()
        self.assertEqual(self.send(), (0, 0))
        self.assertEqual(self.send(self.week_ago + timedelta(days=30)), (1, 0))

    def test_a_second_run_does_not_repeat_the_same_sheets(self):
        self.publish("Nouvelle fiche", self.now - timedelta(days=1))
        self.send()
        self.assertEqual(self.send(self.now + timedelta(days=7)), (0, 1))
        self.assertEqual(len(mail.outbox), 1)

    def test_the_command_reports_in_french(self):
        self.publish("Nouvelle fiche", self.now - timedelta(days=1))
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_alerts", stdout=out)
        self.assertEqual(
            out.getvalue().strip(), "1 e-mail envoyé, aucune alerte sans nouvelle fiche."
        )
        self.assertEqual(len(mail.outbox), 1)
