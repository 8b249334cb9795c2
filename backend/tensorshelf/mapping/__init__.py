"""Linking library models into registered apps (issue 9: not built yet)."""
