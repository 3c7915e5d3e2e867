"""The clause library's services: render clauses in the sandbox, build, freeze, diff, re-consent.

Clause text is typed by an expert, so it is rendered only in the document sandbox
(``documents.sandbox`` through ``documents.rendering.make_environment``); a clause the sandbox
refuses, or that names a field that does not exist, fails with a message naming the clause and
the field (``ClauseTextError``), and nothing is stored.
"""

import difflib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from ..compliance.terms_topics import NotPublishable, topic_findings
from ..documents import formatting
from ..documents.rendering import make_environment
from ..exceptions import ImmutableRecord, TermsKitError
from ..models import BuiltClause, BusinessIdentity, Clause, Engagement, TermsBuild, TermsVersion
from ..status import Status

# The fields a clause may use; every one is always present (empty when unknown).
EXPERT_FIELDS = ("legal_name", "trade_name", "email", "phone", "website", "postal_address",
                 "city", "siren", "insurer", "insurance_coverage", "mediator_name",
                 "mediator_website", "mediator_address")
VALUE_FIELDS = ("deposit_percent",)
# Engagements whose client is bound by the terms they accepted.
ACTIVE_STATUSES = (Status.ACCEPTED, Status.DEPOSIT_DUE, Status.IN_PROGRESS, Status.DELIVERED,
                   Status.BALANCE_DUE, Status.OVERDUE, Status.FORMAL_NOTICE)


class ClauseTextError(TermsKitError):
    """A clause text the sandbox refuses or cannot fill; the message names clause and field."""

    def __init__(self, clause_title, field_label, reason):
        self.clause_title, self.field_label, self.reason = clause_title, field_label, reason
        super().__init__(_("Clause “%(clause)s”, %(field)s: %(reason)s") % {
            "clause": clause_title, "field": field_label, "reason": reason})


def current_identity(owner):
    """The expert's business identity in use (the newest one not replaced by another)."""
    return (BusinessIdentity.objects.filter(owner=owner, newer_versions__isnull=True)
            .order_by("-updated_at", "-pk").first())


def clause_context(owner, lang, deposit_percent=None):
    identity = current_identity(owner)
    expert = {name: str(getattr(identity, name, "") or "") for name in EXPERT_FIELDS}
    values = {"deposit_percent": formatting.percent(deposit_percent, lang)
              if deposit_percent is not None else ""}
    return {"expert": expert, "values": values}


def sample_context(lang="fr"):
    """Every field, filled with a placeholder: what a clause is checked against when saved."""
    return {"expert": {name: name for name in EXPERT_FIELDS},
            "values": {name: "30 %" for name in VALUE_FIELDS}}


def render_text(text, context, lang, clause_title, field_label):
    """The clause text with its fields filled, rendered in the sandbox."""
    try:
        return str(make_environment(lang).from_string(text).render(**context))
    except UndefinedError as exc:
        name = str(exc).rsplit("'", 2)[-2] if str(exc).count("'") >= 2 else str(exc)
        reason = _("the field “%(name)s” does not exist; the fields are expert.%(expert)s and "
                   "values.%(values)s") % {"name": name, "expert": ", expert.".join(EXPERT_FIELDS),
                                           "values": ", values.".join(VALUE_FIELDS)}
    except TemplateSyntaxError as exc:
        reason = _("the text is not a valid template (line %(line)s: %(error)s)") % {
            "line": exc.lineno, "error": exc.message}
    except SecurityError as exc:
        reason = _("refused by the document sandbox: %(error)s") % {"error": exc}
    except (TypeError, ValueError, ArithmeticError) as exc:
        reason = _("the text cannot be filled in (%(error)s)") % {"error": exc}
    raise ClauseTextError(clause_title, field_label, reason)


def check_clause_text(title, field_label, text):
    """Raise ClauseTextError when ``text`` could not be rendered for any expert."""
    if text.strip():
        render_text(text, sample_context(), "fr", title or _("(untitled)"), field_label)


# --- Building and publishing ----------------------------------------------------------------

def usable_clauses(owner):
    """The expert's clauses that can go into terms: published (live) ones."""
    return Clause.objects.filter(owner=owner, live=True).order_by("topic", "title")


