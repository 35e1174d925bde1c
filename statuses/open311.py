"""Open311 GeoReport v2, read-only: discovery, services, requests and one request.

Workshops and challenges are the services, and themes (declared by tendencies) services
that gather items across them; every public item is a request from the
start (received, open), whether or not anyone has given it a status yet. Each answer
comes as XML or JSON, chosen by the path's extension, as the specification has it
(http://wiki.open311.org/GeoReport_v2/). Errors answer in the specification's error
shape with a 4xx status and a description that says what to fix.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce, wraps
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from challenges.models import Challenge, Proposal
from workshops.models import Workshop
from workshops.phases import Phase

from .models import CLOSED, ItemStatus, Status, StatusChange
from .registry import KINDS, SERVICE_GROUPS, Kind, item_get
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
READ_METHODS = ("GET", "HEAD")


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
        raise Open311Error(404, gettext("Unknown format: use .xml or .json."))
    return fmt


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET and HEAD only; any other method answers 405 in the specification's error shape.

    Exempt from CSRF so that a POST from outside reaches this answer rather than the
    site's HTML 403 page: nothing here ever writes.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in READ_METHODS:
            description = gettext(
                "This Open311 API is read-only: only GET and HEAD requests are answered."
            )
            response = _error(kwargs.get("fmt", "json"), Open311Error(405, description))
            response["Allow"] = ", ".join(READ_METHODS)
            return response
        return view(request, *args, **kwargs)

    return wrapper


# ---- discovery and services ---------------------------------------------------------------


@read_only
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
    for group in SERVICE_GROUPS.values():
        for pk, name, description in group.services():
            rows.append(
                {
                    "service_code": f"{group.key}-{pk}",
                    "service_name": name,
                    "description": description,
                    "metadata": False,
                    "type": "realtime",
                    "keywords": [],
                    "group": group.key,
                }
            )
    return rows


def _group_members(codes: list[str]) -> dict[str, set[int]]:
    """The items in the group services (themes) among the codes, by kind key."""
    members: dict[str, set[int]] = {}
    for code in codes:
        head, _sep, number = code.rpartition("-")
        group = SERVICE_GROUPS.get(head)
        if group is None or not number.isascii() or not number.isdigit() or len(number) > 18:
            continue
        for key, ids in group.members(int(number)).items():
            members.setdefault(key, set()).update(ids)
    return members


@read_only
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        _format(fmt)
    except Open311Error as error:
        return _error(fmt, error)
    return _answer(fmt, "services", "service", _services())


# ---- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One request: a public item and where it stands (None: nobody has given it a status)."""

    kind: Kind
    item: Any
    item_status: ItemStatus | None


def _request_row(request: HttpRequest, found: Found) -> dict[str, Any]:
    kind, item, item_status = found.kind, found.item, found.item_status
    code, name = kind.service(item)
    received = kind.created_at(item)
    if item_status is None:
        # Untouched: received, open, with nobody yet.
        status, notes, agency, updated, expected, media = (
            Status.RECEIVED,
            str(Status.RECEIVED.label),
            "",
            received,
            None,
            "",
        )
    else:
        status = Status(item_status.status)
        last = item_status.changes.order_by("-created_at", "-pk").first()
        photo = (
            StatusChange.objects.filter(item_status=item_status, photo__isnull=False)
            .order_by("-created_at", "-pk")
            .first()
        )
        notes = str(status.label)
        if last is not None and last.note:
            notes = f"{notes}: {last.note}"
        agency = item_status.administration.name if item_status.administration else ""
        updated = item_status.updated_at
        expected = (
            dt.datetime.combine(item_status.expected_on, dt.time(0), tzinfo=dt.UTC)
            if item_status.expected_on
            else None
        )
        media = (
            _base(request) + reverse("statuses:photo", kwargs={"change_id": photo.pk})
            if photo
            else ""
        )
    return {
        "service_request_id": f"{kind.key}-{item.pk}",
        "status": "closed" if status in CLOSED else "open",
        "status_notes": notes,
        "service_name": name,
        "service_code": code,
        "description": kind.title(item),
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _w3c(received),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(expected),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": "",
        "long": "",
        "media_url": media,
        "detailed_status": status.value.upper(),
    }


