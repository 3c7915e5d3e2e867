"""A superuser records a half-year's official figures from the admin; the compliance checker
and the late-interest computation read them at once. Experts get 403; bad input stores nothing.

The 2026H2 values below are test figures (the real arrêté is not in our sources): legal rate
"other cases" 2.50 %, consumer 6.50 %, ECB 2.15 %.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from terms_kit.compliance import MISSING_PARAMETER_ID, check_spec
from terms_kit.dunning import interest
from terms_kit.exceptions import ImmutableRecord
from terms_kit.models import HalfYearFigures

pytestmark = pytest.mark.django_db

URL = reverse("terms_kit_official_figures")
D = datetime.date
VALID = {
    "half_year_start": "2026-07-01", "legal_rate_other": "2.50", "legal_rate_consumer": "6.50",
    "ecb_rate": "2.15", "published_on": "2026-06-26",
    "source": "Test arrêté du 22 juin 2026, JORF du 26 juin 2026; ECB rate on 1 July 2026",
}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-root")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_an_expert_gets_403_and_stores_nothing(client, expert):
    client.force_login(expert)
    assert client.get(URL).status_code == 403
    assert client.post(URL, VALID).status_code == 403
    assert not HalfYearFigures.objects.exists()


def test_the_menu_item_is_shown_to_superusers_only(client, expert, superuser):
    client.force_login(expert)
    assert URL not in client.get("/admin/").content.decode()
    client.force_login(superuser)
    assert URL in client.get("/admin/").content.decode()


def test_a_superuser_records_the_half_year_and_the_checker_reads_it(admin_client, superuser,
                                                                    spec):
    page = admin_client.get(URL).content.decode()
    assert "Arrêté du 15 décembre 2025" in page  # the figures in force, with their sources
    data = spec("S2")  # business quote of 23 November 2026
    data["engagement"]["payment"]["late_penalty_rate"] = "8.00"
    # Before: the 2026H2 figure is missing, 8 % is above the plausible floor (7.86): a warning.
    assert {f.rule_id for f in check_spec(data)} == {MISSING_PARAMETER_ID}
    data["engagement"]["payment"]["late_penalty_rate"] = "7.49"
    response = admin_client.post(URL, VALID)
    assert response.status_code == 302
    record = HalfYearFigures.objects.get()
    assert record.recorded_by == superuser and record.legal_rate_other == Decimal("2.50")
    # Floor of 2026H2 = 3 × 2.50 = 7.50 %: 7.49 is under it, 7.50 is not.
    with translation.override("en"):
        (finding,) = check_spec(data)
    assert finding.rule_id == "b2b.penalty_rate" and "7.5" in finding.message
    data["engagement"]["payment"]["late_penalty_rate"] = "7.50"
    assert check_spec(data) == []


def test_the_interest_computation_reads_the_recorded_figures(admin_client):
    with pytest.raises(interest.MissingFigure):
        interest.compute(number="F-1", amount="4800.00", due_date=D(2026, 6, 15),
                         on=D(2026, 7, 20))
    assert admin_client.post(URL, VALID).status_code == 302
    statement = interest.compute(number="F-1", amount="4800.00", due_date=D(2026, 6, 15),
                                 on=D(2026, 7, 20))
    # H1 at 2.15 + 10 = 12.15 %: 4800 × 0.1215 × 15 / 365 = 23.9671…
    # H2 at the recorded 2.15 + 10 = 12.15 %: 4800 × 0.1215 × 20 / 365 = 31.9561…
    # sum 55.9232… → 55.92
    assert [(line.rate, line.days) for line in statement.lines] == [
        (Decimal("12.15"), 15), (Decimal("12.15"), 20)]
    assert statement.interest == Decimal("55.92")
    # A contract rate under the recorded floor (3 × 2.50 = 7.50) is raised to it.
    statement = interest.compute(number="F-1", amount="4800.00", due_date=D(2026, 6, 30),
                                 on=D(2026, 7, 10), contract_rate="5")
    assert statement.lines[0].rate == Decimal("7.50") and statement.lines[0].basis == "floor"


@pytest.mark.parametrize(("changes", "field_message"), [
    ({"legal_rate_other": "262"}, "outside the plausible range"),
    ({"ecb_rate": "-0.5"}, "outside the plausible range"),
    ({"half_year_start": "2026-01-01"}, "already recorded"),
    ({"half_year_start": "2026-08-01"}, "starts on 1 January or 1 July"),
    ({"source": ""}, "This field is required"),
    ({"source": "JO"}, "Give the source"),
    ({"published_on": "2099-01-01"}, "cannot be in the future"),
])
def test_bad_input_gets_a_clear_message_and_stores_nothing(admin_client, changes,
                                                           field_message):
    response = admin_client.post(URL, {**VALID, **changes})
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not HalfYearFigures.objects.exists()


def test_a_half_year_is_recorded_once_and_never_changed(admin_client):
    assert admin_client.post(URL, VALID).status_code == 302
    response = admin_client.post(URL, {**VALID, "legal_rate_other": "2.40"})
    assert response.status_code == 400 and "already recorded" in response.content.decode()
    record = HalfYearFigures.objects.get()
    assert record.legal_rate_other == Decimal("2.50")
    record.legal_rate_other = Decimal("2.40")
    with pytest.raises(ImmutableRecord):
        record.save()
    with pytest.raises(ImmutableRecord):
        record.delete()
