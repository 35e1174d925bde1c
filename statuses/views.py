"""Pages of "you said, we did": an item's timeline, a member's queue, a citizen's receipt."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenges import services as challenge_services
from challenges.models import Citizen
from challenges.selectors import challenge_by_id, citizen_from_session
from workshops.actors import actor_resolve
from workshops.errors import ActionRefused
from workshops.http import answers_json, done_json, id_from_path, refused_json, wants_json
from workshops.languages import Reader, language_switch, language_use, request_language
from workshops.links import absolute_url, qr_svg
from workshops.phases import Phase
from workshops.selectors import workshop_by_code

from . import push, report, services
from .forms import AnswerBackForm, BulkAnswerForm, EmailForm, StatusChangeForm
from .mail import content_type_of, unsubscribe_read
from .models import (
    AnswerTemplate,
    ItemStatus,
    PushSubscription,
    Receipt,
    Status,
    StatusPhoto,
    Subscription,
)
from .registry import KINDS, item_get
from .room import receipt_offer
from .selectors import (
    administrations_of,
    item_status_of,
    new_items,
    notices_of,
    queue_of,
    receipt_by_token,
    receipt_items,
    reopen_requests_of,
    timeline_of,
)
from .serializers import change_as_dict

# A browser's subscription is a few hundred bytes; anything far larger is not one.
PUSH_BODY_MAX_BYTES = 4096


def _public_item(kind: str, item_id: str) -> Any:
    item = item_get(key=kind, item_id=id_from_path(item_id))
    if item is None or not KINDS[kind].is_public(item):
        raise Http404(_("There is no public item at this address."))
    return item


@require_GET
def item_page(request: HttpRequest, kind: str, item_id: str) -> HttpResponse:
    item = _public_item(kind, item_id)
    return _item_response(request, kind, item, StatusChangeForm(signers=_signers(request)))


def _signers(request: HttpRequest) -> Any:
    return administrations_of(user=request.user)


def _item_response(
    request: HttpRequest, kind: str, item: Any, form: StatusChangeForm, status: int = 200
) -> HttpResponse:
    item_status = item_status_of(item=item)
    signers = _signers(request)
    may_change = signers.exists() and (
        item_status is None
        or item_status.administration_id is None
        or getattr(request.user, "is_superuser", False)
        or signers.filter(pk=item_status.administration_id).exists()
    )
    context = {
        "item": item,
        "kind": KINDS[kind],
        "title": KINDS[kind].title(item),
        "received_at": KINDS[kind].created_at(item),
        "item_status": item_status,
        "status_label": Status(item_status.status).label if item_status else Status.RECEIVED.label,
        "timeline": timeline_of(item=item),
        "form": form if may_change else None,
        "action": reverse("statuses:change", kwargs={"kind": kind, "item_id": item.pk}),
        "report_url": _report_url(item),
    }
    return render(request, "statuses/item.html", context, status=status)


def _report_url(item: Any) -> str:
    workshop = getattr(item, "workshop", None)
    if workshop is not None:
        return reverse("statuses:workshop_report", kwargs={"code": workshop.join_code})
    challenge_id = getattr(item, "challenge_id", None)
    if challenge_id is not None:
        return reverse("statuses:challenge_report", kwargs={"challenge_id": challenge_id})
    return ""


@login_required
@require_POST
def change(request: HttpRequest, kind: str, item_id: str) -> HttpResponse:
    item = _public_item(kind, item_id)
    form = StatusChangeForm(request.POST, request.FILES, signers=_signers(request))
    if not form.is_valid():
        return _item_response(request, kind, item, form, status=400)
    data = form.cleaned_data
    try:
        services.status_change(
            user=request.user,
            item=item,
            status=data["status"],
            administration=data["administration"],
            note=data["note"],
            progress=data["progress"],
            expected_on=data["expected_on"],
            forward_to=data["forward_to"],
            photo=data.get("photo"),
        )
    except ActionRefused as refused:
        form.add_error(None, refused.message)
        return _item_response(request, kind, item, form, status=400)
    messages.success(request, _("The new status is public, and the people behind it are told."))
    return redirect("statuses:item", kind=kind, item_id=item.pk)


@require_GET
def photo(request: HttpRequest, change_id: str) -> HttpResponse:
    number = id_from_path(change_id)
    stored = (
        StatusPhoto.objects.filter(change_id=number).first() if isinstance(number, int) else None
    )
    if stored is None:
        raise Http404(_("There is no such photo."))
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


# ---- the administration's queue ------------------------------------------------------------


def _item_of(status: ItemStatus) -> tuple[str, Any] | None:
    model = status.content_type.model_class()
    for kind in KINDS.values():
        if kind.model is model:
            return kind.key, status.item
    return None


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_response(request, BulkAnswerForm(signers=_signers(request)))


def _queue_response(request: HttpRequest, form: BulkAnswerForm, status: int = 200) -> HttpResponse:
    signers = _signers(request)
    sections = []
    for administration in signers:
        rows = []
        for item_status in queue_of(administration=administration):
            found = _item_of(item_status)
            if found is not None:
                rows.append({"key": f"{found[0]}-{item_status.object_id}", "status": item_status})
        sections.append(
            {
                "administration": administration,
                "rows": rows,
                "reopen": list(reopen_requests_of(administration=administration)),
            }
        )
    fresh = [
        {"key": f"{kind.key}-{item.pk}", "title": kind.title(item), "kind": kind}
        for item in new_items()
        for kind in [next(k for k in KINDS.values() if isinstance(item, k.model))]
    ]
    form.fields["template"].queryset = AnswerTemplate.objects.filter(  # type: ignore[attr-defined]
        administration__in=[None, *signers]
    ) | AnswerTemplate.objects.filter(administration=None)
    context = {"sections": sections, "fresh": fresh, "form": form, "may_answer": signers.exists()}
    return render(request, "statuses/queue.html", context, status=status)


@login_required
@require_POST
def queue_answer(request: HttpRequest) -> HttpResponse:
    form = BulkAnswerForm(request.POST, signers=_signers(request))
    if not form.is_valid():
        return _queue_response(request, form, status=400)
    items = []
    for key in request.POST.getlist("items")[:500]:
        kind, _sep, raw_id = key.partition("-")
        item = item_get(key=kind, item_id=id_from_path(raw_id))
        if item is None:
            form.add_error(None, _("One of the chosen items no longer exists."))
            return _queue_response(request, form, status=400)
        items.append(item)
    try:
        changed = services.statuses_change_many(
            user=request.user,
            items=items,
            template=form.cleaned_data["template"],
            administration=form.cleaned_data["administration"],
            forward_to=form.cleaned_data["forward_to"],
        )
    except ActionRefused as refused:
        form.add_error(None, refused.message)
        return _queue_response(request, form, status=400)
    messages.success(
        request,
        ngettext("%(count)d item answered.", "%(count)d items answered.", len(changed))
        % {"count": len(changed)},
    )
    return redirect("statuses:queue")


# ---- receipts -------------------------------------------------------------------------------


def _receipt(token: str) -> Any:
    receipt = receipt_by_token(token=token)
    if receipt is None:
        raise Http404(
            _("This receipt does not exist: it was withdrawn or erased, or the link is wrong.")
        )
    return receipt


@answers_json
@require_GET
def receipt_from_room(request: HttpRequest, code: str) -> HttpResponse:
    """The citizen's own receipt for a workshop they took part in from this phone.

    A browser is sent to it; the room's script gets its token, link and QR code.
    """
    workshop = workshop_by_code(code=code)
    actor = (
        actor_resolve(workshop=workshop, user=request.user, session=request.session)
        if workshop is not None
        else None
    )
    if actor is None or actor.participant is None:
        raise Http404(_("Join the workshop from this phone to get your receipt."))
    receipt = services.receipt_for_participant(participant=actor.participant)
    if wants_json(request):
        return done_json({"receipt": receipt_offer(request, receipt)})
    return redirect("statuses:receipt", token=receipt.token)


@require_GET
def receipt_from_challenges(request: HttpRequest) -> HttpResponse:
    """The receipt of the phone that proposed, co-sponsored or supported in a challenge."""
    citizen = citizen_from_session(session=request.session)
    if citizen is None:
        raise Http404(_("Propose or support something from this phone to get your receipt."))
    receipt = services.receipt_for_citizen(citizen=citizen)
    return redirect("statuses:receipt", token=receipt.token)


@require_GET
def receipt_page(request: HttpRequest, token: str) -> HttpResponse:
    receipt = _receipt(token)
    return _receipt_response(request, receipt, EmailForm())


def _receipt_response(
    request: HttpRequest, receipt: Any, email_form: EmailForm, status: int = 200
) -> HttpResponse:
    rows = receipt_items(receipt=receipt)
    subscription = Subscription.objects.filter(receipt=receipt).first()
    link = absolute_url(request, reverse("statuses:receipt", kwargs={"token": receipt.token}))
    notices = notices_of(receipt=receipt)
    seen_until = receipt.seen_until
    services.receipt_mark_seen(receipt=receipt)
    config = {
        "ws_path": f"/ws/receipts/{receipt.token}/",
        "token": receipt.token,
        "items": {row.key: [change_as_dict(change) for change in row.timeline] for row in rows},
        # A live change arrives labelled in the language of whoever made it; the page
        # shows each status in its own.
        "status_labels": {status.value: str(status.label) for status in Status},
        "push": _push_config(receipt),
    }
    context = {
        "receipt": receipt,
        "rows": rows,
        "link": link,
        "subscription": subscription,
        "email_form": email_form,
        "answer_form": AnswerBackForm(),
        "notices": notices,
        "new_notices": [n for n in notices if seen_until is None or n.created_at > seen_until],
        "receipt_config": config,
    }
    response = render(request, "statuses/receipt.html", context, status=status)
    # The site's Referrer-Policy (same-origin) already keeps the token from other sites;
    # "no-referrer" would make the browser send "Origin: null", which fails CSRF checks.
    response["Cache-Control"] = "no-store"
    return response


def _push_config(receipt: Any) -> dict[str, Any] | None:
    """What the page's script needs to offer "Notify this phone"; None when push is off."""
    try:
        key = push.public_key()
    except ValueError:
        # A SAMSKAB_VAPID_PRIVATE_KEY that is not one: the page offers no push.
        return None
    return {
        "key": key,
        "worker": reverse("statuses:push_worker"),
        "scope": push.SCOPE,
        "subscribe": reverse("statuses:receipt_push", kwargs={"token": receipt.token}),
        "stop": reverse("statuses:receipt_push_stop", kwargs={"token": receipt.token}),
        # Which phones are notified, without naming their push addresses on the page.
        "known": [
            hashlib.sha256(endpoint.encode()).hexdigest()
            for endpoint in PushSubscription.objects.filter(receipt=receipt).values_list(
                "endpoint", flat=True
            )
        ],
    }


