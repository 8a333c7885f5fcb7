"""Documents the station prints or saves: PDFs (receipts, the recovery sheet) and their mark."""
