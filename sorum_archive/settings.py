"""One settings module, driven by environment variables.

With no variables set the project runs embedded: SQLite in the project folder, Celery tasks run eagerly,
media on local disk, DEBUG on. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis;
DATABASE_REPLICA_URL adds a read replica and AWS_STORAGE_BUCKET_NAME moves files to object storage
(docs/operations.md, "Object storage and read replicas").
"""

import logging
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from sorum_archive.object_storage import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEV_SECRET_KEY = "dev-only-insecure-secret-key-never-use-in-production-sorum-archive"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=SECRET_KEY == DEV_SECRET_KEY)
# `make run` says this once itself (SORUM_DEV_NOTICE_SHOWN): not again in each process it starts.
if SECRET_KEY == DEV_SECRET_KEY and not env.bool("SORUM_DEV_NOTICE_SHOWN", default=False):
    warnings.warn(
        "SECRET_KEY is not set: using the built-in development key. Never run like this in production.",
        stacklevel=1,
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sorum_archive.apps.LoginLockoutConfig",  # django-axes
    "csp",
    "sorum_archive",
    "triage",
    "channels",
    "journal",
    "journal.fiks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sorum_archive.security.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With a read replica: lists read the primary for a few seconds after the user's own write.
    "sorum_archive.db.ReadYourWritesMiddleware",
    # Every read of citizen content by a person is recorded here (sorum_archive.audit.AUDITED_READS).
    "sorum_archive.audit.AuditReadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sorum_archive.security.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the 429 lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sorum_archive.urls"
WSGI_APPLICATION = "sorum_archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sorum_archive.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL is set.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A new PostgreSQL connection per request costs more than the request itself (docs/operations.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # The inbox's covering index (INCLUDE columns) is PostgreSQL's; SQLite builds it without them, which is
    # all the embedded default needs: no warning on every migrate.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# A streaming read replica of the primary: the read-only list pages use it explicitly through
# sorum_archive.db.read_alias() (no router: a page shown right after a write reads the primary).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
        DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
        # A replica that is down is noticed within this many seconds; lists then read the primary.
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("REPLICA_CONNECT_TIMEOUT", default=2)
        )
    # Test runs create no second database: the alias points at the test copy of the primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before the password is even checked.
    "sorum_archive.security.auth.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "triage:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Documents, attachments and export packages: local disk under MEDIA_ROOT unless a bucket is named, then
