import datetime
import json
from decimal import Decimal

from . import fields
from .schema import SPEC_VERSION


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


FEE_AGREEMENT_UNANSWERED = {"basis": "", "hourly_rate": None, "success_fee": False,
                             "provision": None, "exemption": ""}


def _export(instance, mapping):
    data = {}
    for path, name in mapping.items():
        target = data
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = _plain(getattr(instance, name))
    return data


def export_engagement(engagement):
    """The spec dict of an engagement: plain JSON types only, decimals as strings."""
    body = _export(engagement, fields.ENGAGEMENT)
    if body["fee_agreement"] == FEE_AGREEMENT_UNANSWERED:
        del body["fee_agreement"]  # only a lawyer's engagement carries one
    body["number"] = engagement.number
    body["status"] = engagement.status
    body["lines"] = [_export(line, fields.LINE) for line in engagement.lines.all()]
    body["payment"]["milestones"] = [
        _export(milestone, fields.MILESTONE) for milestone in engagement.milestones.all()
    ]
    terms = None
    if engagement.terms_version_id:
        version = engagement.terms_version
        terms = _export(version, fields.TERMS)
        terms["version"] = version.version
        terms["content_hash"] = version.content_hash
    return {
        "spec_version": SPEC_VERSION,
        "identity": _export(engagement.identity, fields.IDENTITY),
        "client": _export(engagement.client, fields.CLIENT),
        "terms": terms,
        "engagement": body,
    }


def to_json(spec):
    """Canonical text of a spec: sorted keys, UTF-8, stable across runs."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
