"""The command server (``sohoa-server``). Imports neither ui/ nor the station vault."""
