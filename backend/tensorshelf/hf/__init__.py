"""Hugging Face: where the endpoint and the token come from, the Hub's errors, its API
(search, repo info, recursive listings with LFS SHA-256, the metadata HEAD of a file),
cache.db's listings and hash index, and identification of local files against it."""
