"""The pywebview window: bridge, drops, events, display detection, window state."""
