"""Spreadsheet exports never carry a cell a spreadsheet program would run as a formula."""

import pytest
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from terms_kit.admin.spreadsheets import neutralise


@pytest.mark.parametrize("value", ["=1+1", "+33 6 12", "-2", "@SUM(A1)", "\tx", "\rx",
                                   '=HYPERLINK("http://evil.example")'])
def test_formula_starts_are_escaped(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Dupont SARL", "a=b", "", 12, None, "'=already"])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_every_wagtail_export_goes_through_it(export_format):
    # Installed at start-up (terms_kit.apps): any view with Wagtail's export mixin is covered.
    view = SpreadsheetExportMixin()
    assert view.preprocess_field_value("label", "=cmd|' /C calc'!A0", export_format) == (
        "'=cmd|' /C calc'!A0")
