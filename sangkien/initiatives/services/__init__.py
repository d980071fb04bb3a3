"""Writes to initiatives: entry, edits, the validation workflow, hand-overs and attachments.

Every function is atomic, takes the acting user as `by`, checks its input against the
campaign (raising ValidationError with per-field messages, nothing written), leaves a
HistoryEntry and an audit entry, and tells the people concerned (after commit).
Access (who may call what) is checked by the caller with `permissions.can_*`; the rules that
hold whoever calls (the transition table, nobody decides their own initiative) are here.

Status changes follow `models.TRANSITIONS`; a refused move raises `TransitionError` (HTTP
409), and so does a decision on an initiative someone else decided a moment before. The row
is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions take the
write lock at the start), so two people acting at once are served one after the other and
the second one sees what the first did.

The package is the app's write surface (callers import from here); its modules follow the
concerns: `entry` (cleaning input, drafts and edits), `workflow` (submission, decisions,
withdrawal, reopening), `handover` (a closed unit's open work to its successor),
`attachments`, `notices` (who is told of a step, and what) and `common` (limits, refusals,
the history row that moves the figures, the row lock and the version check)."""

from .attachments import (
    add_attachment,
    remove_attachment,
)
from .common import (
    ATTACHING_REFUSED,
    AUDIT_FIELDS,
    DECISIONS,
    EARLIEST_DATE,
    EDITABLE_FIELDS,
    ENTRY_UNIT_KINDS,
    LINE_FIELDS,
    MAX_AUTHORS,
    MAX_BENEFIT_VND,
    MAX_TEXT,
    OWN_DECISION_REFUSED,
    RECOGNITION_FIELDS,
    REQUIRED_TO_SUBMIT,
    TEXT_FIELDS,
    TransitionError,
    display_name,
    refusal_message,
)
from .entry import (
    create_initiative,
    update_initiative,
)
from .handover import (
    OPEN_WORK,
    check_campaigns_cover,
    check_successor_takes_work,
    hand_over_open_work,
    open_work_of,
)
from .notices import (
    author_users,
    reviewers_for,
)
from .workflow import (
    decide_initiative,
    find_duplicate,
    initiative_problems,
    reopen_initiative,
    submit_initiative,
    withdraw_initiative,
)

__all__ = [
    "ATTACHING_REFUSED",
    "AUDIT_FIELDS",
    "DECISIONS",
    "EARLIEST_DATE",
    "EDITABLE_FIELDS",
    "ENTRY_UNIT_KINDS",
    "LINE_FIELDS",
    "MAX_AUTHORS",
    "MAX_BENEFIT_VND",
    "MAX_TEXT",
    "OPEN_WORK",
    "OWN_DECISION_REFUSED",
    "RECOGNITION_FIELDS",
    "REQUIRED_TO_SUBMIT",
    "TEXT_FIELDS",
    "TransitionError",
    "add_attachment",
    "author_users",
    "check_campaigns_cover",
    "check_successor_takes_work",
    "create_initiative",
    "decide_initiative",
    "display_name",
    "find_duplicate",
    "hand_over_open_work",
    "initiative_problems",
    "open_work_of",
    "refusal_message",
    "remove_attachment",
    "reopen_initiative",
    "reviewers_for",
    "submit_initiative",
    "update_initiative",
    "withdraw_initiative",
]
