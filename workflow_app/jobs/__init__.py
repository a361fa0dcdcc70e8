"""Background jobs on Redis with RQ: report PDFs at publication, e-mail, exports, integrity."""
