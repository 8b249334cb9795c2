"""Mapping configs: shipped defaults per app kind plus user configs in `<state>/mapping/`."""
