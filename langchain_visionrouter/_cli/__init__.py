"""``visionrouter``: the command line (``ask`` and ``batch``), speaking of flags and files.

Imports the library lazily, so ``--help`` and bad flags answer at once.
"""
