"""REST API of the inbox: messages, decisions and cases. Same permissions and filters as the pages.

Errors use the one documented shape of sorum_archive.api ({"error": {"code", "message", "detail"}}).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.models import Case
from journal.services.archive import archive_case_create
from sorum_archive.api import ApiConflict

from .forms import InboxFilterForm
from .models import DECIDABLE_CHOICES, Decision, Message, Section
from .selectors import (
    case_search,
    cases_open_for_user,
    inbox_page_for_user,
    message_get_for_user,
    sections_for_user,
)
from .services import DecisionLocked, triage_decision_make


def has_perm(perm: str) -> type[permissions.BasePermission]:
    class HasPerm(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    HasPerm.__name__ = f"HasPerm_{perm.replace('.', '_')}"
    return HasPerm


def _invalid_from_django(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return ValidationError({"non_field_errors": exc.messages})


class _CaseRefSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    section = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "title", "section", "status"]


FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Full-text search (Norwegian on PostgreSQL)"),
    OpenApiParameter(
        "status", OpenApiTypes.STR, enum=[c for c, _ in Message._meta.get_field("status").choices]
    ),
    OpenApiParameter("channel", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR),
    OpenApiParameter("section", OpenApiTypes.INT),
    OpenApiParameter("assignee", OpenApiTypes.STR, description='User id, "me" or "none"'),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Received on or after (Europe/Oslo date)"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Received on or before (Europe/Oslo date)"),
    OpenApiParameter("cursor", OpenApiTypes.STR, description="Opaque cursor from `next`"),
    OpenApiParameter(
        "page_size", {"type": "integer", "minimum": 1, "maximum": 100}, description="1-100, default 50"
    ),
]


class MessageListApi(APIView):
    """Messages the user may see, newest first, with keyset (cursor) pagination."""

    permission_classes = [has_perm("triage.view_message")]

    @extend_schema_serializer(component_name="MessageListOutput")
    class OutputSerializer(serializers.ModelSerializer):
        channel = serializers.SlugRelatedField(slug_field="slug", read_only=True)
        kind = serializers.CharField(source="channel.kind", read_only=True)
        section = serializers.SlugRelatedField(slug_field="code", read_only=True)
        assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

        class Meta:
            model = Message
            fields = [
                "id",
                "channel",
                "kind",
                "section",
                "status",
                "assignee",
                "author_name",
                "author_handle",
                "text",
                "sent_at",
                "received_at",
                "conversation_id",
                "deleted_by_author",
            ]

    @extend_schema(
        operation_id="messages_list",
        parameters=FILTER_PARAMETERS,
        responses=inline_serializer(
            "MessagePage",
            {"results": OutputSerializer(many=True), "next": serializers.CharField(allow_null=True)},
        ),
    )
    def get(self, request: Request) -> Response:
        form = InboxFilterForm(request.query_params, sections=sections_for_user(user=request.user))
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        size = request.query_params.get("page_size", "50")
        if not size.isdigit() or not 1 <= int(size) <= 100:
            raise ValidationError({"page_size": ["Use a number from 1 to 100."]})
        page = inbox_page_for_user(
            user=request.user, filters=form.filters(), after=form.cleaned_data["cursor"], size=int(size)
        )
        next_url = None
        if page.next_cursor:
            query = QueryDict(mutable=True)
            query.update(request.query_params)
            query["cursor"] = page.next_cursor.encode()
            next_url = request.build_absolute_uri(f"{reverse('api:message_list')}?{query.urlencode()}")
        data = self.OutputSerializer(page.items, many=True).data
        return Response({"results": data, "next": next_url})


class MessageDetailApi(APIView):
    permission_classes = [has_perm("triage.view_message")]

    @extend_schema_serializer(component_name="MessageDetailOutput")
    class OutputSerializer(MessageListApi.OutputSerializer):
        decisions = serializers.SerializerMethodField()
        journal_entry = serializers.SerializerMethodField()

        class Meta(MessageListApi.OutputSerializer.Meta):
            fields = [
                *MessageListApi.OutputSerializer.Meta.fields,
                "parent_external_id",
                "decisions",
                "journal_entry",
            ]

        @extend_schema_field(serializers.ListField(child=serializers.DictField()))
        def get_decisions(self, message: Message) -> list[dict]:
            return DecisionCreateApi.OutputSerializer(
                message.decisions.select_related("case"), many=True
            ).data

        @extend_schema_field(serializers.CharField(allow_null=True))
        def get_journal_entry(self, message: Message) -> str | None:
            entry = getattr(message, "journal_entry", None)
            return entry.number if entry else None

    @extend_schema(operation_id="messages_detail", responses=OutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        try:
            message = message_get_for_user(user=request.user, pk=pk)
        except Message.DoesNotExist as exc:
            raise NotFound from exc
        return Response(self.OutputSerializer(message).data)


class DecisionCreateApi(APIView):
    """Record a decision on a message (append-only). A locked message answers 409 ``conflict``.

    An ``Idempotency-Key`` header (at most 64 characters) makes a retried POST return the first decision.
    """

    permission_classes = [has_perm("triage.triage_message")]

    @extend_schema_serializer(component_name="DecisionCreateInput")
    class InputSerializer(serializers.Serializer):
        message = serializers.IntegerField(min_value=1)
        decision = serializers.ChoiceField(choices=DECIDABLE_CHOICES)
        case = serializers.CharField(
            required=False, allow_blank=True, help_text='Case id or number "2026/42"'
        )
        new_case_title = serializers.CharField(required=False, allow_blank=True, max_length=500)
        new_case_section = serializers.SlugRelatedField(
            slug_field="code", queryset=Section.objects.all(), required=False, allow_null=True
        )
        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        reply_text = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema_serializer(component_name="DecisionOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        message = serializers.IntegerField(source="message_id")
        decision = serializers.CharField()
        case = _CaseRefSerializer(allow_null=True)
        reason = serializers.CharField()
        reply_text = serializers.CharField()
        decided_by = serializers.IntegerField(source="decided_by_id")
        decided_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            message = message_get_for_user(user=request.user, pk=data["message"])
        except Message.DoesNotExist as exc:
            raise ValidationError({"message": ["No such message."]}) from exc
        case = _case_from_reference(data.get("case", ""), user=request.user)
        section = data.get("new_case_section")
        if section is not None and not sections_for_user(user=request.user).filter(pk=section.pk).exists():
            raise ValidationError({"new_case_section": ["Not one of your sections."]})
        if data["decision"] == Decision.CASE_RELATED and case is None and not data.get("new_case_title"):
            raise ValidationError({"case": ["Give a case or a new case title."]})
        try:
            record = triage_decision_make(
                message=message,
                decision=data["decision"],
                decided_by=request.user,
                case=case,
                new_case_title=data.get("new_case_title", ""),
                new_case_section=section,
                reason=data.get("reason", ""),
                reply_text=data.get("reply_text", ""),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except DecisionLocked as exc:
            raise ApiConflict(" ".join(exc.messages)) from exc
        except DjangoValidationError as exc:
            raise _invalid_from_django(exc) from exc
        return Response(self.OutputSerializer(record).data, status=status.HTTP_201_CREATED)


def _case_from_reference(reference: str, *, user) -> Case | None:
    """An open case the user may file into; another section's case is "no such case", as on the pages."""
    reference = reference.strip()
    if not reference:
        return None
    if reference.isdigit():
        case = cases_open_for_user(user=user).filter(pk=int(reference)).first()
    else:
        found = case_search(user=user, q=reference, limit=2)
        case = found[0] if len(found) == 1 and "/" in reference else None
    if case is None:
        raise ValidationError({"case": ["No open case with this id or number."]})
    return case


