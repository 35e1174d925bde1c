"""The support chart, drawn on the server as SVG: the same on screen, in print and in the PDF.

Colours and type are SVG presentation attributes, not a <style> element or style
attributes: the Content Security Policy (style-src 'self') blocks inline styles, which
left the bars and the legend black on the page, while presentation attributes are part
of the drawing itself and every browser and WeasyPrint honour them.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from .summary import Summary

WIDTH = 640
ROW = 30
LABEL_WIDTH = 250
BAR_SPACE = WIDTH - LABEL_WIDTH - 70
MAX_BARS = 12
LABEL_CHARS = 38
# Value propositions dark, the items not carried forward light; each bar carries its
# figure as text and the legend names both, so colour is never the only cue.
CARRIED = "#1d4f91"
OTHER = "#9fb3cc"
INK = "#1a1a1a"
FONT = "DejaVu Sans, Arial, sans-serif"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def support_chart_svg(summary: Summary) -> str:
    """Bars of votes: value propositions dark and first, then the best items not carried forward."""
    rows: list[tuple[str, int, bool]] = [
        (f"{p.rank}. {p.title}", p.votes, True) for p in summary.propositions
    ]
    others = sorted(
        [*summary.clusters_not_carried, *summary.ideas_not_carried],
        key=lambda item: (-item.votes, item.id),
    )
    rows += [(item.label, item.votes, False) for item in others if item.votes > 0]
    rows = rows[:MAX_BARS]
    title = _("Support: votes for each value proposition and the items not carried forward")
    height = ROW * max(len(rows), 1) + 50
    most = max((votes for _label, votes, _carried in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="support-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="support-chart-title" font-family="{FONT}" font-size="13" '
        f'fill="{INK}">',
        f'<title id="support-chart-title">{escape(title)}</title>',
    ]
    if not rows:
        parts.append(f'<text x="0" y="24">{escape(_("No votes yet."))}</text>')
    for index, (label, votes, carried) in enumerate(rows):
        y = 10 + index * ROW
        length = round(BAR_SPACE * votes / most)
        css, colour = ("carried", CARRIED) if carried else ("other", OTHER)
        parts.append(f'<text x="0" y="{y + 16}">{escape(_short(label))}</text>')
        parts.append(
            f'<rect class="{css}" fill="{colour}" x="{LABEL_WIDTH}" y="{y + 2}" '
            f'width="{max(length, 1)}" height="{ROW - 10}"/>'
        )
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}">{votes}</text>')
    legend_y = 10 + len(rows) * ROW + 22
    parts.append(
        f'<rect class="carried" fill="{CARRIED}" x="0" y="{legend_y - 11}" '
        'width="12" height="12"/>'
        f'<text x="18" y="{legend_y}">{escape(_("value proposition"))}</text>'
        f'<rect class="other" fill="{OTHER}" x="220" y="{legend_y - 11}" '
        'width="12" height="12"/>'
        f'<text x="238" y="{legend_y}">{escape(_("not carried forward"))}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
