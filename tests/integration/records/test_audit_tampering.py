"""Cutting, wiping and forging the audit log is named by `thecal audit verify` and stops
`thecal serve`, on SQLite and PostgreSQL (SR-17, issue 15 §2).

Each test builds a clinic, lets `thecal audit verify` checkpoint the head outside the database,
then plays an insider with write and DDL rights on the database (not the key, not the checkpoint
file): the guards are removed, the rows changed, and the guards put back so that only the chain
and the checkpoint are left to tell. Every case exits 1 naming what is wrong, never with a
traceback, and appends nothing to the broken log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from records_db import AUDIT_KEY, seed_user
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from thecal.adapters.sql.database import make_engine
from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.users import Role
from thecal.entrypoints.cli import serve as serve_module
from thecal.entrypoints.cli.main import app as cli

_PG_GUARDS = (
    (
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION thecal_audit_append_only()"
    ),
    (
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION thecal_audit_append_only()"
    ),
)
_SQLITE_GUARDS = tuple(
    f"CREATE TRIGGER audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries "
    f"BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
)


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "THECAL_DATABASE_URL": database_url,
        "THECAL_AUDIT_KEY": AUDIT_KEY,
        "THECAL_AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.jsonl"),
        "THECAL_USER": "",
    }


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records each uvicorn.run call instead of listening."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda _app, **kw: calls.append(kw))
    return calls


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def clinic(env: dict[str, str], database_url: str) -> Engine:
    """Six entries, verified and checkpointed (the verification is entry 7)."""
    assert run(env, "db", "upgrade")[0] == 0
    app = bootstrap(Settings(database_url=database_url, audit_key=AUDIT_KEY))  # type: ignore[arg-type]
    try:
        for name, role in (("adam", Role.ADMIN), ("nina", Role.NURSE), ("paul", Role.PHYSICIAN)):
            seed_user(app, username=name, role=role)
    finally:
        app.close()
    for mrn in ("MRN-1", "MRN-2", "MRN-3"):
        code, _, err = run(
            env,
            *("patients", "register", "--as", "nina", "--mrn", mrn, "--family-name", "Doe"),
            *("--given-names", "Jo", "--birth-date", "1961-04-03", "--sex", "female"),
        )
        assert code == 0, err
    code, out, err = run(env, "audit", "verify", "--as", "adam")
    assert code == 0, err
    assert "6 entries verified" in out
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def as_insider(engine: Engine, change: Callable[[Connection], None]) -> None:
    """Remove the append-only guards, ``change`` the tables, put the guards back."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for name in ("audit_entries_append_only", "audit_entries_no_truncate"):
            if postgres:
                connection.exec_driver_sql(f"DROP TRIGGER {name} ON audit_entries")
        if not postgres:
            connection.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
        change(connection)
        for statement in _PG_GUARDS if postgres else _SQLITE_GUARDS:
            connection.exec_driver_sql(statement)


def entry_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM audit_entries")).scalar_one())


def broken(env: dict[str, str], engine: Engine) -> str:
    """`audit verify` and `serve` both refuse; nothing is appended; the verify message."""
    before = entry_count(engine)
    code, out, err = run(env, "audit", "verify", "--as", "adam")
    assert code == 1, out + err
    code_json, out_json, _ = run(env, "audit", "verify", "--as", "adam", "--json")
    assert code_json == 1
    assert json.loads(out_json)["ok"] is False
    assert entry_count(engine) == before  # never appends to a broken chain
    return err


def refuses_to_serve(env: dict[str, str], started: list[dict[str, Any]]) -> str:
    code, _, err = run(env, "serve", "--port", "8123")
    assert code == 1
    assert "refusing to start" in err
    assert started == []
    return err


def cut_tail(rows: int) -> Callable[[Connection], None]:
    def change(connection: Connection) -> None:
        last = connection.execute(text("SELECT max(sequence) FROM audit_entries")).scalar_one()
        keep = last - rows
        connection.execute(text("DELETE FROM audit_entries WHERE sequence > :keep"), {"keep": keep})
        connection.execute(
            text(
                "UPDATE audit_chain_head SET last_sequence = :keep, last_hash = "
                "(SELECT entry_hash FROM audit_entries WHERE sequence = :keep)"
            ),
            {"keep": keep},
        )

    return change


def test_a_tail_cut_with_the_head_moved_to_the_new_last_row_is_named(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]]
) -> None:
    as_insider(clinic, cut_tail(3))
    err = broken(env, clinic)
    assert "audit chain BROKEN at entry sequence 5" in err
    assert "tail cut off" in err
    assert "3 entries missing" in err
    assert "accept-restore" in err  # what to do if it was a restore
    assert "tail cut off" in refuses_to_serve(env, started)