class CaseListApi(APIView):
    """Open cases, newest first; ``q`` searches the number ("2026/42") or words in the title."""

    permission_classes = [has_perm("journal.view_case")]

    @extend_schema_serializer(component_name="CaseListOutput")
    class OutputSerializer(_CaseRefSerializer):
        pass

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        limit = request.query_params.get("limit", "20")
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise ValidationError({"limit": ["Use a number from 1 to 100."]})
        cases = case_search(user=request.user, q=request.query_params.get("q", "")[:200], limit=int(limit))
        return Response(self.OutputSerializer(cases, many=True).data)


class CaseCreateApi(APIView):
    permission_classes = [has_perm("journal.add_case")]

    @extend_schema_serializer(component_name="CaseCreateInput")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=500)
        section = serializers.SlugRelatedField(slug_field="code", queryset=Section.objects.all())

    @extend_schema_serializer(component_name="CaseCreateOutput")
    class OutputSerializer(_CaseRefSerializer):
        pass

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        section = serializer.validated_data["section"]
        if not sections_for_user(user=request.user).filter(pk=section.pk).exists():
            raise ValidationError({"section": ["Not one of your sections."]})
        try:
            case = archive_case_create(
                title=serializer.validated_data["title"], section=section, created_by=request.user
            )
        except DjangoValidationError as exc:
            raise _invalid_from_django(exc) from exc
        return Response(self.OutputSerializer(case).data, status=status.HTTP_201_CREATED)
