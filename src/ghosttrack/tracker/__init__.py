"""The tracker: claims due videos, fetches their statistics, writes the vault, reschedules."""
