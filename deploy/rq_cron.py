"""Periodic jobs for ``rq cron`` (run exactly one cron process per deployment).

    rq cron deploy/rq_cron.py --url "$REDIS_URL"

Every minute it queues ``poll_due_sources``, which queues a poll of each enabled import source whose own
interval (15 minutes by default, set per source in Settings) has elapsed.
"""

from rq import cron

from jobs.imports import poll_due_sources

cron.register(poll_due_sources, queue_name="imports", interval=60, name="poll-import-sources")
