"""Read-only Noark 5 REST endpoints (tjenestegrensesnitt v1.1 style, as nikita) for the local archive."""
