"""Task pages: the worklist's "Done" button on a task row (a form POST with the CSRF token).

Marking a task done runs ``services/tasks.py`` ``complete_task`` (the policy decides who may; a
task closes once, so a second press is the 409 error page naming who closed it and when) and
returns to the worklist, where the task is gone. An urgent task's row asks for a note (what was
done); without one the service refuses (THC-TASK-004) and this page answers 422 with the task's
own form again, the message next to the note field and whatever was typed kept.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from thecal.domain.errors import InvalidInput
from thecal.entrypoints.web.form_fields import FormRefusal
from thecal.entrypoints.web.rendering import page_auth, render, require_form_csrf, thecal_of
from thecal.services.tasks import CompleteTask, complete_task

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Ident = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.post("/tasks/{task_id}/completion")
async def task_done(request: Request, task_id: Ident) -> Response:
    auth = page_auth(request)
    form = await require_form_csrf(request, auth)
    typed = str(form.get("note", ""))
    note = typed.strip() or None
    thecal = thecal_of(request)
    try:
        thecal.run(complete_task, CompleteTask(actor=auth.actor, task_id=task_id, note=note))
    except InvalidInput as refused:  # no note for an urgent task, an over-long note
        return render(
            request,
            "task_done.html",
            status_code=422,
            task_id=task_id,
            typed=typed,
            refusal=FormRefusal(message=refused.message, code=refused.code, field="note"),
        )
    return RedirectResponse("/", status_code=303)
