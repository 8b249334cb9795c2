"""Sync: plan what an app's folders should hold (plan), then make it so (apply)."""
