"""The API's documentation page reads as a page: no raw Markdown, tables reachable by keyboard."""

import re

from essaimage.test import BaseTestCase


class DocsPageTestCase(BaseTestCase):
    def setUp(self):
        self.r = self.client.get("/api/v1/docs")
        self.html = self.r.content.decode()

    def test_it_shows_no_raw_backticks(self):
        text = re.sub(r"<script.*?</script>", "", self.html, flags=re.S)
        self.assertNotIn("`", text)
        self.assertIn("<code>", text)

    def test_scrollable_tables_are_focusable_named_regions(self):
        wraps = re.findall(r'<div class="table-wrap"[^>]*>', self.html)
        self.assertTrue(wraps)
        for tag in wraps:
            self.assertIn('tabindex="0"', tag)
            self.assertIn('role="region"', tag)
            self.assertRegex(tag, r'aria-label="[^"]+"')

    def test_it_points_non_developers_to_the_open_data_page(self):
        self.assertContains(self.r, 'href="/donnees-ouvertes/"')
