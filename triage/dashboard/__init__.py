"""The triage dashboard: figures per section and channel (selectors), SVG charts and CSV."""
