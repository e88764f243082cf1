"""The SQL database (``database.Database``): one engine, and a store per concern over it —
the watchlist (persistent), discovery (channels, searches, ephemeral video metadata), the job
log and the quota ledger. ``schema.py`` defines the tables, ``migrations/`` builds them."""