def _json_body(request: HttpRequest) -> Any:
    # The declared length first: a body past Django's own limit would not even be read.
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > PUSH_BODY_MAX_BYTES:
        raise ActionRefused("invalid", _("That is too much to be a phone's subscription."))
    if len(request.body) > PUSH_BODY_MAX_BYTES:
        raise ActionRefused("invalid", _("That is too much to be a phone's subscription."))
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ActionRefused(
            "invalid", _("Send the phone's subscription as a JSON object.")
        ) from error


@answers_json
@require_POST
def receipt_push(request: HttpRequest, token: str) -> HttpResponse:
    """The page's script hands over this phone's push subscription (JSON only)."""
    receipt = _receipt(token)
    try:
        services.push_subscribe(receipt=receipt, subscription=_json_body(request))
    except ActionRefused as refused:
        return refused_json(refused)
    return done_json({"push": True})


@answers_json
@require_POST
def receipt_push_stop(request: HttpRequest, token: str) -> HttpResponse:
    """No more pushes to this phone: `{"endpoint": …}` names it (JSON only)."""
    receipt = _receipt(token)
    try:
        body = _json_body(request)
        endpoint = body.get("endpoint") if isinstance(body, dict) else None
        removed = services.push_unsubscribe(receipt=receipt, endpoint=endpoint)
    except ActionRefused as refused:
        return refused_json(refused)
    return done_json({"push": False, "removed": removed})


