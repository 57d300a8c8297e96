"""The one masking rule for personal numbers typed into free text.

It lives with the public pages (the ``mask_pii`` template filter of
``portal.suggestions.views``); the oversight code (open data, de-identification)
uses the same function so that every output masks alike.
"""

from portal.suggestions.views import mask_pii

__all__ = ["mask_pii"]
