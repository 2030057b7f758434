"""SQLAlchemy Core tables, one module per aggregate, all on :data:`.metadata.metadata`.

Every table module is imported here, so importing any of them (or the metadata) yields the
complete metadata: Alembic's environment and ``metadata.create_all`` see every table.
"""

from thecal.adapters.sql.tables import (  # noqa: F401 - each module declares its tables on the metadata
    appointments,
    assessments,
    audit,
    calendar_feeds,
    calendars,
    candidacy,
    care_teams,
    clinic_clock,
    clinical_generation,
    device_event_records,
    device_log,
    implants,
    mri,
    patients,
    pharmacy,
    procedures,
    program_changes,
    pumps,
    referrals,
    refills,
    reminders,
    sessions,
    tasks,
    trials,
    twin,
    users,
    visit_needs,
)
