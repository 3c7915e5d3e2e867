from ..services.documents import STALLED_AFTER, requeue_stalled
from ..services.invoicing import requeue_undocumented

HELP = ("Queue again the work of task workers that died mid-task: document requests still "
        f"'generating' {int(STALLED_AFTER.total_seconds() // 60)} minutes after a worker took "
        "them, and invoices that old still without their document. For cron, every few "
        "minutes: does nothing when nothing is stalled.")


def add_arguments(parser):
    pass


def run(command, options):
    requests, invoices = requeue_stalled(), requeue_undocumented()
    if not requests and not invoices:
        command.stdout.write("Nothing stalled.")
        return
    command.stdout.write(command.style.SUCCESS(
        f"Queued again: {len(requests)} document request(s) {requests}, "
        f"{len(invoices)} invoice document(s) {invoices}."))
