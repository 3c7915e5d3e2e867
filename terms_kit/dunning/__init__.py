"""Dunning and recovery: the ladder of reminders, pauses, the daily run and its history.

- ``receivables``: what an invoice still asks for, on a date, and the payments applied to it;
- ``pauses``: pause and resume an invoice or a client;
- ``ladder``: which ladder applies to an invoice and when each step falls;
- ``run``: the daily decision pass (``manage.py termskit dunning run``);
- ``actions``: approving, skipping and carrying out a step (the reminder e-mails);
- ``letters``: the formal notice and the recourse file.
"""
