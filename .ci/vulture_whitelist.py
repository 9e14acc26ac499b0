"""Names .ci/dead_code.py must not report: each is used where vulture cannot see it. Keep it short.

Each line names the object once (vulture counts a name read here as used); the comment says who uses it.
"""

# ruff: noqa: B018, F821
# Named by dotted path in settings (archive systems, REST_FRAMEWORK, SPECTACULAR, TEMPLATES).
NoarkRestArchiveSystem
FiksArkivArchiveSystem
HasStaffRole
add_error_responses
roles  # context processor
# Overrides of urllib3/requests hooks (channels/egress.py: the connection checks every resolved address).
_new_conn
proxy_manager_for
# Read in templates.
body_text  # templates/triage/message_detail.html
archive_journal_number  # templates/fiks/_dispatch_status.html
is_retryable  # templates/fiks/_retry_form.html
kind_label  # templates/triage/_suggestions.html
category_labels
reason_labels
duplicate_message_ids
is_empty
# Called from migrations (excluded from the scan).
chain_backfill
# For tests and benchmarks: declared event types (adapter meta-tests), the METS schema of the deposit
# tests, AMQP housekeeping of the Fiks tests and bench, the key list handed to test processes, uncached
# dashboard figures at a fixed time, the identity-number kinds the tests name.
event_types
dias_mets_schema
local_sockets
purge_and_delete
keys_in_force
dashboard_figures_for_user
IdentityNumberKind
# Django and Celery hooks: the admin's after-add redirect, the WSGI handler's middleware loading, a task's
# retry callback.
response_add
load_middleware
get_default_redirect_url  # LoginView hook: where each role lands after login (sorum_archive/views.py)
on_retry
# Read in templates/admin/channels/channel/health.html; named by dotted path in SORUM_HEALTHZ_SECTIONS.
poll_cursor_text
channels_health_json
# For tests: one channel's health state, the PDF/A declaration check, the PREMIS schema, the plain review
# queue, and the broker pause the test fixtures reset.
channel_health_state
_declares_pdfa
dias_premis_schema
review_queue_list
broker_pause_reset
inbound_event_replay  # one event replayed through the parse task (webhook tests)
