"""Making links into app folders (symlink or hardlink, never a copy) and `registry.db`,
the record of every link Tensorshelf made — the only links it will ever remove."""
