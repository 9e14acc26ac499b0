from django.http import HttpRequest

from .roles import is_archivist


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_archivist": False, "is_caseworker": False}
    return {"is_archivist": is_archivist(user), "is_caseworker": user.has_perm("triage.triage_message")}
