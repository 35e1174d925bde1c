"""A workshop's voting rules, and the marks its participants put on ideas or clusters."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideas.models import Cluster, Idea
from workshops.models import Participant, Workshop


class Ballot(models.Model):
    """How one workshop votes; made with the defaults the first time anyone needs it."""

    class Method(models.TextChoices):
        DOTS = "dots", _("Dot voting")
        APPROVAL = "approval", _("Approval (one mark per item)")
        RANKING = "ranking", _("Ranking (order your top choices)")

    class Target(models.TextChoices):
        IDEAS = "idea", _("Ideas")
        CLUSTERS = "cluster", _("Clusters")

    workshop = models.OneToOneField(Workshop, on_delete=models.CASCADE, related_name="ballot")
    method = models.CharField(
        _("voting method"), max_length=16, choices=Method.choices, default=Method.DOTS
    )
    target = models.CharField(
        _("vote on"), max_length=16, choices=Target.choices, default=Target.IDEAS
    )
    dots_per_participant = models.PositiveSmallIntegerField(_("dots per participant"), default=5)
    max_dots_per_item = models.PositiveSmallIntegerField(_("most dots on one item"), default=3)
    rank_count = models.PositiveSmallIntegerField(_("how many to rank"), default=3)
    # Live tallies let the room watch the vote; by default they stay hidden until revealed.
    show_live = models.BooleanField(_("show tallies live"), default=False)
    revealed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return f"{self.get_method_display()} · {self.workshop}"

    @property
    def tallies_public(self) -> bool:
        """Whether everyone in the room, not only facilitators, may see the tallies."""
        return self.show_live or self.revealed_at is not None

    def budget(self) -> int | None:
        """The most weight one participant may place, or None when unbounded (approval)."""
        if self.method == self.Method.DOTS:
            return self.dots_per_participant
        if self.method == self.Method.RANKING:
            return self.rank_count
        return None


class Voter(models.Model):
    """One participant's ballot paper: its revision lets every tab drop a stale update."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="voter")
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")

    def __str__(self) -> str:
        return str(self.participant)


class Vote(models.Model):
    """A participant's mark on one idea or one cluster; `weight` is what it adds to the tally."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    # Dots for dot voting, 1 for approval, points (top choice most) for ranking.
    weight = models.PositiveSmallIntegerField()
    # 1 for the top choice when ranking; empty otherwise.
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(idea__isnull=False, cluster__isnull=True)
                    | models.Q(idea__isnull=True, cluster__isnull=False)
                ),
                name="vote_on_exactly_one_target",
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="vote_weight_positive"),
            models.UniqueConstraint(
                fields=["participant", "idea"],
                condition=models.Q(idea__isnull=False),
                name="vote_once_per_idea",
            ),
            models.UniqueConstraint(
                fields=["participant", "cluster"],
                condition=models.Q(cluster__isnull=False),
                name="vote_once_per_cluster",
            ),
        ]
        indexes = [models.Index(fields=["ballot", "participant"])]

    def __str__(self) -> str:
        return f"{self.participant} → {self.idea_id or self.cluster_id} ({self.weight})"

    @property
    def target_type(self) -> str:
        return Ballot.Target.IDEAS if self.idea_id is not None else Ballot.Target.CLUSTERS

    @property
    def target_id(self) -> int:
        return self.idea_id if self.idea_id is not None else self.cluster_id  # type: ignore[return-value]
