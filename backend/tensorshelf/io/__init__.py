"""io: pure functions over files.

hashing (one read, SHA-256 + BLAKE3), copying (copy + both hashes in one pass), pipeline
(the shared reader -> N consumer threads fan-out) and sinks (the hashers and the
(direct-I/O) writer it feeds), transfer (no-replace rename, hard link,
EXDEV as CrossDevice), naming (directory-name normalisation, safe relative paths), atomic
(temp + fsync + replace), hash_cache (SQLite), diskspace (free-space checks).
"""