# S3-compatible object storage through django-storages (sorum_archive/object_storage.py).
STORAGES = {
    "default": default_storage_config(
        bucket_name=env.str("AWS_STORAGE_BUCKET_NAME", default=""),
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region_name=env.str("AWS_S3_REGION_NAME", default=""),
        addressing_style=env.str("AWS_S3_ADDRESSING_STYLE", default=""),
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Redis: Celery broker and Django cache. Without it tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No task result is read by the application: with results ignored, .delay() never subscribes to a result
# backend, so a web request never waits on Redis's result channel (issue #21: a request blocked ~19 s in the
# backend's reconnect loop and then failed with "Retry limit exceeded"). CELERY_RESULT_BACKEND stays
# settable for a shell or a test that wants to .get() a result.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it ran, so a killed worker's task is delivered again; every task is
# idempotent, so running twice is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after each task unless this is set,
# which costs a new PostgreSQL connection per task. With it, sorum_archive/celery.py closes only broken or
# CONN_MAX_AGE-old connections around each task, as Django does around each request (fixup: one forced
# close every 2 × this many tasks).
CELERY_DB_REUSE_MAX = 10_000
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Workers, beat and the relay outlive a broker outage: they reconnect forever (never "max retries exceeded,
# exit"), also at startup. A task that was running when the connection dropped is cancelled; with late acks
# it is delivered again (docs/operations.md).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_HEARTBEAT = 10
# A webhook must answer fast even while Redis is down or unreachable: connecting and publishing give up
# well under a second, the event stays `received` and the relay or the sweeper below hands it over later.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=0.3)
# After a failed publish a process leaves the broker alone this long (sorum_archive/broker.py).
SORUM_BROKER_PAUSE_SECONDS = env.float("SORUM_BROKER_PAUSE_SECONDS", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.05,
    "interval_max": 0.05,
}
# An unacknowledged task (its worker was killed) is handed out again after the visibility timeout. It must be
# longer than the longest retry countdown (journal registration: 600 s), or a waiting retry is delivered
# twice. Received events do not wait for it: inbound_event_sweep_task (below) hands them over within ~30 s.
# The restore sweep runs about every interval × throttle seconds (kombu's defaults: 10 × 10).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=0.3),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=0.3),
    "retry_on_timeout": True,
    "health_check_interval": 10,
}
# inbound_event_sweep_task: events still `received` this many seconds after they arrived are handed to the
# parser again, every SWEEP_INTERVAL seconds; together they bound how long an acknowledged delivery can wait
# after a fault ends (threshold + interval + parse < 30 s, tests/reliability/test_faults_midstream.py).
SORUM_SWEEP_RECEIVED_AFTER = env.int("SORUM_SWEEP_RECEIVED_AFTER", default=10)
SORUM_SWEEP_INTERVAL = env.float("SORUM_SWEEP_INTERVAL", default=5.0)
# The same for the work that follows a message: registration after a case-related decision (once the undo
# window has passed), attachment downloads and outbound replies. A sweep hands a row over SORUM_PENDING_SWEEP_
# MARGIN seconds after its own task was due, every SORUM_PENDING_SWEEP_INTERVAL seconds, under a lease of
# SORUM_PENDING_LEASE_SECONDS (sorum_archive/leases.py) so the same row is not handed over on every run.
SORUM_PENDING_SWEEP_INTERVAL = env.float("SORUM_PENDING_SWEEP_INTERVAL", default=5.0)
SORUM_PENDING_SWEEP_MARGIN = env.int("SORUM_PENDING_SWEEP_MARGIN", default=2)
SORUM_PENDING_LEASE_SECONDS = env.int("SORUM_PENDING_LEASE_SECONDS", default=20)
CELERY_BEAT_SCHEDULE = {
    # Events left `received` (broker down when they arrived) are handed to the parser again.
    "channels-sweep-received-events": {
        "task": "channels.tasks.inbound_event_sweep_task",
        "schedule": SORUM_SWEEP_INTERVAL,
        "kwargs": {"older_than_seconds": SORUM_SWEEP_RECEIVED_AFTER},
    },
    # Case-related messages whose registration task was lost (broker down when decided, worker killed) are
    # registered again once the undo window and SORUM_PENDING_SWEEP_MARGIN have passed: the last hour's
    # decisions every few seconds (an index range), all of them (a task that gave up, entries whose
    # documents are missing) every 15 minutes.
    "journal-register-pending-recent": {
        "task": "journal.tasks.journal_entry_pending_sweep_task",
        "schedule": SORUM_PENDING_SWEEP_INTERVAL,
        "kwargs": {"decided_within_seconds": 3600},
    },
    "journal-register-pending": {
        "task": "journal.tasks.journal_entry_pending_sweep_task",
        "schedule": 15 * 60.0,
    },
    # Attachments still pending and queued replies whose task was lost are handed over again.
    "channels-attachments-pending": {
        "task": "channels.tasks.attachment_pending_sweep_task",
        "schedule": SORUM_PENDING_SWEEP_INTERVAL,
    },
    "channels-replies-pending": {
        "task": "channels.tasks.outbound_reply_pending_sweep_task",
        "schedule": SORUM_PENDING_SWEEP_INTERVAL,
    },
    # Refused webhook deliveries older than SORUM_REJECTED_RETENTION_DAYS are deleted.
    "channels-rejected-purge": {
        "task": "channels.tasks.inbound_events_rejected_purge_task",
        "schedule": 24 * 60 * 60.0,
    },
    "triage-retention-purge": {
        "task": "triage.tasks.message_retention_purge_task",
        "schedule": 24 * 60 * 60.0,
    },
    # The dashboard's daily rollup: days marked stale (decisions, deletes) and newly finished days.
    "triage-dashboard-rollup-refresh": {
        "task": "triage.tasks.dashboard_rollup_refresh_task",
        "schedule": 60.0,
    },
    # The whole rollup horizon again, for any change that bypassed the services (raw SQL, shell).
    "triage-dashboard-rollup-rebuild": {
        "task": "triage.tasks.dashboard_rollup_rebuild_task",
        "schedule": 24 * 60 * 60.0,
    },
    # Fiks Arkiv dispatches left pending (task lost, worker killed before publishing) are sent again.
    "fiks-resend-pending": {
        "task": "journal.fiks.tasks.fiks_dispatch_resend_pending_task",
        "schedule": 300.0,
    },
    # The audit trail's hash chains: verified end to end, then their heads anchored (written into the
    # trail and, with AUDIT_TSA_URL, signed by an RFC 3161 time-stamping authority).
    "audit-chain-verify-and-anchor": {
        "task": "sorum_archive.tasks.audit_chain_anchor_task",
        "schedule": 24 * 60 * 60.0,
    },
    # Polling channels (WordPress, Flickr, YouTube, LinkedIn) whose next_poll_at has come are fetched.
    "channels-poll-due": {
        "task": "channels.tasks.channels_poll_due_task",
        "schedule": 60.0,
    },
    # Channel health: silent channels, refusal spikes and failing polls open an alert (mailed once) and
    # recovered ones clear it.
    "channels-health-check": {
        "task": "channels.tasks.channel_alerts_check_task",
        "schedule": 5 * 60.0,
    },
}

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sorum_archive.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sorum-archive API",
    "DESCRIPTION": "Unified inbox, triage decisions and the Noark 5 archive of Sørum kommune.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are for staff and API clients holding a role only.
    "SERVE_PERMISSIONS": ["sorum_archive.api.HasStaffRole"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sorum_archive.api_schema.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MessageStatusEnum": "triage.models.MessageStatus",
        "CaseStatusEnum": "journal.models.CaseStatus",
    },
}

# Product settings.
SORUM_WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1024 * 1024)
SORUM_RETENTION_DAYS = env.int("RETENTION_DAYS", default=90)
# How long a caseworker can undo a decision; a case-related message is journalført after this window.
SORUM_UNDO_SECONDS = env.int("UNDO_SECONDS", default=10)
SORUM_FORMAL_SUBMISSION_URL = env.str(
    "FORMAL_SUBMISSION_URL", default="https://www.sorum.kommune.example/skjema/horingsuttalelse"
)
SORUM_ARCHIVE_SYSTEM = env.str("ARCHIVE_SYSTEM", default="journal.archive_system.LocalArchiveSystem")
# Per-section override of ARCHIVE_SYSTEM: "section-code=dotted.path,other=dotted.path" (docs/fiks-arkiv.md).
SORUM_ARCHIVE_SYSTEMS_BY_SECTION = env.dict("ARCHIVE_SYSTEMS_BY_SECTION", default={})
# Fiks Arkiv over AMQP (docs/fiks-arkiv.md). Empty URL: messages wait as pending until it is set.
SORUM_FIKS_AMQP_URL = env.str("FIKS_AMQP_URL", default=env.str("RABBITMQ_URL", default=""))
SORUM_FIKS_AMQP_EXCHANGE = env.str("FIKS_AMQP_EXCHANGE", default="sorum-fiks")
SORUM_FIKS_ACCOUNT_ID = env.str("FIKS_ACCOUNT_ID", default="sorum-archive")
SORUM_FIKS_ARCHIVE_ACCOUNT_ID = env.str("FIKS_ARCHIVE_ACCOUNT_ID", default="fake-arkivsystem")
SORUM_FIKS_ARKIVDEL = env.str("FIKS_ARKIVDEL", default="")
SORUM_FIKS_SIGNING_CERT = env.str("FIKS_SIGNING_CERT", default="")
SORUM_FIKS_SIGNING_KEY = env.str("FIKS_SIGNING_KEY", default="")
SORUM_FIKS_SIGNING_KEY_PASSWORD = env.str("FIKS_SIGNING_KEY_PASSWORD", default="")
SORUM_ARCHIVE_NAME = env.str("ARCHIVE_NAME", default="Sørum kommune")
SORUM_MESSAGE_MAX_CHARS = 20_000
# Webhook requests only insert the raw event; `manage.py ingest_relay` hands events to Celery in batches.
# On whenever Redis is configured, so no webhook request talks to the broker (issue #18); the sweeper hands
# on what the relay has not within seconds if the relay process is down. Off in the embedded default
# (no Redis): each request runs its parse task eagerly on commit and needs no relay process.
SORUM_INGEST_RELAY = env.bool("INGEST_RELAY", default=bool(REDIS_URL))
# Webhook channel lookups are cached per process for this many seconds (a rotated secret or a disabled
# channel takes effect within it on other processes; immediately in the process that saved it).
SORUM_WEBHOOK_CHANNEL_CACHE_SECONDS = env.float("WEBHOOK_CHANNEL_CACHE_SECONDS", default=5.0)
# Seconds after a signed-in user's write during which their lists read the primary, not the replica
# (covers replication delay; sorum_archive.db.ReadYourWritesMiddleware).
SORUM_REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# After the replica failed to answer, each process reads the primary this many seconds before trying again.
SORUM_REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5.0)
# Seconds the dashboard figures are shared by users who see the same sections (0: always fresh).
SORUM_DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Public base URL of this installation: channel_add prints webhook URLs under it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Attachments larger than this are not downloaded (status too_large).
SORUM_ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Longest wall-clock time one attachment download may take, in seconds.
SORUM_ATTACHMENT_MAX_SECONDS = env.int("ATTACHMENT_MAX_SECONDS", default=120)
# Payload URLs (attachments) never reach loopback, private, link-local or other non-public addresses.
# Test-only escape: loopback ports listed here are reachable (the test suite's stand-in providers).
# Never set in production; there is no environment variable for it on purpose.
SORUM_EGRESS_ALLOW_LOOPBACK_PORTS: tuple[int, ...] = ()
# Outbound HTTP (polling, attachments, replies): connect and read timeouts in seconds.
SORUM_HTTP_TIMEOUT = (
    env.float("HTTP_CONNECT_TIMEOUT", default=5.0),
    env.float("HTTP_READ_TIMEOUT", default=30.0),
)
# Replies go to the recorded outbox only (never to a provider) until this is switched off explicitly.
SORUM_REPLIES_RECORD_ONLY = env.bool("REPLIES_RECORD_ONLY", default=True)
# Polling: default interval and the longest back-off after repeated provider errors, in seconds.
SORUM_POLL_INTERVAL_SECONDS = env.int("POLL_INTERVAL_SECONDS", default=300)
SORUM_POLL_MAX_BACKOFF_SECONDS = env.int("POLL_MAX_BACKOFF_SECONDS", default=6 * 3600)
# Channel health (channels.alerts): a channel with at least MIN_DELIVERIES accepted deliveries in 30 days is
# flagged silent after FACTOR x its median gap, never sooner than MIN_SECONDS; refused deliveries spike at
# REJECTION_SPIKE within REJECTION_WINDOW seconds; polling is flagged after POLL_FAILURES failures in a row.
SORUM_CHANNEL_SILENCE_FACTOR = env.float("CHANNEL_SILENCE_FACTOR", default=3.0)
SORUM_CHANNEL_SILENCE_MIN_SECONDS = env.int("CHANNEL_SILENCE_MIN_SECONDS", default=6 * 3600)
SORUM_CHANNEL_SILENCE_MIN_DELIVERIES = env.int("CHANNEL_SILENCE_MIN_DELIVERIES", default=10)
SORUM_CHANNEL_REJECTION_SPIKE = env.int("CHANNEL_REJECTION_SPIKE", default=5)
SORUM_CHANNEL_REJECTION_WINDOW = env.int("CHANNEL_REJECTION_WINDOW", default=3600)
SORUM_CHANNEL_POLL_FAILURES_ALERT = env.int("CHANNEL_POLL_FAILURES_ALERT", default=3)
# `/healthz?channels=1` answers staff users and callers presenting this token (Authorization: Bearer ...);
# empty: staff only. Plain /healthz stays public and names no channel.
SORUM_HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# Extra /healthz sections, each a callable path (sorum_archive imports no app; the apps plug in here).
SORUM_HEALTHZ_SECTIONS = {"channels": "channels.selectors.channels_health_json"}
# Alert mails (channel alerts) go through Django's e-mail backend to ADMINS, superusers and the admin role.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
SERVER_EMAIL = env.str("SERVER_EMAIL", default="arkivinnboks@localhost")
EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default="[Arkivinnboks] ")
ADMINS = [("", address.strip()) for address in env.list("ADMINS", default=[]) if address.strip()]
# Hosted guestbook: submissions per IP address and window (seconds), and size limits.
SORUM_GUESTBOOK_RATE_LIMIT = env.int("GUESTBOOK_RATE_LIMIT", default=5)
SORUM_GUESTBOOK_RATE_WINDOW = env.int("GUESTBOOK_RATE_WINDOW", default=600)
SORUM_GUESTBOOK_MAX_TEXT = 5000
# Deliveries refused by verification: how many are stored per address and per channel in the window
# (seconds); beyond that they are answered 429 and only counted. Stored ones are purged after N days.
SORUM_REJECTED_RATE_LIMIT = env.int("REJECTED_RATE_LIMIT", default=20)
SORUM_REJECTED_CHANNEL_RATE_LIMIT = env.int("REJECTED_CHANNEL_RATE_LIMIT", default=200)
SORUM_REJECTED_RATE_WINDOW = env.int("REJECTED_RATE_WINDOW", default=3600)
SORUM_REJECTED_RETENTION_DAYS = env.int("REJECTED_RETENTION_DAYS", default=30)
# Fernet keys (comma separated, newest first) that encrypt channel secrets and API tokens at rest.
# Empty: a key derived from SECRET_KEY (development only; `check --deploy` warns).
SORUM_SECRETS_KEYS = env.list("SECRETS_KEYS", default=[])
# Namespace of the rate-limit counters in the cache (tests give each test its own).
SORUM_RATE_KEY_PREFIX = "v1"
# Webhook GET handshakes (X CRC, Meta hub.challenge) per client address, channel and window (seconds).
# X checks about hourly, Meta on subscription: more is probing.
SORUM_HANDSHAKE_RATE_LIMIT = env.int("HANDSHAKE_RATE_LIMIT", default=10)
SORUM_HANDSHAKE_RATE_WINDOW = env.int("HANDSHAKE_RATE_WINDOW", default=3600)
# The public journal's «Be om innsyn» form: requests per client address in the window (seconds).
SORUM_INNSYN_RATE_LIMIT = env.int("INNSYN_RATE_LIMIT", default=10)
SORUM_INNSYN_RATE_WINDOW = env.int("INNSYN_RATE_WINDOW", default=600)

