"""Export and import of evaluations: exchange JSON, the Excel 自评表, CLI and pages."""
