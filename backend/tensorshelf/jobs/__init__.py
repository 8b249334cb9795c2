"""Jobs: long operations (import, rebuild, verify, reclassify) in worker threads, with
progress events, cancellation, per-item checkpoints in ops.db and resume."""
