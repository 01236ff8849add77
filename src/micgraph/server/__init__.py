"""`micgraph serve`: the SPARQL 1.1 Protocol endpoint, the Linked Data pages and the query page.

app.py is the ASGI app (HTTP: routes, request parsing, limits); handlers.py computes each reply from the
graph inside the worker processes of pool.py; pages.py writes the HTML; negotiation.py reads Accept;
connections.py is the HTTP protocol uvicorn runs, with limits on slow clients and open connections.

    from micgraph.server import create_app, serve
"""

from __future__ import annotations

from .app import create_app, listen, serve

__all__ = ["create_app", "listen", "serve"]
