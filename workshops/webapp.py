"""The web app manifest: what a phone needs to keep the site on its home screen.

Browsers offer "Add to Home Screen" (or "Install") from it, and Safari on an iPhone or
iPad gives Web Push only to a site kept on the home screen that has one. It is the same
for everyone who reads a language, so the pages link it with theirs (`?lang=`).
"""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _

# The product's name, which no language translates (as on every page's header).
NAME = "Samskab"
# --accent and --wash of static/components/samskab.css: the header bar of the installed
# app and the screen it opens on take the site's own colours.
THEME_COLOUR = "#0b5cad"
BACKGROUND_COLOUR = "#f3f5f7"
# Drawn by scripts/icons.py from static/icons/samskab.svg.
PNG_ICON_SIZES = (192, 512)


def manifest_of_language() -> dict[str, Any]:
    """The manifest in the active language."""
    icons = [
        {
            "src": static(f"icons/samskab-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in PNG_ICON_SIZES
    ]
    icons.append(
        {
            "src": static("icons/samskab.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
            "purpose": "any",
        }
    )
    return {
        "id": "/",
        "name": NAME,
        "short_name": NAME,
        "description": _(
            "Take part in your municipality's policy work: join a workshop with its code "
            "and follow what became of your ideas."
        ),
        "lang": translation.get_language(),
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
