"""Importing: plan (grouping, header checks, detection) → stage → transfer → publish."""
