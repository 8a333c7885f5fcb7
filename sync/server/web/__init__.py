"""The command's web workbench: an ASGI app of its own, served on a second port beside the
station API (see serving.py for why)."""
