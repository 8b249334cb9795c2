"""io: files, bytes and drives — single-pass hashing and copying, atomic writes, hard links
and renames that never replace, naming, free space, drive streams, SQLite schemas."""
