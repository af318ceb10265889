"""The fields of an action sheet by kind, in SENACS order (PRODUCT §2).

Plain names, no Django: the parser, the records, the exports, the editing forms and the
generator all read these lists, so a new field is added in one place.
"""

TEXT_FIELDS = (
    "end_reason",
    "summary",
    "initiators_detail",
    "experience",
    "description",
    "financial_resources",
    "people_mobilized",
    "results_territory",
    "results_centre",
    "results_residents",
    "limits",
    "perspectives",
)
CHOICE_FIELDS = ("status", "dimension", "territory")
LIST_FIELDS = ("keywords", "initiators", "publics", "action_partners", "financial_partners")
# Every field a sheet prints, in SENACS order: forms, diffs and spreadsheet columns follow it.
SHEET_FIELDS = (
    "title",
    "status",
    "end_reason",
    "dimension",
    "keywords",
    "summary",
    "initiators",
    "initiators_detail",
    "territory",
    "experience",
    "publics",
    "action_partners",
    "financial_partners",
    "description",
    "financial_resources",
    "people_mobilized",
    "results_territory",
    "results_centre",
    "results_residents",
    "limits",
    "perspectives",
)
