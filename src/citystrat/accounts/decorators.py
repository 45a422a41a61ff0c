"""Guards for the staff views of every app (staff pages, reports, imports)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import role_of

__all__ = ["staff_required"]

View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    """Signed-in people with a role only; others go to the login page or get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        if role_of(request.user) is None:
            raise PermissionDenied(_("Your account has no role in citystrat yet."))
        return view(request, *args, **kwargs)

    return wrapped
