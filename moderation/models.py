"""Flags and the moderation log arrive with moderation; sanitising lives in sanitize.py."""
