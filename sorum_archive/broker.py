"""Publishing a task from a process that must not wait on, or fail with, the broker (web requests, the relay,
beat's sweepers).

The row the task works on is already committed; a sweeper hands it over again if the publish is lost. So
any error from the broker (connection refused, timeout, kombu's OperationalError, celery's
`RuntimeError: Retry limit exceeded`) is logged and swallowed. The connect and publish timeouts are in
settings (CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_BROKER_TRANSPORT_OPTIONS, well under a second).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def task_publish(task, *args, log_event: str, log: logging.Logger = logger, **log_extra) -> bool:
    """`task.delay(*args)`; True when the broker took it, False (logged as `log_event`) when it did not."""
    if task.app.conf.task_always_eager:
        task.apply_async(args)  # no broker: the task runs here, and its own errors are not broker errors
        return True
    try:
        task.apply_async(args, ignore_result=True)
    except Exception as exc:  # every broker failure: the caller's row is committed and will be swept
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
