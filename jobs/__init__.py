"""RQ job functions: one small function per job, taking ids and primitives, calling one service."""
