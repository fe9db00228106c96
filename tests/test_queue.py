"""Jobs run through RQ (synchronously in tests, on Redis or fakeredis) or the embedded worker thread."""

import threading

from flask import current_app

from app import queue

CALLS: list[tuple] = []


def remember(value: int) -> None:
    """A job function: records its argument and the thread and app it ran in."""
    CALLS.append((value, threading.current_thread().name, current_app.name))


def test_enqueue_runs_the_job_through_rq_in_tests(app):
    CALLS.clear()
    job_id = queue.enqueue("tests.test_queue.remember", 7, queue="default")
    assert CALLS == [(7, threading.current_thread().name, app.name)]
    assert queue.get_queue("default").fetch_job(job_id).is_finished


def test_embedded_mode_runs_jobs_on_a_background_thread(app):
    CALLS.clear()
    saved = dict(app.config)
    app.config.update(JOBS_SYNC=False, REDIS_URL="")
    try:
        job_id = queue.enqueue("tests.test_queue.remember", 8)
        queue.wait_for_embedded_jobs()
    finally:
        app.config.update(JOBS_SYNC=saved["JOBS_SYNC"], REDIS_URL=saved["REDIS_URL"])
    assert job_id.startswith("embedded-")
    assert CALLS[0][0] == 8 and CALLS[0][1].startswith("debtflow-job") and CALLS[0][2] == app.name
