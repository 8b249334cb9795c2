"""hf package."""
