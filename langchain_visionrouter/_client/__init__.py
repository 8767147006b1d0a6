"""The models' connection to the router: key, URL, headers and pooled clients (``connection``),
and the endpoints besides chat that the models read: the catalog (``catalog``) and generation stats (``usage``).
"""
