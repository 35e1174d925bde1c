"""The self-check: what makes co-creation succeed, asked after a workshop, with feedback.

Declared once here; the form, the feedback, the summary's method section and the
totals all read these, so a question's wording lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Option:
    key: str
    label: str | Promise
    feedback: str | Promise


@dataclass(frozen=True)
class Question:
    key: str
    text: str | Promise
    # How the answer is named in the summary and the totals.
    short: str | Promise
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        return next((option for option in self.options if option.key == key), None)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "early",
        _("Were citizens asked early enough to change the outcome?"),
        _("Asked early enough"),
        (
            Option(
                "yes",
                _("Yes: the decision was still open"),
                _(
                    "Good. Say so in the invitation next time too: people take part when they can "
                    "see their influence."
                ),
            ),
            Option(
                "partly",
                _("Partly: the frame was set, the details were open"),
                _(
                    "Tell participants plainly what was already decided and what they could still "
                    "change, so nobody feels their time was wasted."
                ),
            ),
            Option(
                "no",
                _("No: the decision was mostly made"),
                _(
                    "Then it was a consultation, not co-creation. Next time involve citizens "
                    "before the options are fixed, or say openly how little can change."
                ),
            ),
        ),
    ),
    Question(
        "affected",
        _("Were the people affected by the decision in the room?"),
        _("Those affected in the room"),
        (
            Option(
                "yes",
                _("Yes, the groups affected took part"),
                _("Good. Keep a note of who came, so you can see over time whom you reach."),
            ),
            Option(
                "partly",
                _("Some groups were missing"),
                _(
                    "Name the missing groups in the summary and reach them where they are: a "
                    "school, a care home, an association, a second short workshop."
                ),
            ),
            Option(
                "no",
                _("No, mostly others"),
                _(
                    "The result may not hold for those it affects. Invite them directly before the"
                    " decision, and weigh the result with that in mind."
                ),
            ),
        ),
    ),
    Question(
        "people_decided",
        _("Were the platform's suggestions (clusters, names, routing) accepted only by people?"),
        _("Suggestions accepted by people"),
        (
            Option(
                "yes",
                _("Yes, a person looked at each one"),
                _("Good. That is what lets you answer for the result."),
            ),
            Option(
                "no",
                _("Some were accepted without a close look"),
                _(
                    "Go through the accepted suggestions again before the summary goes out: a "
                    "wrong grouping changes what the decision-makers read."
                ),
            ),
        ),
    ),
    Question(
        "hear_back",
        _("Will participants hear back what became of their ideas?"),
        _("Participants will hear back"),
        (
            Option(
                "yes",
                _("Yes, statuses will be kept up to date"),
                _(
                    "Good. Give each value proposition a status soon after the decision: "
                    "participants follow them on their receipts."
                ),
            ),
            Option(
                "not_yet",
                _("Not planned yet"),
                _(
                    "Agree now who gives the statuses and when. Hearing nothing back is the main "
                    "reason people stop taking part."
                ),
            ),
            Option(
                "no",
                _("No"),
                _(
                    "Tell participants at least once what was decided and why. Without it, the "
                    "next invitation will reach fewer people."
                ),
            ),
        ),
    ),
)

BY_KEY: dict[str, Question] = {question.key: question for question in QUESTIONS}
