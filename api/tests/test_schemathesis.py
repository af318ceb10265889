"""Schemathesis against our OpenAPI document, on the sample database: no 5xx, no schema violation."""

import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase
from schemathesis.checks import CHECKS

import api.writing  # noqa: F401  (registers the write endpoints)
from api import tokens
from api.views import api
from catalogue.models import Structure
from contrib.models import Membership, User
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = WSGIHandler()
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
SELECTED_CHECKS = [check for check in CHECKS.get_all() if check.__name__ in CHECK_NAMES]


@override_settings(API_ANON_RATE="")
class SchemathesisTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        # Write operations run with the token of a contributor of the first structure.
        user = User.objects.create_user("script@example.org", "x")
        Membership.objects.create(user=user, structure=Structure.objects.order_by("pk").first())
        _, cls.key = tokens.create_token(user, "schemathesis")

    def setUp(self):
        cache.clear()
        # As Django's test client does: a request must not close the test's transaction.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)

    def test_it_selects_the_checks(self):
        self.assertEqual(sorted(c.__name__ for c in SELECTED_CHECKS), sorted(CHECK_NAMES))


def _make_test(operation):
    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def test(self, case):
        headers = {"Authorization": f"Bearer {self.key}"} if case.method != "GET" else None
        case.call_and_validate(checks=SELECTED_CHECKS, headers=headers)

    return test


for result in SCHEMA.get_all_operations():
    operation = result.ok()
    method, path = operation.label.split(" ", 1)
    name = f"test_it_conforms_{method.lower()}_" + path.strip("/").replace("/", "_")
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    setattr(SchemathesisTestCase, name, _make_test(operation))
