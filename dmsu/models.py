"""Every table of the site, in dependency order (used by migrations, backups and tests)."""

from dmsu.auth.models import ApiToken, User
from dmsu.cheatsheet.models import (
    CheatSheetChange,
    Component,
    ComponentName,
    ComponentPartner,
    Expert,
    Partner,
)
from dmsu.core.once import FormSubmission
from dmsu.core.search.models import SearchDocument
from dmsu.digests.models import Digest, DigestEntry, DigestRevision, Shift
from dmsu.forums import models as forums_models
from dmsu.helpdesk import models as helpdesk_models
from dmsu.metrics.models import Recommendation
from dmsu.notify.models import Notification
from dmsu.repositories import models as repositories_models
from dmsu.requirements.models import (
    Requirement,
    RequirementEvent,
    RequirementTicket,
    TcbReport,
)
from dmsu.tickets.models import Release, SlaClock, Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.models import Attachment, Page, PageLink, PageTag, Revision

ALL_MODELS = [
    User,
    ApiToken,
    SupportUnit,
    Partner,
    Component,
    ComponentName,
    ComponentPartner,
    Expert,
    CheatSheetChange,
    Ticket,
    TicketEvent,
    TicketInvolvement,
    SlaClock,
    Release,
    Notification,
    Page,
    Revision,
    PageLink,
    PageTag,
    Attachment,
    Shift,
    Digest,
    DigestEntry,
    DigestRevision,
    Requirement,
    RequirementTicket,
    RequirementEvent,
    TcbReport,
    Recommendation,
    FormSubmission,
    SearchDocument,
    *helpdesk_models.TABLES,
    *forums_models.TABLES,
    *repositories_models.TABLES,
]
