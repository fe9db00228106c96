"""Import use cases, one module per use case: receive a file, run a job, manage and poll sources."""
