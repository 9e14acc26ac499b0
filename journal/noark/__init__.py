"""The one model-to-Noark mapping: code lists (codes.py) used by the export, the Noark 5 REST API, the Fiks
arkivmelding and the Noark 5 REST client."""
