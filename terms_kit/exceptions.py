"""Errors that terms-kit raises on purpose, each with a message meant for a person."""


class TermsKitError(Exception):
    """Base class of every terms-kit error."""


class InvalidTransition(TermsKitError):
    """A status change that the transition table does not allow."""

    def __init__(self, engagement, from_status, to_status):
        self.engagement = engagement
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(
            f"Engagement {engagement.pk} cannot go from {from_status!r} to {to_status!r}."
        )


class TransitionNotYours(InvalidTransition):
    """An allowed status change asked for by someone who does not own it (see status.ORIGINS)."""

    def __init__(self, engagement, from_status, to_status, origin):
        self.origin = origin
        super().__init__(engagement, from_status, to_status)
        self.args = (
            f"Engagement {engagement.pk}: going from {from_status!r} to {to_status!r} is made "
            f"by its own service, not by {origin!r}.",
        )


class ImmutableRecord(TermsKitError):
    """An attempt to change or delete a record that is evidence (insert-only)."""


class SpecError(TermsKitError):
    """An engagement spec that cannot be imported. ``errors`` lists (field path, reason)."""

    def __init__(self, errors):
        self.errors = list(errors)
        lines = "\n".join(f"  {path}: {reason}" for path, reason in self.errors)
        super().__init__(f"The engagement spec is not valid:\n{lines}")


class AcceptanceError(TermsKitError):
    """A client step that cannot be done; the message is shown to the client as is."""


class LinkInvalid(AcceptanceError):
    """Unknown, expired or revoked client link."""


class CodeInvalid(AcceptanceError):
    """Wrong, expired or spent e-mail code."""


class AlreadyDone(AcceptanceError):
    """The engagement was already accepted (or withdrawn): a replay, a double click, a 2nd tab."""


class IncompleteAcceptance(AcceptanceError):
    """A consent left unticked, a blank name, an unverified e-mail. ``errors``: field -> reason."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in self.errors.items()))


class SealingUnavailable(TermsKitError):
    """The platform certificate is not configured or cannot be read."""


class DraftConflict(TermsKitError):
    """A wizard step was posted from a page older than the stored draft (another tab)."""

    def __init__(self, engagement, expected_version):
        self.engagement = engagement
        self.expected_version = expected_version
        super().__init__(
            f"Engagement {engagement.pk} is at version {engagement.lock_version}, "
            f"the form was loaded at version {expected_version}."
        )


class NotADraft(TermsKitError):
    """The wizard only edits drafts: a sent quote is frozen."""


class SendBlocked(TermsKitError):
    """Sending refused: compliance errors remain, or warnings are not acknowledged."""

    def __init__(self, errors, unacknowledged):
        from django.utils.translation import gettext as _

        self.errors = list(errors)
        self.unacknowledged = list(unacknowledged)
        parts = [_("Not sent: %(errors)s error(s) to correct and %(warnings)s warning(s) to "
                   "acknowledge first.") % {"errors": len(self.errors),
                                             "warnings": len(self.unacknowledged)}]
        parts += [_("To correct: %(field)s: %(message)s (%(rule)s).") % {
            "field": f.field, "message": f.message, "rule": f.rule_id} for f in self.errors]
        parts += [_("To acknowledge in the wizard's review step: %(field)s: %(message)s "
                    "(%(rule)s).") % {"field": f.field, "message": f.message, "rule": f.rule_id}
                  for f in self.unacknowledged]
        super().__init__(" ".join(parts))


class PaymentRefused(TermsKitError):
    """A payment, refund or money step that cannot be recorded; the message says why and
    what to do. ``field`` names the input at fault when there is one (for forms)."""

    def __init__(self, message, field=None):
        self.field = field
        super().__init__(message)


class PlanRefused(TermsKitError):
    """An instalment plan that cannot be offered as typed; nothing was stored. ``errors`` maps
    each input at fault ("invoices", "instalment_2_amount"...) to what is wrong and what to do."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__(" ".join(str(message) for message in self.errors.values()))


class DunningError(TermsKitError):
    """A dunning request that cannot be done (a pause without reason...); ``field`` names
    the input at fault, when one is."""

    def __init__(self, message, field=None):
        self.field = field
        super().__init__(str(message))


class InvoiceNotIssuable(TermsKitError):
    """An invoice that would lack a mention the law requires on its date (the e-invoicing
    mentions of décret 2022-1299, from the expert's start date). ``problems`` lists
    (spec field, what to fill in); nothing is numbered or recorded."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = "\n".join(f"  {path}: {reason}" for path, reason in self.problems)
        super().__init__(f"The invoice cannot be issued:\n{lines}")


class StorageUnavailable(TermsKitError):
    """The file storage refused or failed a write: nothing that needs the file is recorded."""


class NotRecorded(AcceptanceError):
    """A client's step could not be recorded because the database or the file storage failed;
    nothing of it was kept, and the same step can be taken again."""
