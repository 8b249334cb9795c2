"""api package: ShelfApi (the one object the UI and CLI call), dispatch, web mode."""
