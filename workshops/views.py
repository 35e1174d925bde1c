"""Pages of the room. Thin: each reads through selectors and writes through services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import assets, links, registry, room_shells, services, webapp
from .actors import (
    OBSERVING_SESSION_KEY,
    PARTICIPANTS_SESSION_KEY,
    Actor,
    ParticipantCount,
    actor_resolve,
)
from .code_guessing import RATE_LIMITED, code_guessing_check, code_guessing_miss, refused_page
from .errors import ActionRefused
from .forms import (
    InviteForm,
    JoinCodeForm,
    JoinForm,
    PhaseForm,
    TimerForm,
    WorkshopForm,
)
from .http import REFUSAL_STATUS, answers_json, done_json, refused_json, signed_in, wants_json
from .languages import Reader, language_supported, language_use, request_language
from .limits import client_address
from .middleware import same_for_everyone
from .models import Participant, Workshop
from .names import friendly_name
from .phases import RUNNABLE_PHASES, Action, Phase, Role
from .selectors import room_snapshot, workshop_by_code, workshops_facilitated_by
from .serializers import participant_as_dict, workshop_as_dict
from .templatetags.assets import room_json_script
from .walls import wall_shared

# How a room page tells a live socket from one silently dead (a phone back from the lock
# screen, Wi-Fi gone without a goodbye, which the socket hears of only when TCP gives up):
# it sends `ping` this often, and a socket that answers nothing within PONG_TIMEOUT_MS is
# dead (docs/protocol.md, *How a client stays right*). The join page waits as long for the
# answer to its `join`. Given to the pages' scripts in their config, so they share them.
HEARTBEAT_MS = 25_000
PONG_TIMEOUT_MS = 10_000


def workshop_or_404(code: str, request: HttpRequest | None = None) -> Workshop:
    """The workshop of this code, as the language middleware read it for `request` if given."""
    read = getattr(request, "workshop_by_code", None)
    workshop = read[1] if read is not None and read[0] == code else workshop_by_code(code=code)
    if workshop is None:
        raise Http404(_("No workshop has the code %(code)s.") % {"code": code.upper()})
    return workshop


def _actor(request: HttpRequest, workshop: Workshop, *, as_observer: bool = False) -> Actor:
    return actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        as_observer=as_observer,
        address=client_address(request),
    )


def facilitator_actor(request: HttpRequest, code: str) -> Actor:
    workshop = workshop_or_404(code)
    actor = _actor(request, workshop)
    if actor.role is not Role.FACILITATOR:
        # Hide that the workshop exists from those who may not run it.
        raise Http404(_("No workshop has the code %(code)s.") % {"code": code.upper()})
    # The console and its messages speak the facilitator's language.
    language_use(
        request,
        request_language(request, reader=Reader.FACILITATOR, workshop_language=workshop.language),
    )
    return actor


def _in_workshop_language(request: HttpRequest, workshop: Workshop) -> None:
    """A citizen's page: their choice, else the workshop's language, else their browser's."""
    language_use(request, request_language(request, workshop_language=workshop.language))


# Which apps' panels each room page shows (workshops.registry).
_SCREENS = {
    "workshops/room.html": registry.Screen.ROOM,
    "workshops/console.html": registry.Screen.CONSOLE,
    "workshops/projector.html": registry.Screen.WALL,
    "workshops/observe.html": registry.Screen.WALL,
}


def room_page(
    request: HttpRequest,
    template: str,
    actor: Actor,
    context: dict[str, Any],
    status: int = 200,
    *,
    reader: Reader = Reader.PERSON,
) -> HttpResponse:
    """Render a room page in its reader's language, with what its script needs."""
    workshop = actor.workshop
    language = request_language(request, reader=reader, workshop_language=workshop.language)
    language_use(request, language)
    # The projector speaks the room's language; its switch asks for another by link.
    request.language_by_link = reader is Reader.ROOM  # type: ignore[attr-defined]
    snapshot = room_snapshot(actor=actor)
    if _alike_for_all_joining(request, template, actor, context, status, snapshot):
        # The same page as for everyone else joining now, but for what is theirs alone.
        page = room_shells.page_for(
            snapshot=snapshot,
            where=(
                template,
                language,
                request.get_host(),
                request.is_secure(),
                request.get_full_path(),
            ),
            render=lambda: _room_render(
                request,
                template,
                actor,
                {
                    "csrf_token": room_shells.CSRF,
                    "room_shell": True,
                    "snapshot_script": mark_safe(room_shells.SNAPSHOT),  # noqa: S308
                },
                status,
                language,
                room_shells.shell_snapshot(snapshot),
            ).content.decode(),
            csrf_token=get_token(request),
            snapshot_script=room_json_script(snapshot, "room-snapshot"),
        )
        return HttpResponse(page, status=status)
    return _room_render(request, template, actor, context, status, language, snapshot)


