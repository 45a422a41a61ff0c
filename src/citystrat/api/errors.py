"""One error format for every API error, documented in the schema.

Every 4xx/5xx answer of ``/api/v1/`` is::

    {"error": {"status": 400, "code": "invalid",
               "message": "What went wrong, in the caller's language.",
               "fields": [{"field": "value", "message": "Enter a number."}]}}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from citystrat.observations.dbtrouble import classify, conflict_message, disk_full_message
from citystrat.review.errors import ConflictError, FourEyesError, ReviewError

__all__ = ["ApiSchema", "ErrorSerializer", "api_exception_handler"]


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer[Any]):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = FieldErrorSerializer(many=True)  # type: ignore[assignment]


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorBodySerializer()


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out += _flatten(value, name)
    elif isinstance(detail, list):
        for item in detail:
            out += _flatten(item, prefix)
    else:
        out.append({"field": prefix or "non_field_errors", "message": str(detail)})
    return out


def error_response(
    status_code: int,
    code: str,
    message: str,
    fields: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {
        "error": {
            "status": status_code,
            "code": code,
            "message": message,
            "fields": fields or [],
        }
    }
    return Response(body, status=status_code, headers=headers)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        return error_response(404, "not_found", _("Not found."))
    if isinstance(exc, DjangoPermissionDenied):
        return error_response(403, "permission_denied", str(exc) or _("Not allowed."))
    if isinstance(exc, ConflictError):
        return error_response(409, "conflict", exc.message)
    trouble = classify(exc)
    if trouble == "conflict":  # a lost race is the optimistic lock's conflict
        return error_response(409, "conflict", conflict_message())
    if trouble == "disk_full":
        return error_response(507, "disk_full", disk_full_message())
    if isinstance(exc, FourEyesError):
        return error_response(403, "four_eyes", exc.message)
    if isinstance(exc, ReviewError):
        return error_response(
            400,
            "invalid",
            exc.message,
            [{"field": field, "message": message} for field, message in exc.located],
        )
    if isinstance(exc, exceptions.APIException):
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
        detail = exc.detail
        if isinstance(detail, dict | list):
            fields = _flatten(detail)
            message = _("The request has invalid fields.")
        else:
            fields = []
            message = str(detail)
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
        if isinstance(exc, exceptions.ValidationError):
            code = "invalid"
        return error_response(exc.status_code, code, message, fields, headers)
    return None


ERROR_CODES = {
    "GET": (400, 401, 403, 404),
    "POST": (400, 401, 403, 404, 409, 507),
    "PATCH": (400, 401, 403, 404, 409, 507),
}


class ApiSchema(AutoSchema):
    """Adds the common error responses (one format) to every operation."""

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        for_code: Any = self._get_response_for_code
        for code in ERROR_CODES.get(method, (400,)):
            key = str(code)
            if key not in responses:
                responses[key] = for_code(ErrorSerializer, key)
        if "405" not in responses:
            responses["405"] = for_code(ErrorSerializer, "405")
        if "406" not in responses:
            responses["406"] = for_code(ErrorSerializer, "406")
        if method == "POST" and "415" not in responses:
            responses["415"] = for_code(ErrorSerializer, "415")
        return responses


__all__ += ["error_response", "status"]
