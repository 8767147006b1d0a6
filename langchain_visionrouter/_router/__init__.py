"""What is known about routers and models: presets, connection fields, the catalog, model-family profiles, usage.

Catalog I/O happens at the edge (``catalog``); every check over it (``vision``, ``modalities``) is pure.
"""