def test_a_wiped_table_with_a_reset_head_is_named(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]]
) -> None:
    def wipe(connection: Connection) -> None:
        connection.execute(text("DELETE FROM audit_entries"))
        connection.execute(
            text("UPDATE audit_chain_head SET last_sequence = 0, last_hash = :genesis"),
            {"genesis": "0" * 64},
        )

    as_insider(clinic, wipe)
    err = broken(env, clinic)
    assert "the log holds no entries, but a checkpoint outside the database recorded some" in err
    assert "7 entries missing" in err
    assert "no entries" in refuses_to_serve(env, started)


def test_a_forged_row_past_the_head_is_named_without_a_crash(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]]
) -> None:
    def forge(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO audit_entries (sequence, occurred_at, actor, action, subject,"
                " details_json, previous_hash, entry_hash, key_id) SELECT sequence + 1,"
                " occurred_at, actor, action, subject, details_json, entry_hash, :forged, key_id"
                " FROM audit_entries WHERE sequence = 7"
            ),
            {"forged": "f" * 64},
        )

    as_insider(clinic, forge)
    err = broken(env, clinic)
    assert "audit chain BROKEN at entry sequence 8" in err
    assert "lies past the recorded head" in err
    assert "IntegrityError" not in err
    refuses_to_serve(env, started)


def test_a_missing_head_row_is_named_without_a_crash(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]]
) -> None:
    as_insider(clinic, lambda c: c.execute(text("DELETE FROM audit_chain_head")))
    err = broken(env, clinic)
    assert "audit log head-missing" in err
    assert "NoResultFound" not in err
    assert "head-missing" in refuses_to_serve(env, started)
    code, _, err = run(  # a clinical write cannot append either: a clear error, not a crash
        env,
        *("patients", "register", "--as", "nina", "--mrn", "MRN-9", "--family-name", "Doe"),
        *("--given-names", "Jo", "--birth-date", "1961-04-03", "--sex", "female"),
    )
    assert code == 2
    assert "THC-AUDIT-007" in err


def test_a_dropped_or_disabled_guard_is_named_though_no_row_changed(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]]
) -> None:
    with clinic.begin() as connection:
        if clinic.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"
            )
            connection.exec_driver_sql("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
    err = broken(env, clinic)
    if clinic.dialect.name == "postgresql":
        assert "trigger audit_entries_append_only on audit_entries is disabled" in err
        assert "trigger audit_entries_no_truncate on audit_entries is missing" in err
    else:
        assert "trigger audit_entries_no_delete on audit_entries is missing" in err
    assert "guard-missing" in refuses_to_serve(env, started)


def test_a_guard_rewritten_to_do_nothing_is_named(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]]
) -> None:
    with clinic.begin() as connection:
        if clinic.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION thecal_audit_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$"
            )
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
            connection.exec_driver_sql(
                "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
                "BEGIN SELECT 1; END"
            )
    err = broken(env, clinic)
    assert "no longer refuses" in err
    refuses_to_serve(env, started)


def test_a_rewritten_entry_behind_the_checkpoint_is_named(
    env: dict[str, str], clinic: Engine
) -> None:
    as_insider(
        clinic, lambda c: c.execute(text("UPDATE audit_entries SET actor = 'x' WHERE sequence = 3"))
    )
    err = broken(env, clinic)
    assert "audit chain BROKEN at entry sequence 3" in err
    assert "edited or forged" in err


def test_an_edited_checkpoint_file_is_named(env: dict[str, str], clinic: Engine) -> None:
    path = Path(env["THECAL_AUDIT_CHECKPOINT_FILE"])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0].replace('"sequence":7', '"sequence":9')]) + "\n")
    err = broken(env, clinic)
    assert "audit log checkpoints: line 1: audit checkpoint signature: does not verify" in err


def test_the_serve_start_and_verify_checkpoints_are_written_to_the_file(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]]
) -> None:
    code, _, err = run(env, "serve", "--port", "8124")
    assert code == 0, err
    assert [call["port"] for call in started] == [8124]
    assert "audit chain ok (7 entries)" in err  # six, and the verification
    lines = Path(env["THECAL_AUDIT_CHECKPOINT_FILE"]).read_text().splitlines()
    kinds = [json.loads(line)["kind"] for line in lines]
    assert kinds == ["verify", "start"]
    code, out, _ = run(env, "audit", "checkpoints", "--json")
    status = json.loads(out)
    assert (code, status["latest"]["kind"], status["problems"]) == (0, "start", [])


def test_serve_refuses_to_start_when_its_checkpoint_file_cannot_be_read(
    env: dict[str, str], clinic: Engine, started: list[dict[str, Any]], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the checkpoint folder should be")
    moved = env | {"THECAL_AUDIT_CHECKPOINT_FILE": str(blocker / "checkpoints.jsonl")}
    err = refuses_to_serve(moved, started)
    assert "audit log checkpoints: cannot read" in err
    assert "Traceback" not in err
