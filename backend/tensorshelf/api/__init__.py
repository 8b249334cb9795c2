"""api: ShelfApi (the one object the UI and the CLI call), its allowlisted dispatch, the
generated UI types and web mode."""
