"""Keeping the store small: the janitor now; compaction and retention later."""
