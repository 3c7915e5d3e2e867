"""Which mandatory mentions apply to an engagement, decided from its spec dict alone.

Small pure functions so the documents never depend on the ORM; the compliance checker
(terms_kit/compliance/, built separately) should later share these same predicates.
"""

# C. com. D441-5: fixed by decree, whatever the contract says.
RECOVERY_INDEMNITY_EUR = "40.00"
# C. conso L221-18 (14 days); C. trav. L6353-5 for self-paid training (10 days).
WITHDRAWAL_DAYS = 14
TRAINING_WITHDRAWAL_DAYS = 10
# C. conso L221-3: a business of at most 5 people, off premises, outside its core activity.
SMALL_BUSINESS_MAX_HEADCOUNT = 5

SOLE_TRADER_FORMS = {"ei", "micro"}


def is_consumer(spec):
    return spec["client"]["kind"] == "consumer"


def is_business(spec):
    return spec["client"]["kind"] == "business"


def treated_as_consumer(spec):
    """Consumer protection applies: a consumer, or a small business under L221-3."""
    if is_consumer(spec):
        return True
    client = spec["client"]
    headcount = client.get("headcount")
    return (
        spec["engagement"].get("channel") == "off_premises"
        and headcount is not None
        and headcount <= SMALL_BUSINESS_MAX_HEADCOUNT
        and bool(client.get("outside_core_activity"))
    )


def under_vat_franchise(spec):
    """CGI 293 B: no VAT charged, no VAT line, and the franchise mention instead."""
    return spec["identity"]["vat_regime"] == "franchise"


def has_withdrawal_right(spec):
    """L221-18: distance or off-premises contracts with a consumer (or an L221-3 business)."""
    if is_consumer(spec) and spec["identity"].get("profession") == "training":
        return True  # C. trav. L6353-5: whatever the channel
    return treated_as_consumer(spec) and spec["engagement"].get("channel") in (
        "distance",
        "off_premises",
    )


def withdrawal_days(spec):
    if is_consumer(spec) and spec["identity"].get("profession") == "training":
        return TRAINING_WITHDRAWAL_DAYS
    return WITHDRAWAL_DAYS


def shows_b2b_payment_terms(spec):
    """L441-9 / L441-10 II / D441-5: penalties and the 40 EUR indemnity, businesses only."""
    return is_business(spec)


def shows_mediator(spec):
    """L612-1 / L616-1: a consumer is told which mediator they may call on."""
    return is_consumer(spec)


def is_sole_trader(spec):
    """Loi 2022-172: a sole trader's documents say "EI" / "entrepreneur individuel"."""
    return spec["identity"]["legal_form"] in SOLE_TRADER_FORMS


def early_start_requested(spec):
    """L221-25: the consumer asked for the service to start within the withdrawal period."""
    return has_withdrawal_right(spec) and bool(spec["engagement"].get("early_start_requested"))


def flags(spec):
    return {
        "consumer": treated_as_consumer(spec),
        "business": is_business(spec),
        "vat_franchise": under_vat_franchise(spec),
        "vat_lines": not under_vat_franchise(spec),
        "withdrawal": has_withdrawal_right(spec),
        "withdrawal_days": withdrawal_days(spec),
        "early_start": early_start_requested(spec),
        "b2b_terms": shows_b2b_payment_terms(spec),
        "mediator": shows_mediator(spec),
        "sole_trader": is_sole_trader(spec),
    }