def _live_copy(clause):
    """The clause as last published (a draft being edited is not what clients will read)."""
    revision = clause.live_revision
    if revision is not None:
        return revision.as_object(), revision
    return clause, None


def _render_build_clause(built, owner, lang, deposit_percent):
    clause, revision = _live_copy(built.clause)
    field = "text_en" if lang == "en" and clause.text_en.strip() else "text_fr"
    label = str(Clause._meta.get_field(field).verbose_name)
    built.text = render_text(getattr(clause, field), clause_context(owner, lang, deposit_percent),
                             lang, clause.title, label)
    built.title, built.topic, built.material = clause.heading(lang), clause.topic, clause.material
    built.revision = revision
    return built


def assemble_body(built_clauses):
    """The terms text: each clause a '#' title and its paragraphs (as typed terms are)."""
    return "\n\n".join(f"# {item.position}. {item.title}\n\n{item.text.strip()}"
                       for item in built_clauses)


@transaction.atomic
def build_terms(owner, *, title, language, audience, clauses, deposit_percent=None,
                based_on=None, terms=None):
    """Create (or redo, for a draft) a terms version from ``clauses`` in that order."""
    wanted = [clause.pk for clause in clauses]
    # Read again from the database: the owner's published clauses, as they are now.
    found = Clause.objects.select_related("live_revision").in_bulk(
        wanted and list(usable_clauses(owner).filter(pk__in=wanted).values_list("pk", flat=True)))
    if len(found) != len(set(wanted)):
        raise TermsKitError(_("Only your own published clauses can go into your terms."))
    clauses = [found[pk] for pk in wanted]
    if based_on is not None and (based_on.owner_id != owner.pk or not based_on.is_published):
        raise TermsKitError(_("A version can only replace one of your published versions."))
    if not clauses:
        raise TermsKitError(_("Choose at least one clause."))
    if terms is None:
        terms = TermsVersion(owner=owner)
    elif terms.is_published:
        raise ImmutableRecord(_("%(terms)s is published and cannot change: build a new version.")
                              % {"terms": terms})
    built = [_render_build_clause(BuiltClause(clause=clause, position=index), owner, language,
                                  deposit_percent)
             for index, clause in enumerate(clauses, start=1)]
    terms.title, terms.language, terms.body = title, language, assemble_body(built)
    terms.save()
    build, _created = TermsBuild.objects.update_or_create(
        terms_version=terms, defaults={"audience": audience, "deposit_percent": deposit_percent,
                                       "based_on": based_on})
    build.clauses.all().delete()
    for item in built:
        item.build = build
    BuiltClause.objects.bulk_create(built)
    return terms


def publish_findings(terms):
    """What stops a built version from being published (empty: it may be)."""
    build = getattr(terms, "build", None) if terms.pk else None
    if build is None:
        return []
    return topic_findings(build.audience, build.clauses.values_list("topic", flat=True))


def freeze_build(terms):
    """Called by ``publish_terms`` on the locked draft: check the topics, then re-render each
    clause from its live revision and store the final text, so the hash covers what was
    assembled at publication. A version typed by hand (no build) is left as it is."""
    build = TermsBuild.objects.filter(terms_version=terms).first()
    if build is None:
        return
    items = list(build.clauses.select_related("clause"))
    findings = topic_findings(build.audience, [item.clause.topic if item.clause else item.topic
                                               for item in items])
    if findings:
        raise NotPublishable(findings)
    if any(item.clause is None for item in items):
        raise TermsKitError(_("A clause of this version was deleted: build the version again."))
    for item in items:
        _render_build_clause(item, terms.owner, terms.language, build.deposit_percent)
        item.save()
    terms.body = assemble_body(items)
    TermsVersion.objects.filter(pk=terms.pk).update(body=terms.body)


# --- Diff and re-consent ----------------------------------------------------------------------

@dataclass(frozen=True)
class ClauseChange:
    state: str  # "same", "changed", "added", "removed"
    title: str
    topic: str
    old_text: str
    new_text: str
    material: bool
    lines: tuple  # (tag, text) pairs of a line diff: " ", "-", "+"

    @property
    def label(self):
        return {"same": _("unchanged"), "changed": _("changed"), "added": _("added"),
                "removed": _("removed")}[self.state]


