"""The screens: one file per page of the app (what the navigation or the login leads to)."""
