"""threec: the open data platform for Three Conversations adult social care."""

__version__ = "0.1.0"
