"""The self-check page of a workshop, and the answers summed over workshops."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase
from workshops.selectors import workshops_facilitated_by
from workshops.views import facilitator_actor

from .forms import SelfCheckForm
from .selectors import self_check_answered, self_check_of, self_check_totals
from .services import self_check_answer


@login_required
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest, code: str) -> HttpResponse:
    workshop = facilitator_actor(request, code).workshop
    check = self_check_of(workshop=workshop)
    if request.method == "POST":
        form = SelfCheckForm(request.POST)
        if form.is_valid():
            try:
                self_check_answer(
                    user=request.user,  # type: ignore[arg-type]
                    workshop=workshop,
                    answers=form.cleaned_data,
                )
            except ActionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Your answers are kept. Here is the feedback."))
                return redirect("selfcheck:workshop", code=workshop.join_code)
    else:
        form = SelfCheckForm(initial=check.answers if check else None)
    return render(
        request,
        "selfcheck/self_check.html",
        {
            "workshop": workshop,
            "closed": workshop.phase == Phase.CLOSED,
            "form": form,
            "answered": self_check_answered(check) if check else [],
        },
    )


@login_required
@require_GET
def totals(request: HttpRequest) -> HttpResponse:
    user = request.user
    workshops = (
        Workshop.objects.all()
        if getattr(user, "is_staff", False)
        else workshops_facilitated_by(user=user)
    )
    return render(request, "selfcheck/totals.html", self_check_totals(workshops=workshops))
