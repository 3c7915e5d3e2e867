from .client import Client
from .engagement import Engagement, EngagementLine, Milestone, NumberSequence
from .history import StatusChange
from .identity import BusinessIdentity
from .terms import TermsVersion
from .wizard import WarningAcknowledgement, WizardState

__all__ = [
    "BusinessIdentity",
    "Client",
    "Engagement",
    "EngagementLine",
    "Milestone",
    "NumberSequence",
    "StatusChange",
    "TermsVersion",
    "WarningAcknowledgement",
    "WizardState",
]
