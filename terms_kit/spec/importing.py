import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from ..exceptions import SpecError
from ..models import BusinessIdentity, Client, Engagement, EngagementLine, Milestone, TermsVersion
from ..money import compute_totals
from ..payment_plan import payment_plan_errors
from ..services.terms import publish_terms
from . import fields
from .schema import READABLE_VERSIONS, SPEC_VERSION, load_schema


def validate_spec(data):
    """Every problem of a spec as (path, reason); an empty list means it can be imported."""
    errors = _schema_errors(data)
    if errors:
        return errors
    return _Built(data, owner=None).errors


@transaction.atomic
def import_spec(data, owner):
    """Create a draft engagement (with identity, client and terms) from a spec dict.

    Identity, client and terms identical to records the owner already has are reused, so
    importing the same spec twice does not duplicate them. Nothing is written when the spec
    has any error: ``SpecError`` lists them all.
    """
    errors = _schema_errors(data)
    if errors:
        raise SpecError(errors)
    built = _Built(data, owner)
    if built.errors:
        raise SpecError(built.errors)
    return built.save()


# -- schema ---------------------------------------------------------------------------------


def _schema_errors(data):
    if not isinstance(data, dict):
        return [("(root)", "a spec is a JSON object with spec_version, identity, client, engagement")]
    if "spec_version" in data and data["spec_version"] not in READABLE_VERSIONS:
        return [("spec_version", f"version {data['spec_version']!r} is not supported; "
                                 f"this terms-kit reads versions "
                                 f"{', '.join(map(str, READABLE_VERSIONS))} "
                                 f"(it writes {SPEC_VERSION})")]
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    found = [_explain(error) for error in validator.iter_errors(data)]
    return sorted(set(found))


def _dotted(path):
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def _explain(error):
    """Turn a JSON Schema error into (path, a sentence a person can act on)."""
    if error.validator == "oneOf" and error.context:
        # Optional values are "null or X": report why X did not fit.
        non_null = [e for e in error.context if e.validator != "type" or e.validator_value != "null"]
        return _explain(best_match(non_null or error.context))
    path = _dotted(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        return (f"{path}.{missing}" if error.absolute_path else missing, "is required")
    if kind == "additionalProperties":
        return (path, f"unknown field: {error.message.split(chr(39))[1]} (see the JSON Schema)")
    if kind in ("pattern", "type") and error.schema.get("pattern", "").startswith("^-?[0-9]"):
        return (path, f'must be a decimal number written as a string, e.g. "12.50"; '
                      f"got {error.instance!r}")
    if kind == "enum":
        choices = ", ".join(repr(v) for v in error.validator_value)
        return (path, f"must be one of {choices}; got {error.instance!r}")
    if kind == "format":
        if error.validator_value == "date":
            return (path, f"must be a date written YYYY-MM-DD; got {error.instance!r}")
        return (path, f"is not a valid {error.validator_value}: {error.instance!r}")
    if kind == "type":
        return (path, f"must be of type {error.validator_value}; got {error.instance!r}")
    if kind == "minItems" and path.endswith("lines"):
        return (path, "a quote needs at least one line")
    if kind == "maxLength":
        return (path, f"is {len(error.instance)} characters long; at most "
                      f"{error.validator_value} are allowed")
    if kind == "minLength" and error.validator_value == 1:
        return (path, "must not be empty")
    return (path, error.message)


# -- building and validating model instances ---------------------------------------------


def _read(data, path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return False, None
        data = data[key]
    return True, data


def _python_value(field, value):
    if value is None:
        return None if field.null else ""
    if isinstance(field, models.DecimalField):
        return Decimal(value)
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(value)
    return value


def _fill(instance, mapping, data):
    for path, name in mapping.items():
        present, value = _read(data, path)
        if present:
            setattr(instance, name, _python_value(instance._meta.get_field(name), value))
    return instance


class _Built:
    """Unsaved model instances built from a valid-shaped spec, with every error found."""

    def __init__(self, data, owner):
        self.owner = owner
        self.errors = []
        self.identity = self._clean(_fill(BusinessIdentity(owner=owner), fields.IDENTITY,
                                          data["identity"]), "identity", fields.IDENTITY)
        self.client = self._clean(_fill(Client(owner=owner), fields.CLIENT, data["client"]),
                                  "client", fields.CLIENT)
        self.terms = None
        if data.get("terms"):
            self.terms = self._clean(_fill(TermsVersion(owner=owner), fields.TERMS,
                                           data["terms"]), "terms", fields.TERMS)
            stated = data["terms"].get("content_hash")
            if stated and stated != self.terms.compute_hash():
                self.errors.append(("terms.content_hash",
                                    "does not match the SHA-256 of the terms text: the text "
                                    "was changed after it was published"))
        body = data["engagement"]
        self.engagement = self._clean(_fill(Engagement(owner=owner), fields.ENGAGEMENT, body),
                                      "engagement", fields.ENGAGEMENT,
                                      exclude=["owner", "identity", "client", "terms_version"])
        self.lines = [
            self._clean(_fill(EngagementLine(), fields.LINE, line), f"engagement.lines[{i}]",
                        fields.LINE, exclude=["engagement"])
            for i, line in enumerate(body["lines"])
        ]
        milestones = body["payment"].get("milestones", [])
        self.milestones = [
            self._clean(_fill(Milestone(), fields.MILESTONE, item),
                        f"engagement.payment.milestones[{i}]", fields.MILESTONE,
                        exclude=["engagement"])
            for i, item in enumerate(milestones)
        ]
        self._check_plan()

    def _clean(self, instance, prefix, mapping, exclude=("owner",)):
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.errors.append((fields.spec_path(prefix, mapping, name), " ".join(messages)))
        return instance

    def _check_plan(self):
        try:
            totals = compute_totals(self.lines)
        except (InvalidOperation, TypeError):
            return  # the lines' own errors are already listed
        engagement = self.engagement
        problems = payment_plan_errors(
            engagement.payment_model,
            engagement.deposit_percent,
            [m.amount for m in self.milestones if m.amount is not None],
            totals.total_excl_vat,
        )
        for name, message in problems.items():
            self.errors.append((fields.spec_path("engagement", fields.ENGAGEMENT, name)
                                if name != "milestones" else "engagement.payment.milestones",
                                message))

    def save(self):
        identity = _existing_or_save(self.identity, fields.IDENTITY)
        client = _existing_or_save(self.client, fields.CLIENT)
        terms = None
        if self.terms is not None:
            content_hash = self.terms.compute_hash()
            terms = TermsVersion.objects.filter(
                owner=self.owner, content_hash=content_hash, published_at__isnull=False
            ).first()
            if terms is None:
                self.terms.save()
                terms = publish_terms(self.terms)
        engagement = self.engagement
        engagement.identity, engagement.client, engagement.terms_version = identity, client, terms
        engagement.save()
        for position, line in enumerate(self.lines):
            line.engagement, line.sort_order = engagement, position
            line.save()
        for position, milestone in enumerate(self.milestones):
            milestone.engagement, milestone.sort_order = engagement, position
            milestone.save()
        return engagement


def _existing_or_save(instance, mapping):
    same = {name: getattr(instance, name) for name in mapping.values()}
    existing = type(instance).objects.filter(owner=instance.owner, **same).first()
    if existing is not None:
        return existing
    instance.save()
    return instance
