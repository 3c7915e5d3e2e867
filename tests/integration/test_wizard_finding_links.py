"""Every finding of the wizard's compliance panel links to the step that fixes it, at a field
that the step's page really has (the link's ids are checked against the page over HTTP)."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from terms_kit.models import WizardState
from tests.wizard_answers import STEP_ORDER

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="tk-finding__link" href="([^"]+)" data-field-ids="([^"]*)">')


def break_things(engagement):
    """Findings on several steps: no insurer while the profession needs one... and a 0 %
    penalty rate (payment), no client postcode (client)."""
    from terms_kit.models import Client, Engagement

    Engagement.objects.filter(pk=engagement.pk).update(late_penalty_rate=0)
    Client.objects.filter(pk=engagement.client_id).update(postcode="")


@pytest.mark.parametrize(("key", "change"), [("S2", break_things), ("S1", None), ("S6", None)])
def test_each_finding_opens_its_step_at_an_existing_field(client, expert, make_engagement,
                                                          key, change):
    engagement = make_engagement(key)
    if change:
        change(engagement)
    WizardState.objects.create(engagement=engagement, completed_steps=list(STEP_ORDER))
    client.force_login(expert)
    review = client.get(reverse("terms_kit_wizard_review", args=[engagement.pk]))
    links = LINK.findall(review.content.decode())
    if change:
        assert links, "the review shows findings"
    step_prefix = reverse("terms_kit_wizard_step", args=[engagement.pk, "x"])[:-2]
    focused = 0
    for href, ids in links:
        href = html_lib.unescape(href)
        path, _hash, first = href.partition("#")
        if not path.startswith(step_prefix):
            continue  # a finding about the whole quote stays on the review
        page = client.get(path)
        assert page.status_code == 200, href
        candidates = ids.split()
        assert first == (candidates[0] if candidates else "")
        if any(f'id="{candidate}"' in page.content.decode() for candidate in candidates):
            focused += 1
    if change is break_things:
        # The two broken answers are reachable field by field.
        assert focused >= 2, links
