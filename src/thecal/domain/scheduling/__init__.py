"""Scheduling: referrals from the public intake page, visits, calendars, visit needs, reminders.

Modules: ``referral`` (intake form and triage), ``visit_types`` (durations, places, attendees),
``calendar`` (slots, working hours, closures, rooms), ``appointment`` (the booked visit and its
state machine), ``visit_needs`` (what the clinic's facts ask to book), ``reminders`` (what a
reminder may say, and its at-most-once sending record), ``feeds`` (a clinician's ``.ics`` feed).

Error leaves::

    RequestInvalid
    ├── ReferralInvalid            THC-REF-001  an intake form field (says which and why)
    ├── NotOnSlotBoundary          THC-CAL-001  a time off the 15-minute grid
    ├── WorkingHoursInvalid        THC-CAL-003  working hours, closures, rooms
    └── AppointmentInvalid         THC-APPT-005
    NotFound
    ├── ReferralNotFound           THC-REF-002
    ├── AppointmentNotFound        THC-APPT-002
    ├── ReminderNotFound           THC-REM-001
    └── FeedNotFound               THC-CAL-010
    Conflict
    ├── ReferralStateError         THC-REF-003  (IllegalTransition)
    ├── StaleReferralVersion       THC-REF-004
    ├── AppointmentStateError      THC-APPT-001 (IllegalTransition)
    ├── StaleAppointmentVersion    THC-APPT-003
    ├── SlotTaken                  THC-APPT-004 the clinician or room is booked then
    ├── ClinicianUnavailable       THC-CAL-002  outside hours, holiday, closure, leave
    └── ReminderStateError         THC-REM-002
"""

from __future__ import annotations

from thecal.domain.scheduling.appointment import (
    Appointment,
    AppointmentInvalid,
    AppointmentNotFound,
    AppointmentState,
    AppointmentStateError,
    PurposeKind,
    SlotTaken,
    StaleAppointmentVersion,
    VisitPurpose,
)
from thecal.domain.scheduling.calendar import (
    SLOT,
    Availability,
    ClinicianUnavailable,
    Closure,
    NotOnSlotBoundary,
    Room,
    WorkingHours,
    WorkingHoursInvalid,
    slot_starts,
)
from thecal.domain.scheduling.feeds import CalendarFeed, FeedNotFound, feed_digest
from thecal.domain.scheduling.referral import (
    IntakeForm,
    Referral,
    ReferralInvalid,
    ReferralNotFound,
    ReferralSource,
    ReferralState,
    ReferralStateError,
    StaleReferralVersion,
    TriedTreatment,
)
from thecal.domain.scheduling.reminders import (
    FOLLOW_UP_QUESTIONNAIRES,
    REMINDER_OFFSETS,
    Reminder,
    ReminderDetail,
    ReminderMessage,
    ReminderNotFound,
    ReminderPreference,
    ReminderState,
    ReminderStateError,
    compose_reminder,
)
from thecal.domain.scheduling.visit_needs import (
    EpisodeFacts,
    NeedState,
    PatientFacts,
    PostMriFacts,
    PumpFacts,
    ReferralFacts,
    VisitNeed,
    visit_needs,
)
from thecal.domain.scheduling.visit_types import Location, VisitCatalogue, VisitType, VisitTypeSpec

__all__ = [
    "FOLLOW_UP_QUESTIONNAIRES",
    "REMINDER_OFFSETS",
    "SLOT",
    "Appointment",
    "AppointmentInvalid",
    "AppointmentNotFound",
    "AppointmentState",
    "AppointmentStateError",
    "Availability",
    "CalendarFeed",
    "ClinicianUnavailable",
    "Closure",
    "EpisodeFacts",
    "FeedNotFound",
    "IntakeForm",
    "Location",
    "NeedState",
    "NotOnSlotBoundary",
    "PatientFacts",
    "PostMriFacts",
    "PumpFacts",
    "PurposeKind",
    "Referral",
    "ReferralFacts",
    "ReferralInvalid",
    "ReferralNotFound",
    "ReferralSource",
    "ReferralState",
    "ReferralStateError",
    "Reminder",
    "ReminderDetail",
    "ReminderMessage",
    "ReminderNotFound",
    "ReminderPreference",
    "ReminderState",
    "ReminderStateError",
    "Room",
    "SlotTaken",
    "StaleAppointmentVersion",
    "StaleReferralVersion",
    "TriedTreatment",
    "VisitCatalogue",
    "VisitNeed",
    "VisitPurpose",
    "VisitType",
    "VisitTypeSpec",
    "WorkingHours",
    "WorkingHoursInvalid",
    "compose_reminder",
    "feed_digest",
    "slot_starts",
    "visit_needs",
]