def _alike_for_all_joining(
    request: HttpRequest,
    template: str,
    actor: Actor,
    context: dict[str, Any],
    status: int,
    snapshot: dict[str, Any],
) -> bool:
    """Whether this is the room page of a citizen who has just joined, like any other's.

    They have nothing of their own in the room yet (workshops.room_shells); the page
    speaks of nobody signed in and of no message waiting for their session.
    """
    return (
        template == "workshops/room.html"
        and actor.just_joined
        and actor.role is Role.CITIZEN
        and not context
        and status == 200
        and snapshot["version"] is not None
        and actor.workshop.phase != Phase.CLOSED
        and _alike_for_all(request, actor)
    )


def _alike_for_all(request: HttpRequest, actor: Actor) -> bool:
    """Whether the page speaks of nobody signed in, no standing and no message waiting."""
    return (
        not request.user.is_authenticated
        and not actor.restriction
        and len(messages.get_messages(request)) == 0
    )


def _room_render(
    request: HttpRequest,
    template: str,
    actor: Actor,
    context: dict[str, Any],
    status: int,
    language: str,
    snapshot: dict[str, Any],
) -> HttpResponse:
    workshop = actor.workshop
    panels = registry.PANELS[_SCREENS[template]]
    # As the page's script orders them: newest on top, except on the console.
    wall_ideas = (
        snapshot["ideas"] if actor.role is Role.FACILITATOR else list(reversed(snapshot["ideas"]))
    )
    for panel in panels:
        if panel.context is not None:
            context = {**context, **panel.context(request, actor, context)}
    context = {
        "workshop": workshop,
        "actor": actor,
        "snapshot": snapshot,
        "join_url": links.join_url(request, workshop),
        "join_url_short": links.typeable(links.join_url(request, workshop)),
        "room_config": {
            "code": workshop.join_code,
            "role": actor.role.value,
            # The WebSocket route lives in routing.py, outside Django's URL resolver.
            "ws_path": f"/ws/workshops/{workshop.join_code}/",
            "post_url": reverse("ideas:post", kwargs={"code": workshop.join_code}),
            # The page's language, which its socket speaks too.
            "language": language,
            "projector": template.endswith("projector.html"),
            # Where this page lives; the page may arrive as the answer to another
            # address's form (joining answers with the room).
            "page_url": _page_url(template, workshop),
            # The join page: the room comes once the phone has joined over its socket.
            "joining": bool(context.get("joining")),
            "heartbeat_ms": HEARTBEAT_MS,
            "pong_timeout_ms": PONG_TIMEOUT_MS,
        },
        "phase": Phase,
        "panels": [panel.template for panel in panels],
        "menu_panels": [panel.template for panel in registry.PANELS[registry.Screen.MENU]],
        "room_scripts": registry.SCRIPTS,
        "wall_ideas": wall_ideas,
        "idea_wall_html": None
        if actor.role is Role.FACILITATOR
        else wall_shared(
            workshop=workshop,
            ideas=snapshot["ideas"],
            wall_ideas=wall_ideas,
            participant_id=snapshot["you"]["participant_id"],
        ),
        **context,
    }
    return render(request, template, context, status=status)


