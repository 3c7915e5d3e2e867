"""The wizard's steps, in order: what each asks, when it applies, which findings it owns."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import conditions, forms


def _always(engagement):
    return True


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    icon: str
    intro: str
    form_class: type | None
    # Spec paths (see terms_kit/spec/fields.py) whose findings are shown with this step.
    prefixes: tuple = ()
    applies: Callable = field(default=_always)


STEPS = (
    Step("identity", _("Your business"), "user",
         _("Who you are on the documents. Pre-filled from your last identity: check it, and "
           "fix what the compliance panel flags."),
         forms.IdentityForm, ("identity",)),
    Step("client", _("Client"), "group",
         _("Who the client is and how the contract is made: these answers decide which "
           "rules apply."),
         forms.ClientForm, ("client", "engagement.channel")),
    Step("service", _("Service"), "doc-full",
         _("What you do, what the client receives, when and where."),
         forms.ServiceForm,
         (*(f"engagement.{name}" for name in forms.ServiceForm._meta.fields),
          "engagement.delivery_address")),  # the spec groups the delivery_* fields
    Step("price", _("Price"), "list-ul",
         _("One line for each thing you sell. Amounts are excluding VAT."),
         forms.PriceForm, ("engagement.lines",)),
    Step("payment", _("Payment conditions"), "date",
         _("When and how the client pays, and what happens if they pay late."),
         forms.PaymentForm, ("engagement.payment",)),
    Step("profession", _("Profession rules"), "clipboard-list",
         _("Your profession has its own rules for this contract."),
         forms.ProfessionForm, ("engagement.fee_agreement",),
         conditions.needs_profession_rules),
    Step("terms", _("Refund, cancellation, withdrawal"), "rotate",
         _("What happens if the contract ends early, and the terms of sale it refers to."),
         forms.TermsForm,
         ("engagement.refund_terms", "engagement.cancellation_terms",
          "engagement.early_start_requested", "terms")),
    Step("review", _("Review and send"), "tick-inverse",
         _("The quote as the client will see it, the documents, and sending."),
         None, ()),
)

STEPS_BY_KEY = {step.key: step for step in STEPS}
# Before the draft exists only the first two steps can be shown; the others may depend on it.
NEW_DRAFT_STEPS = ("identity", "client")


def get_step(key):
    return STEPS_BY_KEY.get(key)


def applicable_steps(engagement):
    if engagement is None:
        return [step for step in STEPS if step.applies is _always]
    return [step for step in STEPS if step.applies(engagement)]


def next_step(engagement, key):
    keys = [step.key for step in applicable_steps(engagement)]
    index = keys.index(key)
    return keys[index + 1] if index + 1 < len(keys) else None


def first_open_step(engagement, completed):
    """The first applicable step not saved yet: how far the expert may go."""
    for step in applicable_steps(engagement):
        if step.key not in completed:
            return step.key
    return "review"


def reachable(engagement, completed, key):
    """A step can be opened once every applicable step before it was saved."""
    for step in applicable_steps(engagement):
        if step.key == key:
            return True
        if step.key not in completed:
            return False
    return False


def _matches(path, prefix):
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def step_for_path(path, engagement):
    """The step a finding's spec path belongs to: the longest matching prefix wins."""
    best, length = "review", -1
    for step in applicable_steps(engagement):
        for prefix in step.prefixes:
            if _matches(path or "", prefix) and len(prefix) > length:
                best, length = step.key, len(prefix)
    return best


def group_findings(findings, engagement):
    """[(step, [findings])] in step order, only the steps that have findings."""
    groups = {step.key: [] for step in applicable_steps(engagement)}
    for finding in findings:
        groups[step_for_path(finding.field, engagement)].append(finding)
    return [(get_step(key), items) for key, items in groups.items() if items]


def field_ids(path):
    """The HTML ids a finding's spec path may have in its step's form, best guess first:
    ``engagement.lines[1].unit_price`` -> ``id_lines-1-unit_price``;
    ``identity.address.line1`` -> ``id_address_line1``, then ``id_line1``."""
    parts = [p for p in (path or "").split(".") if p]
    if not parts:
        return []
    for index, part in enumerate(parts):
        if "[" in part and part.endswith("]"):
            name, _bracket, position = part[:-1].partition("[")
            rest = parts[index + 1:]
            if rest and position.isdigit():
                return [f"id_{name}-{position}-{rest[-1]}"]
            return [f"id_{name}-0-{rest[-1]}"] if rest else []
    ids = []
    if len(parts) >= 2:
        ids.append("id_" + "_".join(parts[-2:]))
    ids.append("id_" + parts[-1])
    if parts[-1] == "address":  # a postal address is several fields: its first line
        ids.append("id_address_line1")
    return ids
