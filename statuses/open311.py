"""Open311 GeoReport v2, read-only: discovery, services, requests and one request.

Workshops and challenges are the services; every item that has a status is a
request. Each answer comes as XML or JSON, chosen by the path's extension, as the
specification has it (http://wiki.open311.org/GeoReport_v2/). Errors answer in the
specification's error shape with a 4xx status and a description that says what to fix.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from challenges.models import Challenge, Proposal
from workshops.models import Workshop
from workshops.phases import Phase

from .models import CLOSED, ItemStatus, StatusChange
from .registry import KINDS, item_get
from .selectors import item_status_of

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The specification's defaults: the last 90 days, at most 1,000 requests an answer.
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
    "detailed_status",
)
SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _w3c(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, dt.UTC).replace(microsecond=0).isoformat()


def _base(request: HttpRequest) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


# ---- rendering ---------------------------------------------------------------------------------


def _xml(root: str, row_tag: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, row_tag)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):
                child.text = ",".join(value)
            elif isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")


def _answer(
    fmt: str, root: str, row_tag: str, rows: list[dict[str, Any]], status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        body = _xml(root, row_tag, rows)
    else:
        body = json.dumps(rows, ensure_ascii=False).encode()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(fmt: str, error: Open311Error) -> HttpResponse:
    row = {"code": error.status, "description": error.description}
    return _answer(fmt if fmt in CONTENT_TYPES else "json", "errors", "error", [row], error.status)


def _format(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise Open311Error(404, "Unknown format: use .xml or .json.")
    return fmt


# ---- discovery and services ---------------------------------------------------------------


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        _format(fmt)
    except Open311Error as error:
        return _error(fmt, error)
    changed = (
        ItemStatus.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    )
    endpoint = {
        "specification": SPECIFICATION,
        "url": _base(request) + "/open311/v2",
        "changeset": _w3c(changed or timezone.now()),
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    document = {
        "changeset": endpoint["changeset"],
        "contact": settings.DEFAULT_FROM_EMAIL,
        "key_service": "",
        "endpoints": [endpoint],
    }
    if fmt == "json":
        response = HttpResponse(json.dumps(document), content_type=CONTENT_TYPES["json"])
    else:
        top = ET.Element("discovery")
        for key in ("changeset", "contact", "key_service"):
            ET.SubElement(top, key).text = str(document[key])
        endpoints = ET.SubElement(top, "endpoints")
        point = ET.SubElement(endpoints, "endpoint")
        for key in ("specification", "url", "changeset", "type"):
            ET.SubElement(point, key).text = str(endpoint[key])
        formats = ET.SubElement(point, "formats")
        for name in endpoint["formats"]:
            ET.SubElement(formats, "format").text = name
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        response = HttpResponse(body, content_type=CONTENT_TYPES["xml"])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _services() -> list[dict[str, Any]]:
    rows = []
    for workshop in Workshop.objects.filter(phase=Phase.CLOSED).order_by("pk"):
        rows.append(
            {
                "service_code": f"workshop-{workshop.pk}",
                "service_name": workshop.title,
                "description": workshop.question,
                "metadata": False,
                "type": "realtime",
                "keywords": [],
                "group": "workshop",
            }
        )
    public = Proposal.objects.filter(status__in=Proposal.PUBLIC).values("challenge_id")
    for challenge in Challenge.objects.filter(pk__in=public).order_by("pk"):
        rows.append(
            {
                "service_code": f"challenge-{challenge.pk}",
                "service_name": challenge.title,
                "description": challenge.question,
                "metadata": False,
                "type": "realtime",
                "keywords": [],
                "group": "challenge",
            }
        )
    return rows


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        _format(fmt)
    except Open311Error as error:
        return _error(fmt, error)
    return _answer(fmt, "services", "service", _services())


# ---- requests -----------------------------------------------------------------------------


def _kind_and_item(item_status: ItemStatus) -> tuple[Any, Any] | None:
    model = item_status.content_type.model_class()
    for kind in KINDS.values():
        if kind.model is model:
            item = item_status.item
            return (kind, item) if item is not None and kind.is_public(item) else None
    return None


def _request_row(request: HttpRequest, item_status: ItemStatus) -> dict[str, Any] | None:
    found = _kind_and_item(item_status)
    if found is None:
        return None
    kind, item = found
    code, name = kind.service(item)
    last = item_status.changes.order_by("-created_at", "-pk").first()
    photo = (
        StatusChange.objects.filter(item_status=item_status, photo__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    expected = (
        dt.datetime.combine(item_status.expected_on, dt.time(0), tzinfo=dt.UTC)
        if item_status.expected_on
        else None
    )
    notes = item_status.get_status_display()
    if last is not None and last.note:
        notes = f"{notes}: {last.note}"
    return {
        "service_request_id": f"{kind.key}-{item.pk}",
        "status": "closed" if item_status.status in CLOSED else "open",
        "status_notes": notes,
        "service_name": name,
        "service_code": code,
        "description": kind.title(item),
        "agency_responsible": item_status.administration.name if item_status.administration else "",
        "service_notice": "",
        "requested_datetime": _w3c(item_status.created_at),
        "updated_datetime": _w3c(item_status.updated_at),
        "expected_datetime": _w3c(expected),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": "",
        "long": "",
        "media_url": _base(request) + reverse("statuses:photo", kwargs={"change_id": photo.pk})
        if photo
        else "",
        "detailed_status": item_status.status.upper(),
    }


def _date(raw: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, f"{name} is not a date: use W3C format, e.g. 2026-11-29T12:00:00Z."
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _ids(raw: str) -> list[tuple[str, int]]:
    found = []
    for part in raw.split(",")[:MAX_REQUESTS]:
        key, _sep, number = part.strip().rpartition("-")
        if key not in KINDS or not number.isascii() or not number.isdigit() or len(number) > 18:
            raise Open311Error(
                400, f"{part.strip()[:40]!r} is not a service_request_id such as proposal-12."
            )
        found.append((key, int(number)))
    return found


def _query(request: HttpRequest) -> list[ItemStatus]:
    params = request.GET
    if params.get("service_request_id"):
        statuses = []
        for key, number in _ids(params["service_request_id"]):
            item = item_get(key=key, item_id=number)
            if item is None:
                continue
            item_status = item_status_of(item=item)
            if item_status is not None:
                statuses.append(item_status)
        return statuses
    queryset = ItemStatus.objects.select_related("administration", "content_type")
    start = _date(params["start_date"], "start_date") if params.get("start_date") else None
    end = _date(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and start > end:
        raise Open311Error(400, "start_date is after end_date.")
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None:
        queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lte=end)
    if params.get("status"):
        wanted = {value.strip() for value in params["status"].split(",")}
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status is open, closed, or both separated by a comma.")
        if wanted == {"open"}:
            queryset = queryset.exclude(status__in=CLOSED)
        elif wanted == {"closed"}:
            queryset = queryset.filter(status__in=CLOSED)
    codes = [code.strip() for code in params.get("service_code", "").split(",") if code.strip()]
    rows = list(queryset.order_by("-created_at", "-pk")[: MAX_REQUESTS * 2])
    if codes:
        rows = [row for row in rows if _service_code(row) in codes]
    return rows[:MAX_REQUESTS]


def _service_code(item_status: ItemStatus) -> str | None:
    found = _kind_and_item(item_status)
    return found[0].service(found[1])[0] if found else None


@require_GET
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        _format(fmt)
        statuses = _query(request)
    except Open311Error as error:
        return _error(fmt, error)
    rows = [row for row in (_request_row(request, status) for status in statuses) if row]
    return _answer(fmt, "service_requests", "request", rows)


@require_GET
def request_one(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    try:
        _format(fmt)
        [(key, number)] = _ids(request_id)
        item = item_get(key=key, item_id=number)
        item_status = item_status_of(item=item) if item is not None else None
        row = _request_row(request, item_status) if item_status is not None else None
        if row is None:
            raise Open311Error(404, f"There is no service request {request_id[:40]!r}.")
    except Open311Error as error:
        return _error(fmt, error)
    return _answer(fmt, "service_requests", "request", [row])