def _page_url(template: str, workshop: Workshop) -> str | None:
    if template == "workshops/room.html":
        return reverse("workshops:room", kwargs={"code": workshop.join_code})
    return None


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        try:
            code_guessing_check(address=address)
        except ActionRefused as refused:
            return refused_page(request, refused)
        workshop = workshop_by_code(code=form.cleaned_data["code"])
        if workshop is None:
            code_guessing_miss(address=address)
            form.add_error("code", _("No workshop has this code. Check it and try again."))
        else:
            return redirect("workshops:join", code=workshop.join_code)
    return render(
        request, "workshops/home.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(code, request)
    if code != workshop.join_code:
        return redirect("workshops:join", code=workshop.join_code)
    actor = _actor(request, workshop)
    if actor.role is Role.CITIZEN:
        return redirect("workshops:room", code=workshop.join_code)
    if actor.role is Role.FACILITATOR:
        return redirect("workshops:console", code=workshop.join_code)
    _in_workshop_language(request, workshop)
    form = JoinForm(request.POST or None, initial={"display_name": friendly_name()})
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            # Under the session's lock, as over the socket: the join page's socket may
            # have joined this phone while the form was on its way (the page sends the
            # form when its socket stops answering), and the phone joins once.
            joined_actor = services.participant_join_session(
                actor=actor,
                session=request.session,
                display_name=form.cleaned_data["display_name"],
                by_form=True,
            )
        except ActionRefused as error:
            refused = error
        else:
            # The room itself, not a redirect to it: on a phone network every round
            # trip is seconds. Its script puts the room's own address in the address
            # bar, so a reload asks for the room rather than sending the form again.
            return _citizen_room(request, joined_actor)
    status = 400 if form.errors else 200
    if refused is not None:
        form.add_error(None, refused.message)
        # The page for a person, but the status the protocol gives a script.
        status = REFUSAL_STATUS[RATE_LIMITED] if refused.code == RATE_LIMITED else 400
    closed = not actor.may(Action.JOIN)
    context = {
        "workshop": workshop,
        "form": form,
        "closed": closed,
        # A removed phone may still take or erase what is kept about it.
        "removed": actor.restriction == "removed",
    }
    if request.method == "GET" and not closed and not context["removed"]:
        # The phone's session exists from this page on, holding no room yet: joining over
        # the room's socket (docs/protocol.md, `join`) writes the participant into it, and
        # a socket cannot set a cookie. Only a session is made here, never a participant,
        # so a link-preview bot's GET makes an empty session and nothing in the room; the
        # form's POST used to make the same session, so a join makes no more of them.
        request.session.setdefault(PARTICIPANTS_SESSION_KEY, {})
        return _joining_page(request, actor)
    response = render(
        request,
        "workshops/join.html",
        {**context, "page_nonce": request.csp_nonce},  # type: ignore[attr-defined]
        status=status,
    )
    if refused is not None and refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    return response


# The join page's wall holds no ideas: the room's script draws the wall from the snapshot
# the join brings, so the ideas would travel twice (docs/deploy.md, *A join over the
# socket*), and the first page a phone waits for grew with the room.
_JOINING_WALL: dict[str, Any] = {"idea_wall_html": None, "wall_ideas": []}


def _joining_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The join page: the room's page for a phone that has not joined, its name form first.

    The room waits in the page, inert, until the phone joins over the socket; it is
    rendered as it is for a person who has just joined (nothing of their own yet), whose
    name is the one the form suggests. Every phone that has not joined gets the same page
    but for its form's token, the suggested name and the nonce of its inline stylesheet and scripts
    (workshops.room_shells).
    """
    workshop = actor.workshop
    template = "workshops/room.html"
    language = request_language(request, workshop_language=workshop.language)
    language_use(request, language)
    request.language_by_link = False  # type: ignore[attr-defined]
    # Nobody is created: the person the room is shown to exists only for this page. The
    # room's count is not read: a phone's room shows none, and the join brings the room's
    # snapshot (workshops.room_shells keys kept pages without the count anyway).
    prospective = Actor(
        role=Role.CITIZEN,
        workshop=workshop,
        participant=Participant(workshop=workshop, display_name=friendly_name()),
        address=actor.address,
        just_joined=True,
        room_count=ParticipantCount(total=0, as_of=0),
    )
    snapshot = room_snapshot(actor=prospective)
    nonce = str(request.csp_nonce)  # type: ignore[attr-defined]
    if _alike_for_all(request, actor):
        page = room_shells.page_for(
            snapshot=snapshot,
            where=(
                "joining",
                template,
                language,
                request.get_host(),
                request.is_secure(),
                request.get_full_path(),
            ),
            render=lambda: _room_render(
                request,
                template,
                prospective,
                {
                    **_JOINING_WALL,
                    "joining": True,
                    "form": JoinForm(initial={"display_name": room_shells.NAME}),
                    "csrf_token": room_shells.CSRF,
                    "page_nonce": room_shells.NONCE,
                    "room_shell": True,
                },
                200,
                language,
                room_shells.shell_snapshot(snapshot),
            ).content.decode(),
            csrf_token=get_token(request),
            snapshot_script="",
            nonce=nonce,
        )
        return HttpResponse(page)
    context = {
        **_JOINING_WALL,
        "joining": True,
        "form": JoinForm(initial={"display_name": snapshot["you"]["display_name"]}),
        "page_nonce": nonce,
    }
    return _room_render(request, template, prospective, context, 200, language, snapshot)


@require_GET
def room(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(code, request)
    actor = _actor(request, workshop)
    if actor.role is Role.FACILITATOR:
        return redirect("workshops:console", code=workshop.join_code)
    if actor.role is Role.OBSERVER:
        return redirect("workshops:observe", token=workshop.observer_token)
    if actor.role is not Role.CITIZEN:
        return redirect("workshops:join", code=workshop.join_code)
    return _citizen_room(request, actor)


def _citizen_room(request: HttpRequest, actor: Actor) -> HttpResponse:
    return room_page(request, "workshops/room.html", actor, {})


@answers_json
@require_POST
def rename(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(code)
    _in_workshop_language(request, workshop)
    actor = _actor(request, workshop)
    try:
        # The service says what is wrong with a name (empty, too long), as over the socket.
        participant = services.participant_rename(
            actor=actor, display_name=request.POST.get("display_name", "")
        )
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return done_json({"participant": participant_as_dict(participant)})
    return redirect("workshops:room", code=workshop.join_code)


@require_GET
def qr_code(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(code)
    url = links.join_url(request, workshop)
    svg = links.qr_svg(url, title=_("Join %(title)s") % {"title": workshop.title})
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def observe(request: HttpRequest, token: str) -> HttpResponse:
    workshop = Workshop.objects.filter(observer_token=token).first()
    if workshop is None:
        raise Http404(_("This observer link is not valid."))
    observing = list(request.session.get(OBSERVING_SESSION_KEY) or [])
    if workshop.pk not in observing:
        observing.append(workshop.pk)
        request.session[OBSERVING_SESSION_KEY] = observing
    actor = _actor(request, workshop, as_observer=True)
    return room_page(request, "workshops/observe.html", actor, {})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    workshops = workshops_facilitated_by(user=request.user)
    return render(request, "workshops/dashboard.html", {"workshops": workshops})


@login_required
@require_http_methods(["GET", "POST"])
def workshop_new(request: HttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(owner=request.user, **form.cleaned_data)
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            return redirect("workshops:console", code=workshop.join_code)
    status = 400 if form.errors else 200
    return render(
        request, "workshops/workshop_form.html", {"form": form, "new": True}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    workshop = actor.workshop
    initial = {
        "title": workshop.title,
        "question": workshop.question,
        "context": workshop.context,
        "language": workshop.language,
    }
    form = WorkshopForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.workshop_update(actor=actor, **form.cleaned_data)
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The workshop is updated."))
            return redirect("workshops:console", code=workshop.join_code)
    status = 400 if form.errors else 200
    context = {"form": form, "new": False, "workshop": workshop}
    return render(request, "workshops/workshop_form.html", context, status=status)


# Timer presets offered beside the phase, in seconds.
TIMER_PRESETS = (60, 180, 300, 600)


@dataclass
class ConsoleTool:
    """One tab of the console: the room's own, or made of the panels an app registered."""

    name: str
    label: Any
    phases: tuple[str, ...] = ()
    templates: list[str] = field(default_factory=list)


def console_tools() -> list[ConsoleTool]:
    """The console's tools in tab order: letting people in, ideas, each app's, then sharing."""
    tools = [
        ConsoleTool("join", gettext_lazy("Let people in"), (Phase.LOBBY,)),
        ConsoleTool("ideas", gettext_lazy("Ideas"), (Phase.IDEATE,)),
    ]
    by_name = {tool.name: tool for tool in tools}
    for panel in registry.PANELS[registry.Screen.CONSOLE]:
        name = panel.tool or "more"
        if name not in by_name:
            by_name[name] = ConsoleTool(name, panel.label or gettext_lazy("More"), panel.phases)
            tools.append(by_name[name])
        by_name[name].templates.append(panel.template)
    tools.append(ConsoleTool("share", gettext_lazy("Share and settings")))
    return tools


def tool_of_phase(tools: list[ConsoleTool], phase: str) -> str:
    """The tool the console opens on in this phase: the first that says it leads it."""
    return next((tool.name for tool in tools if phase in tool.phases), "ideas")


def next_phase(phase: str) -> Phase | None:
    """The phase after this one in running order, or None after the last."""
    order = list(RUNNABLE_PHASES)
    index = order.index(Phase(phase))
    return order[index + 1] if index + 1 < len(order) else None


@login_required
@require_GET
def console(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    workshop = actor.workshop
    tools = console_tools()
    phase_tool = tool_of_phase(tools, workshop.phase)
    # ?tool= lets the tabs work as plain links without script.
    asked = request.GET.get("tool", "")
    context = {
        "tools": tools,
        "current_tool": asked if asked in {tool.name for tool in tools} else phase_tool,
        "phase_tool": phase_tool,
        "phase_steps": [(phase, tool_of_phase(tools, phase)) for phase in RUNNABLE_PHASES],
        "next_phase": next_phase(workshop.phase),
        "timer_presets": [(seconds, seconds // 60) for seconds in TIMER_PRESETS],
        "phase_form": PhaseForm(initial={"phase": workshop.phase}),
        "timer_form": TimerForm(),
        "invite_form": InviteForm(),
        "observer_url": links.absolute_url(
            request, reverse("workshops:observe", kwargs={"token": workshop.observer_token})
        ),
        "invitations": workshop.invitations.order_by("-created_at"),
    }
    # The console speaks the facilitator's language, not necessarily the room's.
    return room_page(request, "workshops/console.html", actor, context, reader=Reader.FACILITATOR)


@login_required
@require_GET
def projector(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    projected = _actor(request, actor.workshop, as_observer=True)
    return room_page(request, "workshops/projector.html", projected, {}, reader=Reader.ROOM)


@answers_json
@signed_in
@require_POST
def phase_change(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    form = PhaseForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionRefused("invalid", _("Choose a phase and a timer from the lists."))
        workshop = services.workshop_change_phase(
            actor=actor,
            phase=form.cleaned_data["phase"],
            duration_seconds=form.cleaned_data["duration_seconds"],
        )
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return done_json({"workshop": workshop_as_dict(workshop)})
        messages.success(
            request,
            _("The room is now in the %(phase)s phase.") % {"phase": Phase(workshop.phase).label},
        )
    return redirect("workshops:console", code=actor.workshop.join_code)


@answers_json
@signed_in
@require_POST
def timer_set(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    form = TimerForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionRefused("invalid", _("Choose a timer from the list."))
        workshop = services.workshop_set_timer(
            actor=actor, duration_seconds=form.cleaned_data["duration_seconds"]
        )
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return done_json({"workshop": workshop_as_dict(workshop)})
    return redirect("workshops:console", code=actor.workshop.join_code)


@answers_json
@signed_in
@require_POST
def invite(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    form = InviteForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionRefused("invalid", _("Enter a valid email address."))
        invitation = services.facilitator_invite(actor=actor, email=form.cleaned_data["email"])
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
        return redirect("workshops:console", code=actor.workshop.join_code)
    url = links.absolute_url(
        request, reverse("workshops:invitation", kwargs={"token": invitation.token})
    )
    send_mail(
        _("Co-facilitate “%(title)s” on Samskab") % {"title": actor.workshop.title},
        _("You are invited to help run the workshop “%(title)s”. Open this link to accept: %(url)s")
        % {"title": actor.workshop.title, "url": url},
        None,
        [invitation.email],
        fail_silently=True,
    )
    if wants_json(request):
        return done_json({"invitation": {"email": invitation.email, "url": url}})
    messages.success(
        request,
        _("Invitation created. Send your colleague this link: %(url)s") % {"url": url},
    )
    return redirect("workshops:console", code=actor.workshop.join_code)


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            workshop = services.invitation_accept(token=token, user=request.user)
        except ActionRefused as error:
            return render(
                request, "workshops/invitation.html", {"error": error.message}, status=400
            )
        messages.success(request, _("You now co-facilitate this workshop."))
        return redirect("workshops:console", code=workshop.join_code)
    return render(request, "workshops/invitation.html", {"token": token})


@require_GET
@same_for_everyone
def room_bundle(request: HttpRequest, language: str, digest: str) -> HttpResponse:
    """The room's scripts and their translations in one file (workshops/assets.py)."""
    supported = language_supported(language)
    if supported is None:
        raise Http404
    bundle = assets.room_bundle(supported)
    response = HttpResponse(bundle.body, content_type="text/javascript; charset=utf-8")
    if digest == bundle.digest:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        # A page from before a deploy asks for the old digest: it gets today's scripts,
        # which no cache may keep under the old name.
        response["Cache-Control"] = "no-cache"
    return response


@require_GET
def web_app_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, in the language the address asks for (`?lang=`), else the page's."""
    return JsonResponse(
        webapp.manifest_of_language(),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
