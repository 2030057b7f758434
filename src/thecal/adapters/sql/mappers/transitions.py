"""An aggregate's transition history (:class:`~thecal.domain.actors.Transition`) as JSON: in the
program change's and refill's ``state_json``, the trial's and MRI plan's ``history_json``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from thecal.adapters.program_codec import canonical_json
from thecal.adapters.sql.mappers.instants import instant, iso_text
from thecal.domain.actors import Transition

__all__ = ["history_from_json", "history_json", "transition_from_dict", "transition_to_dict"]


def transition_to_dict(t: Transition) -> dict[str, Any]:
    return {
        "action": t.action,
        "from": t.from_state,
        "to": t.to_state,
        "user_id": t.user_id,
        "at": iso_text(t.at),
        "version": t.version,
    }


def transition_from_dict(d: Mapping[str, Any]) -> Transition:
    return Transition(
        action=d["action"],
        from_state=d["from"],
        to_state=d["to"],
        user_id=d["user_id"],
        at=instant(d["at"]),
        version=int(d["version"]),
    )


def history_json(history: Sequence[Transition]) -> str:
    return canonical_json([transition_to_dict(t) for t in history])


def history_from_json(text: str) -> list[Transition]:
    return [transition_from_dict(d) for d in json.loads(text)]