def _key(item):
    return ("clause", item.clause_id) if item.clause_id else ("topic", item.topic, item.title)


def _clauses_of(terms):
    build = TermsBuild.objects.filter(terms_version=terms).first()
    if build is None:  # typed by hand: one block, compared as a whole
        return [BuiltClause(position=1, title=terms.title, text=terms.body)]
    return list(build.clauses.all())


def diff_versions(old, new):
    """Clause by clause, in the new version's order, then the clauses that were removed."""
    old_items = {_key(item): item for item in _clauses_of(old)}
    changes, seen = [], set()
    for item in _clauses_of(new):
        key = _key(item)
        before = old_items.get(key)
        seen.add(key)
        if before is None:
            changes.append(_change("added", item, "", item.text, item.material))
        else:
            state = "same" if before.text == item.text else "changed"
            changes.append(_change(state, item, before.text, item.text,
                                   item.material or before.material))
    for key, item in old_items.items():
        if key not in seen:
            changes.append(_change("removed", item, item.text, "", item.material))
    return changes


def _change(state, item, old_text, new_text, material):
    lines = tuple((line[0], line[2:]) for line in difflib.ndiff(
        old_text.splitlines(), new_text.splitlines()) if line[0] in " -+")
    return ClauseChange(state, item.title, item.topic, old_text, new_text, material, lines)


def material_changes(new):
    """The material clauses that differ between ``new`` and the version it replaces."""
    build = TermsBuild.objects.filter(terms_version=new).select_related("based_on").first()
    if build is None or build.based_on is None or not new.is_published:
        return []
    return [change for change in diff_versions(build.based_on, new)
            if change.material and change.state != "same"]


def reconsent_engagements(new):
    """Active engagements that accepted the replaced version, when a material clause changed."""
    if not material_changes(new):
        return Engagement.objects.none()
    return (Engagement.objects.filter(owner=new.owner, terms_version=new.build.based_on,
                                      status__in=ACTIVE_STATUSES)
            .select_related("client").order_by("number", "pk"))


def owned_versions(user):
    return TermsVersion.objects.owned_by(user).filter(~Q(published_at=None))


# --- The starter set ---------------------------------------------------------------------------

def starter_clauses():
    """The reviewed starter clauses shipped with terms-kit (terms_kit/clauses/*.json).

    A clause that names a section of the default CGV (``default_terms``: kind and section
    number) gets its title and texts from documents/default_terms.py, never a copy."""
    import json
    from importlib.resources import files

    from ..documents.default_terms import sections

    data = json.loads(files("terms_kit.clauses").joinpath("starter_clauses.json").read_text(
        encoding="utf-8"))
    clauses = []
    for item in data["clauses"]:
        source = item.get("default_terms")
        if source:
            item = dict(item)
            found = {lang: dict((n, (title, text)) for n, title, text in sections(
                source["kind"], lang))[source["section"]] for lang in ("fr", "en")}
            item["title"], item["title_en"] = found["fr"][0], found["en"][0]
            item["text_fr"], item["text_en"] = found["fr"][1], found["en"][1]
        clauses.append(item)
    return clauses


@transaction.atomic
def install_starter_clauses(owner, user=None):
    """Copy the starter clauses the expert does not have yet, as published clauses with a first
    revision. Returns the clauses created (running it again creates none)."""
    have = set(Clause.objects.filter(owner=owner).exclude(starter_key="")
               .values_list("starter_key", flat=True))
    created = []
    for item in starter_clauses():
        if item["key"] in have:
            continue
        for field in ("text_fr", "text_en"):
            check_clause_text(item["title"], field, item[field])
        clause = Clause(
            owner=owner, starter_key=item["key"], title=item["title"],
            title_en=item["title_en"], topic=item["topic"],
            audience=item["audience"], material=item["material"], sources=item["sources"],
            text_fr=item["text_fr"], text_en=item["text_en"],
            professions=item.get("professions", []), payment_models=item.get("payment_models", []),
            channels=item.get("channels", []), live=False,
        )
        clause.save()
        clause.save_revision(user=user or owner, log_action=True).publish(user=user or owner)
        created.append(clause)
    return created
