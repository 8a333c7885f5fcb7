"""Pieces that pages and dialogs are built from (common.py: headings, banners, pickers)."""