def _date(raw: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400,
            gettext("%(name)s is not a date: use W3C format, e.g. 2026-11-29T12:00:00Z.")
            % {"name": name},
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
                400,
                gettext("%(id)r is not a service_request_id such as proposal-12.")
                % {"id": part.strip()[:40]},
            )
        found.append((key, int(number)))
    return found


def _one(key: str, number: int) -> Found | None:
    item = item_get(key=key, item_id=number)
    if item is None or not KINDS[key].is_public(item):
        return None
    return Found(KINDS[key], item, item_status_of(item=item))


def _query(request: HttpRequest) -> list[Found]:
    params = request.GET
    if params.get("service_request_id"):
        return [
            found
            for found in (_one(key, number) for key, number in _ids(params["service_request_id"]))
            if found is not None
        ]
    start = _date(params["start_date"], "start_date") if params.get("start_date") else None
    end = _date(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and start > end:
        raise Open311Error(400, gettext("start_date is after end_date."))
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    wanted = {"open", "closed"}
    if params.get("status"):
        wanted = {value.strip() for value in params["status"].split(",")}
        if not wanted <= {"open", "closed"}:
            raise Open311Error(
                400, gettext("status is open, closed, or both separated by a comma.")
            )
    codes = [code.strip() for code in params.get("service_code", "").split(",") if code.strip()]
    in_groups = _group_members(codes)
    items: list[tuple[Kind, Any]] = []
    for kind in KINDS.values():
        if kind.public_items is None:
            continue
        queryset = kind.public_items()
        if codes:
            found = [f for f in (kind.in_service(code) for code in codes if kind.in_service) if f]
            if kind.key in in_groups:
                found.append(Q(pk__in=sorted(in_groups[kind.key])))
            if not found:
                continue
            queryset = queryset.filter(reduce(operator.or_, found))
        if start is not None:
            queryset = queryset.filter(received_at__gte=start)
        if end is not None:
            queryset = queryset.filter(received_at__lte=end)
        if wanted != {"open", "closed"}:
            closed = ItemStatus.objects.filter(
                content_type=ContentType.objects.get_for_model(kind.model), status__in=CLOSED
            ).values("object_id")
            if wanted == {"open"}:
                queryset = queryset.exclude(pk__in=closed)
            else:
                queryset = queryset.filter(pk__in=closed)
        items.extend(
            (kind, item) for item in queryset.order_by("-received_at", "-pk")[:MAX_REQUESTS]
        )
    items.sort(key=lambda pair: (pair[1].received_at, pair[0].key, pair[1].pk), reverse=True)
    items = items[:MAX_REQUESTS]
    return [
        Found(kind, item, status)
        for (kind, item), status in zip(items, _statuses_of(items), strict=True)
    ]


def _statuses_of(items: list[tuple[Kind, Any]]) -> list[ItemStatus | None]:
    """Where each item stands, in one query per kind."""
    wanted: dict[Kind, list[int]] = {}
    for kind, item in items:
        wanted.setdefault(kind, []).append(item.pk)
    known: dict[tuple[str, int], ItemStatus] = {}
    for kind, pks in wanted.items():
        rows = ItemStatus.objects.filter(
            content_type=ContentType.objects.get_for_model(kind.model), object_id__in=pks
        ).select_related("administration")
        known.update({(kind.key, row.object_id): row for row in rows})
    return [known.get((kind.key, item.pk)) for kind, item in items]


@read_only
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        _format(fmt)
        found = _query(request)
    except Open311Error as error:
        return _error(fmt, error)
    return _answer(fmt, "service_requests", "request", [_request_row(request, f) for f in found])


@read_only
def request_one(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    try:
        _format(fmt)
        ids = _ids(request_id)
        if len(ids) != 1:
            # The path names one request; several go through requests.{xml,json}.
            raise Open311Error(
                400,
                gettext(
                    "Name one service_request_id here; for several, ask"
                    " requests?service_request_id=a,b."
                ),
            )
        [(key, number)] = ids
        found = _one(key, number)
        if found is None:
            raise Open311Error(
                404,
                gettext("There is no service request %(id)r.") % {"id": request_id[:40]},
            )
    except Open311Error as error:
        return _error(fmt, error)
    return _answer(fmt, "service_requests", "request", [_request_row(request, found)])
