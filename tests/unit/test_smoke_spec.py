import pytest

from terms_kit.spec import export_engagement

pytestmark = pytest.mark.django_db


def test_scenario_imports_as_draft(make_engagement):
    engagement = make_engagement("S2")
    assert engagement.status == "draft"
    assert export_engagement(engagement)["engagement"]["title"] == "Audit organisationnel en trois étapes"
