from ..services.documents import STALLED_AFTER, requeue_stalled

HELP = ("Queue again the document requests whose worker died while running them (still "
        f"'generating' {int(STALLED_AFTER.total_seconds() // 60)} minutes after it took them). "
        "For cron, every few minutes: does nothing when none is stalled.")


def add_arguments(parser):
    pass


def run(command, options):
    queued = requeue_stalled()
    if not queued:
        command.stdout.write("No stalled document request.")
    else:
        command.stdout.write(command.style.SUCCESS(
            f"Queued again: {len(queued)} document request(s) ({', '.join(map(str, queued))})."))
