"""Hugging Face identification, listings and downloads (issue 10: not built yet)."""
