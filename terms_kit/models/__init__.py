from .acceptance import (
    AccessLink,
    ChainCheckpoint,
    ChainHead,
    ConsentKind,
    ConsentRecord,
    EmailCode,
    SealedFile,
)
from .audit import OwnedLogEntry
from .clauses import Audience, BuiltClause, Clause, TermsBuild, Topic
from .client import Client
from .documents import DocumentKind, DocumentRequest, ExpertTemplate, IssuedDocument
from .engagement import Engagement, EngagementLine, Milestone, NumberSequence
from .history import StatusChange
from .identity import BusinessIdentity
from .online import CheckoutState, OnlineCheckout, ProviderEvent
from .payments import (
    Allocation,
    CreditUse,
    DueTrigger,
    Instalment,
    InstalmentKind,
    InstalmentState,
    Invoice,
    InvoiceKind,
    Payment,
    Refund,
    Series,
    WorkStartNotice,
)
from .terms import TermsVersion
from .wizard import WarningAcknowledgement, WizardState

__all__ = [
    "Audience",
    "BuiltClause",
    "Clause",
    "TermsBuild",
    "Topic",
    "Allocation",
    "CreditUse",
    "DueTrigger",
    "Instalment",
    "InstalmentKind",
    "InstalmentState",
    "Invoice",
    "InvoiceKind",
    "Payment",
    "Refund",
    "Series",
    "WorkStartNotice",
    "AccessLink",
    "ChainCheckpoint",
    "ChainHead",
    "ConsentKind",
    "ConsentRecord",
    "EmailCode",
    "SealedFile",
    "BusinessIdentity",
    "Client",
    "DocumentKind",
    "DocumentRequest",
    "Engagement",
    "EngagementLine",
    "ExpertTemplate",
    "IssuedDocument",
    "Milestone",
    "NumberSequence",
    "OwnedLogEntry",
    "StatusChange",
    "TermsVersion",
    "WarningAcknowledgement",
    "WizardState",
    "CheckoutState",
    "OnlineCheckout",
    "ProviderEvent",
]
