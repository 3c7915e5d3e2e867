from ..permissions import EXPERT_GROUP_NAME, ensure_experts_group

HELP = (f"Create the \"{EXPERT_GROUP_NAME}\" group with the permissions an expert needs (admin "
        "access, add/change/delete/view of identities, clients, engagements, terms versions "
        "and document templates); safe to run again.")


def add_arguments(parser):
    pass


def run(command, options):
    group = ensure_experts_group()
    command.stdout.write(command.style.SUCCESS(
        f"Group {group.name!r} has {group.permissions.count()} permission(s). Add experts to it "
        "in Settings > Users."))
