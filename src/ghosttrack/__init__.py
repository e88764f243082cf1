"""ghosttrack — track YouTube view, like and comment counts forever.

Packages, one per concern:

- ``youtube``   the YouTube Data API v3 client (httpx, async)
- ``sim``       a YouTube Data API simulator (an ASGI app) for tests, demos and benchmarks
- ``watchlist`` the SQL database: watchlist, discovery (channels, searches, metadata), jobs, ledger
- ``vault``     Parquet time series of every sample
- ``tracker``   claims due videos, fetches statistics, writes the vault, reschedules
- ``hunter``    discovers videos (channels, feeds, searches, imports)
- ``cli``       the ``ghosttrack`` command

The pure domain (``tiers``, ``quota``, ``ids``, ``clock``) imports no I/O.
"""

__version__ = "0.1.0"
