"""The audit key file and the checkpoint file: what is written, with which permissions, and what
happens when a line or the disk is wrong."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from thecal.adapters.audit.checkpoint_file import CheckpointFileUnwritable, FileCheckpointStore
from thecal.adapters.audit.key_file import FileAuditKeys, read_key_file
from thecal.domain.audit import AuditKey, AuditKeyInvalid, ChainHead, CheckpointKind

FIRST = AuditKey("k1", b"environment-audit-key-0123456789")
AT = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)


class Clock:
    def now(self) -> dt.datetime:
        return AT


def test_added_keys_go_to_an_owner_only_file_after_the_environment_key(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "audit-keys"
    keys = FileAuditKeys(FIRST, path)
    assert keys.ring().ids == ("k1",)
    second = keys.add_key()
    third = keys.add_key()
    assert (second.key_id, third.key_id) == ("k2", "k3")
    assert keys.ring().ids == ("k1", "k2", "k3")
    assert keys.ring().signing == third
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert text.startswith("# thecal audit keys")
    assert FIRST.secret.decode() not in text
    assert [k.key_id for k in read_key_file(path)] == ["k2", "k3"]
    assert FileAuditKeys(FIRST, path).ring().get("k2") == second  # another process reads them


def test_a_process_sees_a_key_another_added_only_when_it_reloads(tmp_path: Path) -> None:
    path = tmp_path / "audit-keys"
    mine, theirs = FileAuditKeys(FIRST, path), FileAuditKeys(FIRST, path)
    theirs.add_key()
    assert mine.ring().ids == ("k1",)
    assert mine.for_append("k2").key_id == "k2"  # the head names k2: reload, then sign with it


@pytest.mark.parametrize(
    ("line", "problem"),
    [("k2", "write '<id> <hex secret>'"), ("k2 not-hex", "not hexadecimal"), ("k2 abcd", "16")],
)
def test_a_bad_key_file_line_is_named_with_its_number(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = tmp_path / "audit-keys"
    path.write_text(f"# comment\n\n{line}\n")
    with pytest.raises(AuditKeyInvalid, match=problem) as caught:
        FileAuditKeys(FIRST, path)
    assert ":3" in str(caught.value) or "k2" in str(caught.value)


def test_checkpoints_are_appended_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "var" / "checkpoints.jsonl"
    store = FileCheckpointStore(path, clock=Clock(), to_log=False)
    assert store.lines() == []
    head = ChainHead(sequence=3, entry_hash="a" * 64)
    first = store.record(head, chain_start="b" * 64, kind=CheckpointKind.START, key=FIRST)
    store.record(None, chain_start="", kind=CheckpointKind.SCHEDULE, key=FIRST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().splitlines()) == 2
    assert first.made_at == AT
    history = store.history(FileAuditKeys(FIRST).ring())
    behind = "sequence 0 is behind the previous checkpoint's 3 with no restore recorded"
    assert history.problems == (f"line 2: {behind} between them",)


def test_a_disk_that_refuses_the_write_is_a_named_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileCheckpointStore(tmp_path / "checkpoints.jsonl", clock=Clock(), to_log=False)

    def full(_descriptor: int, _data: bytes) -> int:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(CheckpointFileUnwritable, match="No space left on device"):
        store.record(None, chain_start="", kind=CheckpointKind.START, key=FIRST)
