"""The reminder jobs run by a real RQ worker in the test process, with the job tests' fixtures."""

from tests.jobs.conftest import queued_jobs, run_worker  # noqa: F401
