from ..services.online_payments import sweep_holds

HELP = ("Card holds: e-mail the expert once about each hold that expires within "
        "HOLD_WARNING_HOURS, mark holds past their deadline as expired. Idempotent; run it "
        "hourly or daily (cron, systemd timer).")


def add_arguments(parser):
    pass


def run(command, options):
    warned, expired = sweep_holds()
    command.stdout.write(f"{warned} hold(s) about to expire notified, {expired} expired.")
