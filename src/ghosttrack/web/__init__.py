"""The dashboard and the REST API: one FastAPI app over the services the CLI calls.

``app.create_app(WebParts(...))`` builds it from the runtime parts (constructor injection);
``server`` binds and serves it (alone for ``ghosttrack serve``, beside tracking in
``ghosttrack run``). The web layer holds no business logic: it calls ``operations``, the stores,
the vault, the trackers and ``ghosttrack.analytics``.
"""
