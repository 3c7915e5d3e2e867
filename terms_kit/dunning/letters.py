"""The formal notice (mise en demeure) and the recourse file, for the daily run's actions.

PLACEHOLDER, owned by the ``dunning-notice`` branch, which replaces this module. The contract
the run relies on:

    execute(action) -> LetterResult(document=IssuedDocument | None,
                                    sent_message=SentMessage | None, note="")

``action`` is a ``DunningAction`` whose step is ``formal_notice`` or ``recourse``, in state
"ready" (approved, or automatic). It makes the letter or file (documents pipeline), sends it
through ``terms_kit.services.mail.send_recorded`` when it is sent by e-mail, and returns what
it made; ``terms_kit.dunning.actions`` then marks the action done and writes the history
(event "sent" with the document and the message). It raises to say the step failed (the
action is marked failed, with the message, and may be retried from the admin).
It runs in the background (django-tasks, ``terms_kit.tasks.execute_dunning_action``).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterResult:
    document: object = None
    sent_message: object = None
    note: str = ""


def execute(action):
    raise NotImplementedError("owned by dunning-notice")
