"""Batches, the upload client and the command server (``sync.server``). No Qt, no ui.

Only the package skeleton exists so far; batches, upload and the server arrive with the sync work.
"""
