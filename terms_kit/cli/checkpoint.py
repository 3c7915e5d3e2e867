from django.core.management.base import CommandError

from ..exceptions import SealingUnavailable
from ..services.checkpoints import ChainBroken, make_checkpoint

HELP = ("Seal the consent chain's head (record count, head hash, time) with the seal key, "
        "store it and e-mail it to settings.ADMINS and TERMS_KIT['CHECKPOINT_EMAILS']. "
        "For cron: does nothing when the chain has not changed since the last checkpoint.")


def add_arguments(parser):
    pass


def run(command, options):
    try:
        outcome = make_checkpoint()
    except ChainBroken as exc:
        for problem in exc.problems:
            command.stderr.write(f"ALTERED {problem}")
        raise CommandError(f"{exc} Run `termskit verify` and investigate before anchoring "
                           "the chain again.") from exc
    except SealingUnavailable as exc:
        raise CommandError(str(exc)) from exc
    checkpoint = outcome.checkpoint
    if checkpoint is None:
        command.stdout.write("The consent chain is empty: nothing to checkpoint.")
    elif not outcome.created:
        command.stdout.write(f"Nothing changed since checkpoint {checkpoint.document.name} "
                             f"({checkpoint.record_count} records).")
    else:
        sent = ", ".join(outcome.recipients) or (
            "nobody: set ADMINS or TERMS_KIT['CHECKPOINT_EMAILS']")
        command.stdout.write(command.style.SUCCESS(
            f"Checkpoint {checkpoint.document.name}: {checkpoint.record_count} records, head "
            f"{checkpoint.head_hash}; e-mailed to {sent}."))
