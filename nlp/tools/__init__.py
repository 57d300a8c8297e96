"""Offline tools that rebuild the bundled NLP resources (run by hand, not by the portal)."""
