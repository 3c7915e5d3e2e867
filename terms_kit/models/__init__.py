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
from .dunning import (
    ActionState,
    DunningAction,
    DunningEvent,
    DunningLadder,
    DunningPause,
    EventKind,
    PauseEnd,
    PauseSource,
    ReminderTemplate,
    StepKind,
    StepMode,
)
from .engagement import Engagement, EngagementLine, Milestone, NumberSequence
from .figures import HalfYearFigures
from .history import StatusChange
from .identity import BusinessIdentity
from .mail import SentMessage
from .notices import FormalNotice, Procedure, RecourseFile
from .online import CheckoutState, OnlineCheckout, ProviderEvent
from .payments import (
    Allocation,
    CreditClosure,
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
from .plans import (
    LIVE_STATES,
    RUNNING_STATES,
    InstalmentPlan,
    PlanAcceptance,
    PlanEvent,
    PlanInstalment,
    PlanInvoice,
    PlanState,
)
from .reconsent import ReconsentRequest, ReconsentState
from .terms import TermsVersion
from .wizard import WarningAcknowledgement, WizardState

__all__ = [
    "HalfYearFigures",
    "LIVE_STATES",
    "RUNNING_STATES",
    "InstalmentPlan",
    "PlanAcceptance",
    "PlanEvent",
    "PlanInstalment",
    "PlanInvoice",
    "PlanState",
    "ActionState",
    "DunningAction",
    "DunningEvent",
    "DunningLadder",
    "DunningPause",
    "EventKind",
    "PauseEnd",
    "PauseSource",
    "ReminderTemplate",
    "SentMessage",
    "StepKind",
    "StepMode",
    "Audience",
    "BuiltClause",
    "Clause",
    "TermsBuild",
    "Topic",
    "ReconsentRequest",
    "ReconsentState",
    "Allocation",
    "CreditClosure",
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
    "FormalNotice",
    "Procedure",
    "RecourseFile",
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
from .pages import OfferBooking, OfferPage, TermsPage  # noqa: E402  (page types need the rest)

__all__ += ["OfferBooking", "OfferPage", "TermsPage"]
