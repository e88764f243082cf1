"""Schema revisions, oldest first; each one is frozen once released."""
