"""Keeping the index and the files honest: scan, verify, reclassify."""
