"""Spreadsheet exports of the admin (Site history, listings) never carry a live formula.

A label an expert typed (a client named ``=HYPERLINK(...)``) ends up in the CSV or XLSX
exports that an administrator opens in a spreadsheet program, which would run it. Every
text cell that starts with a character a spreadsheet reads as a formula is prefixed with an
apostrophe (the usual escape; the OWASP "CSV injection" advice).

Wagtail's exports all go through ``SpreadsheetExportMixin.preprocess_field_value``, and the
reports (Site history) are not replaceable from an app, so the method is wrapped once at
start-up; ``tests/integration/test_admin_security.py`` checks the Site history exports.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_spreadsheet_exports():
    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "terms_kit_neutralised", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(original(self, field, value, export_format))

    preprocess_field_value.terms_kit_neutralised = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
