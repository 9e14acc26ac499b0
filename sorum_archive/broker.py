"""Publishing a task from a process that must not wait on, or fail with, the broker (web requests, the relay,
beat's sweepers).

The row the task works on is already committed; a sweeper hands it over again if the publish is lost. So
any error from the broker (connection refused, timeout, kombu's OperationalError, celery's
`RuntimeError: Retry limit exceeded`) is logged and swallowed. The connect and publish timeouts are in
settings (CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_BROKER_TRANSPORT_OPTIONS, well under a second).
"""

from __future__ import annotations

import logging
import time

from celery.exceptions import Retry
from django.conf import settings

logger = logging.getLogger(__name__)

# After a publish failed, this process does not try the broker again for SORUM_BROKER_PAUSE_SECONDS: during
# an outage every request would otherwise pay for a failed connect (and kombu's bookkeeping around it), which
# on a loaded machine put the webhook p99 of the relay-off setup at ~300 ms against ~50 ms with the relay.
# What is not published meanwhile is committed and swept like any lost publish.
_paused_until = 0.0


def broker_pause_reset() -> None:
    """Forget an earlier failure (tests; a process that knows the broker is back)."""
    global _paused_until
    _paused_until = 0.0


def task_publish(
    task,
    *args,
    log_event: str,
    log: logging.Logger = logger,
    countdown: float | None = None,
    **log_extra,
) -> bool:
    """`task.delay(*args)` (after ``countdown`` seconds if given); True when the broker took it, False
    (logged as `log_event`) when it did not."""
    options = {"countdown": countdown} if countdown else {}
    if task.app.conf.task_always_eager:
        # No broker: the task runs here, and its own errors are not broker errors. A task that would retry
        # (autoretry_for) raises celery's Retry in eager mode; the caller sees the error behind it, e.g. the
        # database's OperationalError, which a web request answers with 503 (DatabaseUnavailableMiddleware).
        try:
            task.apply_async(args, **options)
        except Retry as retry:
            if isinstance(retry.exc, Exception):
                raise retry.exc from retry
            raise
        return True
    global _paused_until
    if time.monotonic() < _paused_until:
        log.warning(log_event, extra={**log_extra, "task": task.name, "error_class": "BrokerPaused"})
        return False
    try:
        task.apply_async(args, ignore_result=True, **options)
    except Exception as exc:  # every broker failure: the caller's row is committed and will be swept
        _paused_until = time.monotonic() + settings.SORUM_BROKER_PAUSE_SECONDS
        log.warning(
            log_event,
            extra={
                **log_extra,
                "task": task.name,
                "error_class": exc.__class__.__name__,
                "error": str(exc)[:200],
            },
        )
        return False
    return True
