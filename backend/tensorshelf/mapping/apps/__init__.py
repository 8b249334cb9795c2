"""Registered app installs: what kind of app a folder is, its version, and `apps.json`."""
