"""models.db: the rebuildable SQLite index of the metadata.json files (schema, queries, swap)."""
