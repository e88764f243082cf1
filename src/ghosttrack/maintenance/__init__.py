"""Keeping the store small: the janitor now; compaction and retention later.

``runner`` schedules tasks for `ghosttrack run`; ``tasks`` lists them."""