@require_GET
def push_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that shows a pushed notice; served from the root of the site.

    From the root its scope may cover the receipt pages (/r/), which a script under
    /static/ could not without a Service-Worker-Allowed header; and its address stays
    the same from one version to the next, as a service worker's must.
    """
    response = render(
        request, "statuses/push_worker.js", {}, content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def receipt_qr(request: HttpRequest, token: str) -> HttpResponse:
    receipt = _receipt(token)
    link = absolute_url(request, reverse("statuses:receipt", kwargs={"token": receipt.token}))
    response = HttpResponse(qr_svg(link, title=_("Your receipt")), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def receipt_revoke(request: HttpRequest, token: str) -> HttpResponse:
    receipt = _receipt(token)
    fresh = services.receipt_revoke(receipt=receipt)
    messages.success(request, _("The old link no longer works. This is your new receipt."))
    assert fresh is not None  # noqa: S101 - a revoked receipt always gets a successor
    return redirect("statuses:receipt", token=fresh.token)


@require_POST
def receipt_email(request: HttpRequest, token: str) -> HttpResponse:
    receipt = _receipt(token)
    form = EmailForm(request.POST)
    if not form.is_valid():
        return _receipt_response(request, receipt, form, status=400)
    try:
        services.subscription_request(receipt=receipt, email=form.cleaned_data["email"])
    except ActionRefused as refused:
        form.add_error("email", refused.message)
        return _receipt_response(request, receipt, form, status=400)
    messages.success(
        request,
        _("We have sent you an e-mail. Press the button in it to start receiving news."),
    )
    return redirect("statuses:receipt", token=receipt.token)


@require_POST
def receipt_email_stop(request: HttpRequest, token: str) -> HttpResponse:
    receipt = _receipt(token)
    services.subscription_end(receipt=receipt)
    messages.success(request, _("Your address is deleted; no more e-mails will come."))
    return redirect("statuses:receipt", token=receipt.token)


@require_POST
def receipt_answer(request: HttpRequest, token: str, kind: str, item_id: str) -> HttpResponse:
    receipt = _receipt(token)
    item = item_get(key=kind, item_id=id_from_path(item_id))
    form = AnswerBackForm(request.POST)
    if item is None:
        raise Http404(_("There is no public item at this address."))
    if not form.is_valid():
        messages.error(request, _("Answer yes or no."))
        return redirect("statuses:receipt", token=receipt.token)
    try:
        services.answer_back(
            receipt=receipt,
            item=item,
            solved=form.cleaned_data["solved"],
            comment=form.cleaned_data["comment"],
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("statuses:receipt", token=receipt.token)
    messages.success(request, _("Thank you. Your answer has reached the administration."))
    return redirect("statuses:receipt", token=receipt.token)


# ---- a challenge citizen erases their data -------------------------------------------------


def _erase_page(
    request: HttpRequest, *, citizen: Citizen | None, action: str, back: str
) -> HttpResponse:
    """What erasing takes and what stays, and the one button that erases (a POST)."""
    tokens = (
        list(Receipt.objects.filter(citizen=citizen).values_list("token", flat=True))
        if citizen is not None
        else []
    )
    context = {
        "nothing": citizen is None,
        "action": action,
        "back": back,
        "tokens_json": json.dumps(tokens),
    }
    response = render(request, "statuses/erase.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _erase(request: HttpRequest, citizen: Citizen) -> HttpResponse:
    try:
        challenge_services.citizen_erase(citizen_key=citizen.key, session=request.session)
    except ActionRefused as refused:
        # Erased meanwhile (another tab, the retention job): nothing is left to erase.
        messages.error(request, refused.message)
        return redirect("challenges:list")
    messages.success(
        request,
        _(
            "Your data is erased. Nothing ties this phone to what you proposed or supported "
            "any more, and your receipt and e-mail address are gone. Your proposals and "
            "supports stay and still count, without your name."
        ),
    )
    return redirect("challenges:list")


@require_http_methods(["GET", "POST"])
def receipt_erase(request: HttpRequest, token: str) -> HttpResponse:
    """Erase the data of the challenge citizen behind this receipt; the GET only asks."""
    receipt = _receipt(token)
    if receipt.citizen is None:
        # A workshop participant's data is erased in the room, where it lives.
        raise Http404(
            _(
                "This receipt is of a workshop. Erase your data there: "
                "“Erase my data and leave” in the workshop's menu."
            )
        )
    if request.method == "POST":
        return _erase(request, receipt.citizen)
    back = reverse("statuses:receipt", kwargs={"token": receipt.token})
    return _erase_page(request, citizen=receipt.citizen, action=request.path, back=back)


@require_http_methods(["GET", "POST"])
def erase_from_challenges(request: HttpRequest) -> HttpResponse:
    """The same for the phone that proposed, co-sponsored or supported, from its session."""
    citizen = citizen_from_session(session=request.session)
    if request.method == "POST":
        if citizen is None:
            messages.error(request, _("There is nothing of yours to erase."))
            return redirect("challenges:list")
        return _erase(request, citizen)
    return _erase_page(
        request, citizen=citizen, action=request.path, back=reverse("challenges:list")
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button: link scanners open links, but they do not press buttons."""
    exists = Subscription.objects.filter(confirm_token=token, receipt__revoked_at=None).exists()
    if not exists:
        raise Http404(_("This confirmation link is not valid, or was replaced by a newer one."))
    if request.method == "POST":
        subscription = services.subscription_confirm(token=token)
        messages.success(request, _("Your address is confirmed. We will tell you what happens."))
        return redirect("statuses:receipt", token=subscription.receipt.token)
    return render(request, "statuses/confirm.html", {})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    values = unsubscribe_read(token)
    subscription = (
        Subscription.objects.filter(pk=values[0]).select_related("receipt").first()
        if values
        else None
    )
    content_type = content_type_of(values[1]) if values else None
    item = (
        content_type.get_all_objects_for_this_type(pk=values[2]).first()
        if content_type is not None and values
        else None
    )
    if subscription is None or item is None:
        raise Http404(_("This unsubscribe link is not valid, or the address was deleted."))
    title = next((kind.title(item) for kind in KINDS.values() if isinstance(item, kind.model)), "")
    if request.method == "POST":
        if services.item_unsubscribe(subscription=subscription, item=item):
            messages.success(request, _("No more e-mails about this item."))
        else:
            messages.info(request, _("You had already stopped e-mails about this item."))
        return redirect("statuses:receipt", token=subscription.receipt.token)
    return render(request, "statuses/unsubscribe.html", {"title": title})


