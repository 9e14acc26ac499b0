"""Cross-cutting protection: login throttling, response headers, database-outage answers, log redaction."""
