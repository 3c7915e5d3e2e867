"""Who may do what to which record: Django's model permissions, limited to the expert's own rows.

One rule for every admin view, listing and action (Wagtail reads it from its policy registry,
terms-kit's own views through ``policy_for``): a user needs the model permission for the
action (``terms_kit.change_engagement``...), and a non-superuser acts only on the records
they own. Lacking the permission is a 403; another expert's record is a 404, so its
existence is never confirmed.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

# What an expert group needs: admin access and every terms-kit model permission below.
EXPERT_GROUP_NAME = "Experts"
EXPERT_MODELS = ("businessidentity", "client", "engagement", "termsversion", "experttemplate",
                 "dunningladder", "remindertemplate", "dunningaction", "clause")
# Clauses are snippets with drafts and locking: publishing and locking are permissions too.
EXPERT_EXTRA_CODENAMES = ("publish_clause", "lock_clause", "unlock_clause")
EXPERT_ACTIONS = ("add", "change", "delete", "view")


class OwnerPermissionPolicy(ModelPermissionPolicy):
    """Model permissions say what a user may do; ownership says on which records."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and instance.is_owned_by(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.model._default_manager.owned_by(user)

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions).filter(
            Q(pk=instance.owner_id) | Q(is_superuser=True)
        )


def register_policies():
    """Register the policy of each expert-owned model (before any viewset asks for one)."""
    from .models import (
        BusinessIdentity,
        Clause,
        Client,
        DunningAction,
        DunningLadder,
        Engagement,
        ExpertTemplate,
        ReminderTemplate,
        TermsVersion,
    )

    for model in (BusinessIdentity, Client, Engagement, TermsVersion, ExpertTemplate,
                  DunningLadder, ReminderTemplate, DunningAction, Clause):
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(model, OwnerPermissionPolicy(model), exact_class=True)


def policy_for(model):
    return policy_registry.get_by_type(model)


def can(user, action, instance):
    """True when ``user`` may do ``action`` ("view", "change"...) on this owned record."""
    return policy_for(type(instance)).user_has_permission_for_instance(user, action, instance)


def expert_permissions():
    codenames = [f"{action}_{model}" for model in EXPERT_MODELS for action in EXPERT_ACTIONS]
    codenames += EXPERT_EXTRA_CODENAMES
    return Permission.objects.filter(
        Q(content_type__app_label="terms_kit", codename__in=codenames)
        | Q(content_type__app_label="wagtailadmin", codename="access_admin")
    )


def ensure_experts_group():
    """Create the "Experts" group, or give it back any permission it lost. Returns it."""
    group, _ = Group.objects.get_or_create(name=EXPERT_GROUP_NAME)
    group.permissions.add(*expert_permissions())
    return group
