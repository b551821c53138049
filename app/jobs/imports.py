"""The import of a checked file of invoices, as a job: thin, idempotent (the service claims the
batch with a conditional UPDATE, so a second run does nothing)."""

from __future__ import annotations

from datetime import date

from app.jobs.context import with_app_context


@with_app_context
def import_batch(batch_id: int, today_iso: str) -> dict:
    from rq import get_current_job

    from app.services import imports

    job = get_current_job()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    batch = imports.run(batch_id, today=date.fromisoformat(today_iso), progress=progress)
    return {"status": batch.status, "cases": batch.imported_cases}
