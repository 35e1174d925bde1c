"""Draw the PNG icons and /favicon.ico from static/icons/samskab.svg: `python scripts/icons.py`.

Headless Chromium (Debian's, as in the tests) draws the SVG at each size; Pillow packs
the small ones into the .ico that browsers and feed readers ask the site's root for.
Run it after changing the SVG and commit what it writes.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "static" / "icons" / "samskab.svg"
# For home screens: iOS asks for 180 (apple-touch-icon); the web app manifest names 192
# and 512, the sizes Android and desktop browsers install a web app with.
PNG_SIZES = (180, 192, 512)
ICO_SIZES = (16, 32, 48)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


def main() -> None:
    svg = SVG.read_text()
    drawn: dict[int, bytes] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for size in sorted({*PNG_SIZES, *ICO_SIZES}):
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(
                "<html><body style='margin:0;background:transparent'>"
                f"<div style='width:{size}px;height:{size}px'>{svg}</div></body></html>"
            )
            page.locator("svg").evaluate("svg => { svg.style.width = svg.style.height = '100%'; }")
            drawn[size] = page.locator("div").screenshot(omit_background=True)
            page.close()
        browser.close()
    for size in PNG_SIZES:
        (SVG.parent / f"samskab-{size}.png").write_bytes(drawn[size])
    images = [Image.open(io.BytesIO(drawn[size])).convert("RGBA") for size in ICO_SIZES]
    images[-1].save(
        ROOT / "public" / "favicon.ico",
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=images[:-1],
    )


if __name__ == "__main__":
    main()
