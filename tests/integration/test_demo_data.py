import pytest
from django.core.management import call_command

from terms_kit.models import Engagement
from terms_kit.status import Status

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_follows_the_scenarios(client, capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")
    output = capsys.readouterr().out
    assert "0 engagement(s) created" in output and "demo / " in output
    engagements = Engagement.objects.filter(owner__username="demo")
    assert engagements.count() == 6
    s2 = engagements.get(title__startswith="Audit organisationnel")
    assert s2.status == Status.DEPOSIT_DUE and s2.number.startswith("D-")
    assert s2.totals.total_incl_vat == 14400
    # The demo expert is a plain expert (not a superuser) who can use the admin.
    assert client.login(username="demo", password="demo-expert-2026")
    assert client.get("/admin/terms-kit/engagements/").status_code == 200
    assert client.get("/").status_code == 200
