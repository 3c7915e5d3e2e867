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


class ImmutableRecord(TermsKitError):
    """An attempt to change or delete a record that is evidence (insert-only)."""


class SpecError(TermsKitError):
    """An engagement spec that cannot be imported. ``errors`` lists (field path, reason)."""

    def __init__(self, errors):
        self.errors = list(errors)
        lines = "\n".join(f"  {path}: {reason}" for path, reason in self.errors)
        super().__init__(f"The engagement spec is not valid:\n{lines}")
