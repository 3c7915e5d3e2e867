"""Shared fixtures: experts, scenario specs (S1-S6) and engagements built from them."""

import copy
import json
from pathlib import Path

import pytest
from django.db import connection

from terms_kit.spec import import_spec

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "wagtail_site" / "home" / "demo_data"
SCENARIOS = {
    "S1": "s1_prepaid_call",
    "S2": "s2_consulting_milestones",
    "S3": "s3_coaching_credit",
    "S4": "s4_pay_per_answer",
    "S5": "s5_lawyer_fee_agreement",
    "S6": "s6_self_paid_training",
}


def scenario_spec(key):
    """A fresh copy of scenario ``key`` ("S1".."S6") as a spec dict."""
    path = SCENARIO_DIR / f"{SCENARIOS[key]}.json"
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def make_expert(django_user_model):
    """Factory: a staff user with the terms-kit permissions, as a real expert would have."""
    from django.contrib.auth.models import Permission

    def make(username="expert", **extra):
        user = django_user_model.objects.create_user(
            username=username, password="pw-" + username, is_staff=True, **extra
        )
        perms = Permission.objects.filter(content_type__app_label="terms_kit") | (
            Permission.objects.filter(content_type__app_label="wagtailadmin",
                                      codename="access_admin")
        )
        user.user_permissions.add(*perms)
        return user

    return make


@pytest.fixture
def expert(make_expert):
    return make_expert("expert")


@pytest.fixture
def spec():
    return scenario_spec


@pytest.fixture
def make_engagement(expert):
    """Factory: import scenario ``key`` (optionally edited by ``change(spec)``) for an owner."""

    def make(key="S2", owner=None, change=None):
        data = scenario_spec(key)
        if change:
            change(data)
        return import_spec(data, owner or expert)

    return make


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)
