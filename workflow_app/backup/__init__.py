"""Backup and restore of everything the app keeps: the database (evaluations, evidence files,
published PDFs, the audit chain) and the files of the instance folder."""
