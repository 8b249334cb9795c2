"""The on-disk library: importing into it, its models.db index, metadata.json, and the
maintenance that keeps the three in agreement (LibraryService is the facade)."""
