"""Staff report pages: write and review narratives, download reports.

Thin views: they parse, call :mod:`citystrat.reports.services` or a
selector, and render.  Plain forms, POST-redirect-GET, no JavaScript needed.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citystrat.accounts.decorators import staff_required
from citystrat.accounts.permissions import Action, can
from citystrat.monitoring.assessments import plan_today
from citystrat.periods import PeriodKind, parse_period
from citystrat.plans.models import Measure, Plan
from citystrat.plans.selectors import NoPlanError, plan_get

from . import services
from .content import period_text
from .forms import DecisionForm, DownloadForm, NarrativeForm
from .job_services import report_job_start
from .models import Narrative
from .render import CONTENT_TYPES, Format, ReportError, filename, make_report
from .selectors import narrative_list, report_period


def _plan() -> Plan:
    try:
        return plan_get()
    except NoPlanError:
        raise Http404(_("No plan is loaded.")) from None


def _year(plan: Plan, value: str | None) -> int:
    default = report_period(plan, plan_today(plan)).year
    if not value:
        return default
    try:
        year = int(value)
    except ValueError:
        return default
    return year if plan.period_start.year - 1 <= year <= plan.period_end.year else default


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    year = _year(plan, request.GET.get("year"))
    period = parse_period(f"FY{year}", PeriodKind.FISCAL_YEAR, fy_start_month=plan.fy_start_month)
    narratives = {n.measure_id: n for n in narrative_list(plan, period)}
    measures = [
        (m, narratives.get(m.pk), can(request.user, Action.WRITE_NARRATIVE, m))
        for m in Measure.objects.filter(plan=plan).select_related("policy").order_by("order")
    ]
    languages = list(plan.languages)
    lang = get_language() or plan.default_language
    initial: dict[str, object] = {
        "lang": lang if lang in languages else plan.default_language,
        "as_of": date.today(),
    }
    # A download link (GET) for a PDF or XLSX lands here with its choices filled in.
    initial.update({k: v for k, v in request.GET.items() if k in DownloadForm.base_fields})
    form = DownloadForm(languages=languages, initial=initial)
    years = list(range(plan.period_start.year, plan.period_end.year))
    return render(
        request,
        "reports/staff/index.html",
        {
            "plan": plan,
            "year": year,
            "years": years,
            "period": period,
            "period_label": period_text(period),
            "measures": measures,
            "form": form,
            "may_review": can(request.user, Action.APPROVE_NARRATIVE),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def narrative_edit(request: HttpRequest, measure: int, year: int) -> HttpResponseBase:
    plan = _plan()
    m = get_object_or_404(Measure.objects.select_related("plan", "policy"), pk=measure, plan=plan)
    period = parse_period(f"FY{year}", PeriodKind.FISCAL_YEAR, fy_start_month=plan.fy_start_month)
    current = narrative_list(plan, period).filter(measure=m).order_by("-id").first()
    open_row = current if current and current.is_open else None
    may_write = can(request.user, Action.WRITE_NARRATIVE, m)
    languages = list(plan.languages)
    lang = request.POST.get("lang") or request.GET.get("lang") or get_language() or ""
    if lang not in languages:
        lang = plan.default_language
    form: NarrativeForm
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("You may not write narratives for this measure."))
        form = NarrativeForm(request.POST, languages=languages)
        if form.is_valid():
            data = form.cleaned_data
            texts = {f: {data["lang"]: data[f]} for f in Narrative.TEXT_FIELDS}
            try:
                save = (
                    services.narrative_save_and_submit
                    if "submit" in request.POST
                    else services.narrative_save
                )
                save(
                    actor=request.user,
                    measure=m,
                    period=period,
                    texts=texts,
                    expected_version=data["version"] if open_row else None,
                )
                if "submit" in request.POST:
                    messages.success(request, _("The narrative was sent for review."))
                else:
                    messages.success(request, _("The draft was saved."))
                return redirect(request.path + f"?lang={data['lang']}")
            except ValidationError as exc:
                for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else []:
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not hasattr(exc, "error_dict"):
                    for error in exc.messages:
                        form.add_error(None, error)
    else:
        source = current
        initial = {"lang": lang, "version": open_row.version if open_row else None}
        if source is not None:
            for f in Narrative.TEXT_FIELDS:
                initial[f] = getattr(source, f).get(lang, "")
        form = NarrativeForm(initial=initial, languages=languages)
    decision = None
    if (
        current
        and current.status == Narrative.Status.SUBMITTED
        and can(request.user, Action.APPROVE_NARRATIVE, m)
    ):
        decision = DecisionForm(initial={"version": current.version})
    return render(
        request,
        "reports/staff/narrative.html",
        {
            "plan": plan,
            "measure": m,
            "period": period,
            "period_label": period_text(period),
            "year": year,
            "narrative": current,
            "form": form,
            "decision": decision,
            "may_write": may_write and not (current and current.status == "submitted"),
            "languages": [(code, dict(settings.LANGUAGES).get(code, code)) for code in languages],
            "lang": lang,
        },
    )


@staff_required
@require_POST
def narrative_decide(request: HttpRequest, pk: int) -> HttpResponseBase:
    n = get_object_or_404(Narrative.objects.select_related("measure__plan"), pk=pk)
    form = DecisionForm(request.POST)
    back = reverse("reports:narrative", args=[n.measure_id, n.period_start.year])
    if not form.is_valid():
        messages.error(request, _("The decision could not be read; try again."))
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            services.narrative_approve(
                actor=request.user,
                narrative=n,
                expected_version=data["version"],
                reason=data["reason"],
            )
            messages.success(request, _("The narrative was approved."))
        else:
            services.narrative_return(
                actor=request.user,
                narrative=n,
                expected_version=data["version"],
                reason=data["reason"],
            )
            messages.success(request, _("The narrative was returned."))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect(back)


@staff_required
@require_http_methods(["GET", "POST"])
def download(request: HttpRequest) -> HttpResponse:
    """HTML at once; PDF and XLSX as a background job (a progress page, then the file).

    Making a PDF of the whole plan may take longer than a request may last, so a PDF or
    XLSX is asked for with the page's form (POST) and made by ``citystrat worker``; a
    GET for one (an old link) shows the form filled in.
    """
    plan = _plan()
    query = request.POST if request.method == "POST" else request.GET
    form = DownloadForm(query, languages=list(plan.languages))
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(str(x) for x in e)}"
            for f, e in form.errors.items()
        )
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    if data["include_pending"] and not can(request.user, Action.VIEW_PENDING):
        raise PermissionDenied(_("You may not see values waiting for review."))
    if data["fmt"] != Format.HTML and request.method == "GET":
        return redirect(f"{reverse('reports:index')}?{query.urlencode()}#download-title")
    if data["fmt"] != Format.HTML:
        job = report_job_start(
            actor=request.user,
            plan=plan,
            kind=data["kind"],
            as_of=data["as_of"],
            lang=data["lang"],
            fmt=data["fmt"],
            include_pending=data["include_pending"],
            layout=data["layout"],
        )
        return redirect("jobs:job", job_id=job.pk)
    try:
        body = make_report(
            plan,
            kind=data["kind"],
            as_of=data["as_of"],
            lang=data["lang"],
            fmt=data["fmt"],
            include_pending=data["include_pending"],
            layout=data["layout"],
        )
    except ReportError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[Format(data["fmt"])])
    name = filename(
        plan,
        kind=data["kind"],
        as_of=data["as_of"],
        lang=data["lang"],
        fmt=data["fmt"],
        draft=data["include_pending"],
    )
    disposition = "inline" if data["fmt"] == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    if data["fmt"] == "html":
        # The HTML report is one self-contained document (it is also saved and mailed), so
        # its style sheet is inline: allowed for this response only; scripts stay 'self'.
        response._csp_update = {"style-src": ["'unsafe-inline'"]}  # type: ignore[attr-defined]
    return response