# ---- "you said, we did" reports ------------------------------------------------------------

REPORT_FORMATS: dict[str, tuple[str, Any]] = {
    "said.pdf": ("application/pdf", report.report_pdf),
    "said.docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        report.report_docx,
    ),
    "said.csv": ("text/csv; charset=utf-8", report.report_csv),
    "said.json": ("application/json", report.report_json),
}


def _report_labels() -> dict[str, str]:
    return {
        "said.pdf": _("PDF"),
        "said.docx": _("Word (DOCX)"),
        "said.csv": _("Spreadsheet (CSV)"),
        "said.json": _("All data (JSON)"),
    }


def _report_language(request: HttpRequest, language: str) -> str:
    """The report speaks its workshop's or challenge's language unless its link asks."""
    shown = request_language(request, reader=Reader.ROOM, workshop_language=language)
    language_use(request, shown)
    return shown


def _workshop_report(request: HttpRequest, code: str) -> report.Report:
    workshop = workshop_by_code(code=code)
    if workshop is None or workshop.phase != Phase.CLOSED:
        raise Http404(_("There is no closed workshop with this code."))
    language = _report_language(request, workshop.language)
    return report.workshop_report(workshop=workshop, language=language)


def _challenge_report(request: HttpRequest, challenge_id: str) -> report.Report:
    challenge = challenge_by_id(challenge_id=id_from_path(challenge_id))
    if challenge is None:
        raise Http404(_("There is no such challenge."))
    language = _report_language(request, challenge.language)
    return report.challenge_report(challenge=challenge, language=language)


