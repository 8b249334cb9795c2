"""The mapping configs shipped with Tensorshelf, one per app kind (JSON data)."""
