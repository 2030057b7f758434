"""Scheduling use cases: referrals and their triage, visits, calendars, visit needs, reminders
and calendar feeds (``domain/scheduling``; docs/scheduling.md)."""
