"""Errors raised by sync/. Every one derives from ``SyncError`` so callers can catch the family."""

from __future__ import annotations


class SyncError(Exception):
    """Root of every error sync/ raises."""
