"""The SQL store: watchlist (persistent), videos metadata (ephemeral), jobs, quota ledger."""
