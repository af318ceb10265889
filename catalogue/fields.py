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
