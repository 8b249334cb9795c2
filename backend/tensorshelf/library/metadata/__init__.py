"""metadata.json: the per-model source of truth and its atomic I/O."""