def _report_page(request: HttpRequest, built: report.Report, base: str) -> HttpResponse:
    labels = _report_labels()
    # The downloads speak the page's language, asked for or not.
    asked = request.GET.get("lang")
    suffix = f"?lang={built.language}" if asked else ""
    downloads = [{"url": base + name + suffix, "label": labels[name]} for name in REPORT_FORMATS]
    # Like the summary's, the report's switch is a link: its language is the page's own.
    request.language_by_link = True  # type: ignore[attr-defined]
    return HttpResponse(report.report_html(built, downloads=downloads, **language_switch(request)))


def _report_file(built: report.Report, name: str) -> HttpResponse:
    if name not in REPORT_FORMATS:
        raise Http404(_("There is no such download."))
    content_type, render_format = REPORT_FORMATS[name]
    with translation.override(built.language):
        body = render_format(built)
    response = HttpResponse(body, content_type=content_type)
    slug = slugify(built.title)[:60] or built.source
    response["Content-Disposition"] = f'attachment; filename="{slug}-{name}"'
    return response


@require_GET
def workshop_report_page(request: HttpRequest, code: str) -> HttpResponse:
    return _report_page(request, _workshop_report(request, code), request.path)


@require_GET
def workshop_report_file(request: HttpRequest, code: str, name: str) -> HttpResponse:
    return _report_file(_workshop_report(request, code), name)


@require_GET
def challenge_report_page(request: HttpRequest, challenge_id: str) -> HttpResponse:
    return _report_page(request, _challenge_report(request, challenge_id), request.path)


@require_GET
def challenge_report_file(request: HttpRequest, challenge_id: str, name: str) -> HttpResponse:
    return _report_file(_challenge_report(request, challenge_id), name)