# Remote sak- og arkivsystem over the Noark 5 REST API
# (ARCHIVE_SYSTEM=journal.archive_system_noark.NoarkRestArchiveSystem).
NOARK_API_URL = env.str("NOARK_API_URL", default="")
NOARK_API_TOKEN = env.str("NOARK_API_TOKEN", default="")
NOARK_SERIES_ID = env.str("NOARK_SERIES_ID", default="")
NOARK_API_TIMEOUT = env.float("NOARK_API_TIMEOUT", default=10.0)

# Production hardening: on whenever DEBUG is off (check --deploy is clean then).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed: behind the shipped nginx,
# its address. Empty: REMOTE_ADDR is the client. Used by the login lockout, the guestbook limit and the
# channels' allowed_ips through one helper (sorum_archive/security/client_ip.py, docs/operations.md).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "sorum_archive.security.client_ip.client_ip_address"

# The audit chain's daily anchor: an RFC 3161 time-stamping authority's URL (empty: the head is written
# into the trail only), its certificate (PEM; the token is then checked) and the request timeout.
AUDIT_TSA_URL = env.str("AUDIT_TSA_URL", default="")
AUDIT_TSA_CERTIFICATE = env.str("AUDIT_TSA_CERTIFICATE", default="")
AUDIT_TSA_TIMEOUT = env.float("AUDIT_TSA_TIMEOUT", default=10.0)

# Login throttling (django-axes): a username is locked for that client address after repeated failures.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password"]

# Content-Security-Policy (django-csp 4): no inline script or style anywhere. Pages that need an inline
# block (the Swagger page) mark it with request.csp_nonce; the nonce is sent only when a page used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Secrets (signature headers, tokens, cookies, passwords) are redacted before any handler writes.
    "filters": {"redact_secrets": {"()": "sorum_archive.security.redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every rendering step at INFO; keep only its warnings.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
logging.captureWarnings(True)
