"""Which terms versions a terms page shows: the lineage of the version the expert chose.

A published version names the one it replaces: ``build.based_on`` for a version built from
clauses, ``supersedes`` for a typed one. Following those links gives a tree per series of
terms; a page shows the newest version of the series its chosen version belongs to, and
serves every version of that series at its permanent address. Everything is computed from
one query (the expert's published versions in the page's language), so a page costs the
same number of queries however many versions there are.
"""

from dataclasses import dataclass

from ..models import TermsVersion


@dataclass
class Series:
    current: TermsVersion | None
    versions: list  # newest first
    parent: dict  # version pk -> the pk of the version it replaced

    def by_number(self, number):
        return next((v for v in self.versions if v.version == number), None)

    def previous(self, version):
        pk = self.parent.get(version.pk)
        return next((v for v in self.versions if v.pk == pk), None)


def _parent_of(version):
    build = getattr(version, "build", None)
    if build is not None and build.based_on_id:
        return build.based_on_id
    return version.supersedes_id


def series_of(chosen):
    """The series ``chosen`` belongs to (see the module docstring)."""
    if chosen is None or not chosen.is_published:
        return Series(None, [], {})
    published = list(
        TermsVersion.objects.filter(owner_id=chosen.owner_id, language=chosen.language,
                                    published_at__isnull=False)
        .select_related("build").order_by("-version"))
    parent = {v.pk: _parent_of(v) for v in published}

    def root(pk):
        seen = set()
        while parent.get(pk) and pk not in seen:
            seen.add(pk)
            pk = parent[pk]
        return pk

    mine = root(chosen.pk)
    members = [v for v in published if root(v.pk) == mine]
    return Series(members[0] if members else None, members, parent)
