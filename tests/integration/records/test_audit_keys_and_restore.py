"""Audit key rotation, the scheduled checkpoint, and accepting a restored backup, on real
databases; the key-id revision (0013) on a populated database (SR-17, issue 15 §2)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import stat
from pathlib import Path

import pytest
from records_db import AUDIT_KEY, NOW, FixedClock, seed_user
from sqlalchemy import Connection, Engine, insert, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from thecal.adapters.audit.checkpoint_file import default_checkpoint_path
from thecal.adapters.audit.checkpoint_schedule import CheckpointSchedule
from thecal.adapters.sql.database import current_revision, downgrade_database, upgrade_database
from thecal.adapters.sql.tables.audit import audit_entries
from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.audit import AuditVerdict, BreakReason, CheckpointKind, append_entry
from thecal.domain.authorization import Action, Subject
from thecal.domain.users import Actor, Role
from thecal.entrypoints.cli.main import app as cli
from thecal.services.audit import CheckpointAudit, checkpoint_audit

REGISTER = (
    *("--family-name", "Doe", "--given-names", "Jo"),
    *("--birth-date", "1961-04-03", "--sex", "female"),
)


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "THECAL_DATABASE_URL": database_url,
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_AUDIT_KEY_FILE": str(tmp_path / "keys" / "audit-keys"),
        "THECAL_AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"),
        "THECAL_USER": "",
    }


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(
        database_url=env["THECAL_DATABASE_URL"],
        audit_key=AUDIT_KEY,  # type: ignore[arg-type]
        audit_key_file=Path(env["THECAL_AUDIT_KEY_FILE"]),
        audit_checkpoint_file=Path(env["THECAL_AUDIT_CHECKPOINT_FILE"]),
        audit_checkpoint_log=True,
    )


def clinic(env: dict[str, str]) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    app = bootstrap(settings_of(env))
    try:
        seed_user(app, username="adam", role=Role.ADMIN)
        seed_user(app, username="nina", role=Role.NURSE)
    finally:
        app.close()


def register(env: dict[str, str], mrn: str) -> None:
    code, _, err = run(env, "patients", "register", "--as", "nina", "--mrn", mrn, *REGISTER)
    assert code == 0, err


def key_ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT key_id FROM audit_entries ORDER BY sequence"))
        return [row[0] for row in rows]


def test_a_rotated_key_signs_from_the_rotation_on_and_old_entries_still_verify(
    env: dict[str, str],
) -> None:
    clinic(env)
    register(env, "MRN-1")
    server = bootstrap(settings_of(env))  # a running server: its ring was loaded before
    try:
        code, out, err = run(env, "audit", "rotate-key", "--as", "adam", "--json")
        assert code == 0, err
        rotated = json.loads(out)
        assert (rotated["previous_key_id"], rotated["key_id"]) == ("k1", "k2")
        key_file = Path(env["THECAL_AUDIT_KEY_FILE"])
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert key_file.read_text().splitlines()[-1].startswith("k2 ")
        assert AUDIT_KEY not in key_file.read_text()  # the first key stays in the environment

        with server.uow() as uow:  # the server appends after the rotation: it reloads its ring
            uow.audit.record(
                actor=Actor(user_id="u-nina", role=Role.NURSE),
                action=Action.PATIENT_SEARCH,
                subject=Subject.collection("patients"),
                at=NOW,
            )
            uow.commit()
        register(env, "MRN-2")
        assert key_ids(server.engine) == ["k1"] * 3 + ["k2"] * 3
    finally:
        server.close()

    code, out, err = run(env, "audit", "verify", "--as", "adam")
    assert code == 0, err
    assert "6 entries verified" in out

    without_file = {k: v for k, v in env.items() if k != "THECAL_AUDIT_KEY_FILE"}
    code, _, err = run(without_file, "audit", "verify", "--as", "adam")
    assert code == 1
    assert "names a key the key ring does not hold" in err  # or the checkpoint's key
    assert "'k2'" in err


def test_rotation_without_a_key_file_is_refused_with_the_setting_to_use(
    env: dict[str, str],
) -> None:
    clinic(env)
    without_file = {k: v for k, v in env.items() if k != "THECAL_AUDIT_KEY_FILE"}
    code, _, err = run(without_file, "audit", "rotate-key", "--as", "adam")
    assert code == 2
    assert "THC-AUDIT-006" in err
    assert "THECAL_AUDIT_KEY_FILE" in err


def test_the_schedule_checkpoints_new_entries_and_stops_checkpointing_a_cut_chain(
    env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    clinic(env)
    app = bootstrap(settings_of(env), clock=FixedClock())
    try:
        walks: list[bool] = []

        def checkpoint(full: bool) -> AuditVerdict:
            walks.append(full)
            return app.run(checkpoint_audit, CheckpointAudit(full=full))

        schedule = CheckpointSchedule(
            checkpoint, interval=dt.timedelta(minutes=15), full_every=dt.timedelta(minutes=45)
        )
        with caplog.at_level(logging.INFO, logger="thecal"):
            first = schedule.tick()
        assert first is not None
        assert first.ok
        logged = [r for r in caplog.records if r.name == "thecal.audit.checkpoint"]
        assert json.loads(logged[-1].getMessage())["kind"] == "schedule"  # shipped as a log line
        register(env, "MRN-1")
        register(env, "MRN-2")
        second = schedule.tick()
        assert second is not None
        assert second.ok
        assert second.entries_checked == 2  # only what came since the last checkpoint

        with app.engine.begin() as connection:  # an insider cuts the two new entries
            drop_guard(connection, app.engine)
            connection.execute(text("DELETE FROM audit_entries WHERE sequence > 2"))
            connection.execute(
                text(
                    "UPDATE audit_chain_head SET last_sequence = 2, last_hash = "
                    "(SELECT entry_hash FROM audit_entries WHERE sequence = 2)"
                )
            )
        caplog.clear()
        with caplog.at_level(logging.CRITICAL, logger="thecal.audit"):
            third = schedule.tick()
        assert third is not None
        assert third.first_break is not None
        assert third.first_break.reason is BreakReason.TRUNCATED
        assert any("tail cut off" in r.getMessage() for r in caplog.records)
        history = app.audit_checkpoints.history(app.audit_keys.ring())
        assert [c.kind for c in history.checkpoints] == [CheckpointKind.SCHEDULE] * 2
        assert schedule.ticks == 3
        assert walks == [False, False, True]  # the whole chain every third tick (45 min)
    finally:
        app.close()


def drop_guard(connection: Connection, engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"
        )
    else:
        connection.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
        connection.exec_driver_sql("DROP TRIGGER audit_entries_no_update")


def test_a_restored_backup_is_refused_until_accepted_then_serves_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "clinic.db"
    env = {
        "THECAL_DATABASE_URL": f"sqlite:///{database}",
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_AUDIT_KEY_FILE": str(tmp_path / "keys"),
        "THECAL_AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"),
        "THECAL_USER": "",
    }
    clinic(env)
    register(env, "MRN-1")
    assert run(env, "audit", "verify", "--as", "adam")[0] == 0
    shutil.copy(database, tmp_path / "backup.db")  # the nightly backup (entry 4 is its head)
    register(env, "MRN-2")
    register(env, "MRN-3")
    assert run(env, "audit", "verify", "--as", "adam")[0] == 0  # checkpoint at 7
    shutil.copy(tmp_path / "backup.db", database)  # the disk failed: restored from the backup
    for leftover in tmp_path.glob("clinic.db-*"):  # the WAL of the lost database goes with it
        leftover.unlink()

    from thecal.entrypoints.cli import serve as serve_module  # noqa: PLC0415

    started: list[int] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda _a, **kw: started.append(kw["port"]))
    code, _, err = run(env, "serve", "--port", "8125")
    assert code == 1
    assert "tail cut off" in err
    assert "accept-restore" in err

    code, out, err = run(env, "audit", "restored", "--json")
    assert code == 0, err
    check = json.loads(out)
    assert (check["database_sequence"], check["missing_entries"]) == (4, 3)

    code, out, err = run(env, "audit", "accept-restore", "--as", "adam", "--reason", "disk lost")
    assert code == 0, err
    assert "3 entries lost" in out
    code, _, err = run(env, "serve", "--port", "8125")
    assert code == 0, err
    assert started == [8125]


def test_revision_0013_upgrades_a_populated_database_and_downgrades_only_before_rotation(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    upgrade_database(engine, "0015")
    settings = Settings(database_url=database_url, audit_key=AUDIT_KEY)  # type: ignore[arg-type]
    app = bootstrap(settings, clock=FixedClock(), engine=engine)
    key = AUDIT_KEY.encode()
    first = append_entry(
        None, key=key, occurred_at=NOW, actor="u", action="a", subject="s", details={}
    )
    second = append_entry(
        first.head, key=key, occurred_at=NOW, actor="u", action="b", subject="s", details={}
    )
    with engine.begin() as connection:  # two entries without key ids (before 0013)
        for entry in (first, second):
            row = {
                "sequence": entry.sequence,
                "occurred_at": entry.occurred_at,
                "actor": entry.actor,
                "action": entry.action,
                "subject": entry.subject,
                "details_json": entry.details_json,
                "previous_hash": entry.previous_hash,
                "entry_hash": entry.entry_hash,
            }
            connection.execute(insert(audit_entries).values(**row))
        connection.execute(
            text("UPDATE audit_chain_head SET last_sequence = 2, last_hash = :h"),
            {"h": second.entry_hash},
        )
    upgrade_database(engine)
    with app.uow() as uow:
        assert [e.key_id for e in uow.audit_log.entries()] == ["k1", "k1"]
        head = uow.audit_log.recorded_head()
    assert head is not None
    assert (head.sequence, head.key_id) == (2, "k1")
    downgrade_database(engine, "0015")  # nothing rotated yet: the ids can go
    assert current_revision(engine) == "0015"
    upgrade_database(engine)
    with engine.begin() as connection:  # now an entry signed with a rotated key
        connection.execute(text("UPDATE audit_chain_head SET last_key_id = 'k2'"))
        drop_guard(connection, app.engine)
        connection.execute(text("UPDATE audit_entries SET key_id = 'k2' WHERE sequence = 2"))
    with pytest.raises(RuntimeError, match="signed with a rotated key"):
        downgrade_database(engine, "0015")
    assert current_revision(engine) != "0015"
    app.close()


def test_the_default_checkpoint_file_is_beside_a_sqlite_file_else_named_after_the_url() -> None:
    assert default_checkpoint_path("sqlite:///var/thecal.db") == Path(
        "var/thecal.db.audit-checkpoints.jsonl"
    )
    one = default_checkpoint_path("postgresql+psycopg://thecal:secret@db/clinic")
    other = default_checkpoint_path("postgresql+psycopg://thecal:secret@db/other")
    assert one.parent == Path("var")
    assert one != other
    assert "secret" not in str(one)
    assert default_checkpoint_path("postgresql+psycopg://thecal:changed@db/clinic") == one
    assert make_url("sqlite:///x.db").database == "x.db"
