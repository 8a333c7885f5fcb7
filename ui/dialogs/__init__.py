"""Windows opened over a page: dialogs, the help window, the photo and page viewers."""
