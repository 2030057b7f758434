"""`thecal db backup` under writes, then `thecal db restore`, on SQLite and PostgreSQL: every
write acknowledged before the backup is in the restored clinic, its audit chain verifies and its
rows match the manifest; a backup that is damaged, tampered with, written under another audit
key or whose manifest disagrees is refused and the live clinic is left exactly as it was."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from pathlib import Path

import pytest
from records_db import AUDIT_KEY, FixedClock, seed_user
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from thecal.adapters.sql.backup.clinic_backup import restore_backup, take_backup
from thecal.adapters.sql.backup.manifest import Manifest, manifest_path
from thecal.adapters.sql.backup.survey import Survey, survey
from thecal.adapters.sql.tables.patients import patients
from thecal.bootstrap import Thecal
from thecal.domain.audit import verify_chain
from thecal.domain.backup_errors import (
    BackupDamaged,
    RestoredClinicInvalid,
    RestoreTargetBusy,
)
from thecal.domain.patient import Sex
from thecal.domain.users import Role
from thecal.entrypoints.cli.main import app as cli
from thecal.services.patients import RegisterPatient, register_patient

KEY = AUDIT_KEY.encode()
pytestmark = pytest.mark.slow  # a PostgreSQL restore builds and drops a scratch database


def _register(app: Thecal, actor: object, mrn: str) -> None:
    app.run(
        register_patient,
        RegisterPatient(
            actor=actor,  # type: ignore[arg-type]
            mrn=mrn,
            family_name="Backup",
            given_names="Test",
            birth_date=dt.date(1970, 1, 1),
            sex=Sex.UNKNOWN,
        ),
    )


def _mrns(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(select(patients.c.mrn))}


def _survey(engine: Engine) -> Survey:
    with engine.connect() as connection:
        return survey(connection)


def _chain_ok(app: Thecal) -> int:
    with app.uow() as uow:
        report = verify_chain(uow.audit_log.entries(), KEY, anchor=uow.audit_log.recorded_head())
    assert report.ok, report.first_break
    return report.entries_checked


def test_a_backup_taken_under_writes_restores_every_acknowledged_write(
    app: Thecal, migrated: Engine, tmp_path: Path
) -> None:
    actor = seed_user(app, username="phil", role=Role.PHYSICIAN).as_actor()
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                mrn = f"MRN-{uuid.uuid4().hex[:10]}"
                _register(app, actor, mrn)
                with lock:
                    acknowledged.append(mrn)  # returned: committed and acknowledged
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            failures.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 5 and not failures:
            stop.wait(0.02)
        with lock:
            before = set(acknowledged)
        backup = tmp_path / "clinic.backup"
        manifest = take_backup(migrated, backup, clock=FixedClock())
        with lock:
            after = set(acknowledged)
        while len(acknowledged) < len(after) + 3 and not failures:  # the clinic goes on
            stop.wait(0.02)
    finally:
        stop.set()
        writer.join()
    assert not failures, failures
    assert manifest_path(backup).exists()
    live_before_restore = _mrns(migrated)
    assert live_before_restore >= after | {*acknowledged}

    report = restore_backup(migrated, backup, audit_key=KEY, clock=FixedClock(), force=True)

    restored = _mrns(migrated)
    assert before <= restored  # nothing acknowledged before the backup is lost
    assert restored <= set(acknowledged)  # and nothing that was never acknowledged appears
    assert restored < live_before_restore  # the writes after the backup are not in it
    assert manifest.survey.tables["patients"] == len(restored)
    assert _survey(migrated) == manifest.survey
    assert report.checked.audit_entries == _chain_ok(app) > len(before)
    assert report.kept is not None


def _clinic_with_patients(app: Thecal, count: int = 3) -> None:
    actor = seed_user(app, username="phil", role=Role.PHYSICIAN).as_actor()
    for index in range(count):
        _register(app, actor, f"MRN-{index:04d}")


def test_a_damaged_backup_is_refused_and_changes_nothing(
    app: Thecal, migrated: Engine, tmp_path: Path
) -> None:
    _clinic_with_patients(app)
    backup = tmp_path / "clinic.backup"
    take_backup(migrated, backup, clock=FixedClock())
    _register(app, seed_user(app, username="nora", role=Role.PHYSICIAN).as_actor(), "AFTER-1")
    live = _survey(migrated)
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))
    with pytest.raises(BackupDamaged, match="SHA-256 differs"):
        restore_backup(migrated, backup, audit_key=KEY, clock=FixedClock(), force=True)
    manifest_path(backup).unlink()
    with pytest.raises(BackupDamaged, match="cannot read the manifest"):
        restore_backup(migrated, backup, audit_key=KEY, clock=FixedClock(), force=True)
    with pytest.raises(BackupDamaged, match="no such file"):
        restore_backup(migrated, tmp_path / "nope", audit_key=KEY, clock=FixedClock(), force=True)
    assert _survey(migrated) == live
    assert "AFTER-1" in _mrns(migrated)


def test_a_backup_of_a_tampered_chain_or_under_another_key_is_refused(
    app: Thecal, migrated: Engine, tmp_path: Path
) -> None:
    _clinic_with_patients(app)
    good = tmp_path / "good.backup"
    take_backup(migrated, good, clock=FixedClock())
    live = _survey(migrated)
    other_key = b"another-audit-key-0123456789abcdef0123"
    with pytest.raises(RestoredClinicInvalid, match=r"\(audit chain\).*edited or forged"):
        restore_backup(migrated, good, audit_key=other_key, clock=FixedClock(), force=True)
    assert _survey(migrated) == live

    with migrated.begin() as connection:  # an insider edits an entry (the guard removed first)
        if migrated.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"
            )
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
        connection.execute(text("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 2"))
    tampered = tmp_path / "tampered.backup"
    take_backup(migrated, tampered, clock=FixedClock())  # a backup copies; it does not judge
    restore_backup(migrated, good, audit_key=KEY, clock=FixedClock(), force=True)  # repaired
    repaired = _survey(migrated)
    assert repaired == live
    with pytest.raises(RestoredClinicInvalid, match=r"entry sequence 2: entry hash"):
        restore_backup(migrated, tampered, audit_key=KEY, clock=FixedClock(), force=True)
    assert _survey(migrated) == repaired
    _chain_ok(app)


def test_a_restore_whose_rows_differ_from_the_manifest_is_refused(
    app: Thecal, migrated: Engine, tmp_path: Path
) -> None:
    _clinic_with_patients(app)
    backup = tmp_path / "clinic.backup"
    take_backup(migrated, backup, clock=FixedClock())
    path = manifest_path(backup)
    data = json.loads(path.read_text())
    data["tables"]["patients"] += 1  # the manifest says one patient more than the file holds
    path.write_text(json.dumps(data))
    live = _survey(migrated)
    with pytest.raises(RestoredClinicInvalid, match=r"\(manifest\).*patients: 3 rows, manifest 4"):
        restore_backup(migrated, backup, audit_key=KEY, clock=FixedClock(), force=True)
    assert _survey(migrated) == live
    assert Manifest.read(backup).survey.tables["patients"] == 4


def test_the_cli_backs_up_and_restores_with_a_summary(
    app: Thecal, migrated: Engine, database_url: str, tmp_path: Path
) -> None:
    _clinic_with_patients(app)
    env = {"THECAL_DATABASE_URL": database_url, "THECAL_AUDIT_KEY": AUDIT_KEY}
    backup = tmp_path / "cli.backup"
    made = CliRunner().invoke(cli, ["db", "backup", str(backup), "--json"], env=env)
    assert made.exit_code == 0, made.output
    written = json.loads(made.stdout)
    assert (written["tables"]["patients"], written["revision"]) == (3, _survey(migrated).revision)
    assert written["sha256"] == Manifest.read(backup).sha256
    _register(app, seed_user(app, username="nora", role=Role.PHYSICIAN).as_actor(), "AFTER-1")
    restore = ["db", "restore", str(backup), "--yes"]
    if migrated.dialect.name == "postgresql":
        busy = CliRunner().invoke(cli, restore, env=env)  # this test's own engine is connected
        assert busy.exit_code == 2
        assert "THC-BACKUP-005" in busy.stderr
        restore.append("--force")
    done = CliRunner().invoke(cli, restore, env=env)
    assert done.exit_code == 0, done.output
    assert "audit chain ok" in done.stdout
    assert "rows match the manifest" in done.stdout
    assert "AFTER-1" not in _mrns(migrated)
    asked = CliRunner().invoke(cli, ["db", "restore", str(backup)], env=env, input="n\n")
    assert asked.exit_code == 1  # declined: aborted, nothing done
    assert "Replace the clinic" in asked.stdout


def test_postgresql_refuses_a_restore_while_others_are_connected(
    app: Thecal, migrated: Engine, tmp_path: Path
) -> None:
    backup = tmp_path / "clinic.backup"
    take_backup(migrated, backup, clock=FixedClock())
    if migrated.dialect.name == "sqlite":  # SQLite's restore is one transaction of its own
        restore_backup(migrated, backup, audit_key=KEY, clock=FixedClock())
        return
    with migrated.connect() as other:  # a server's pooled connection, say
        other.execute(text("SELECT 1"))
        with pytest.raises(RestoreTargetBusy, match="stop the thecal servers"):
            restore_backup(migrated, backup, audit_key=KEY, clock=FixedClock())
