"""What every page must pass, in one place: axe-core, 360 px without sideways scrolling,
every control reachable by Tab with a visible focus ring, and the page's language.

Every browser test checks pages with these helpers, so a rule tightened here is
tightened everywhere.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

PHONE_WIDTH = 360

# The controls a keyboard user must be able to reach: visible, enabled, not taken out of
# the tab order on purpose. Radios of one group count as one stop (arrows move within it).
MARK_CONTROLS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [tabindex]:not([tabindex="-1"]), [contenteditable=""], [contenteditable="true"]';
  const controls = [...document.querySelectorAll(selector)].filter((e) =>
    !e.disabled && e.tabIndex >= 0 && !e.closest('[inert]')
    && !(e.tagName === 'SUMMARY' && e.parentElement.tagName !== 'DETAILS')
    && e.checkVisibility({visibilityProperty: true}) && e.getClientRects().length > 0);
  const stop = (e) => e.type === 'radio' && e.name
    ? `radio ${e.form ? [...document.forms].indexOf(e.form) : ''} ${e.name}` : controls.indexOf(e);
  window.__controls = controls;
  window.__stop = stop;
  window.__reached = new Set();
  window.__last = null;
  return controls.length;
}"""

# After one Tab: what has the focus, and does it show a focus indicator of its own?
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  // A date field's day, month and year are Tab stops of their own within one element.
  if (e === window.__last) return {same: true};
  window.__last = e;
  const index = window.__controls.indexOf(e);
  const style = getComputedStyle(e);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  const box = e.getBoundingClientRect();
  const seen = window.__reached.has(e);
  window.__reached.add(e);
  const text = (e.getAttribute('aria-label') || e.innerText || e.value || e.name || '').trim();
  return {
    seen, ring, index, stop: index >= 0 ? String(window.__stop(e)) : null,
    shown: box.width > 0 && box.height > 0,
    name: `<${e.tagName.toLowerCase()}> ${text.slice(0, 50)}`,
  };
}"""

UNREACHED = """(stops) => {
  const reached = new Set(stops);
  const missed = [];
  for (const e of window.__controls) {
    if (reached.has(String(window.__stop(e)))) continue;
    const text = (e.getAttribute('aria-label') || e.innerText || e.value || e.name || '').trim();
    missed.push(`<${e.tagName.toLowerCase()}> ${text.slice(0, 50)}`);
  }
  return missed;
}"""


def axe_violations(page: Page) -> list[str]:
    """Every axe-core violation on the page, whatever its impact, one readable line per node."""
    from axe_playwright_python.sync_playwright import Axe

    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{' '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
        for violation in violations
        for node in violation["nodes"]
    ]


def sideways_scroll(page: Page) -> str | None:
    """Why the page scrolls sideways at its current width, or None when it does not."""
    width, viewport = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width > viewport:
        return f"scrolls sideways: {width} px wide in a {viewport} px window"
    return None


def keyboard_problems(page: Page) -> list[str]:
    """Tab through the page from the top: every control reached, each showing where focus is."""
    count = page.evaluate(MARK_CONTROLS)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    problems: list[str] = []
    stops: list[str] = []
    for _ in range(3 * count + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused.get("same"):
            continue
        if focused["seen"]:
            break
        if focused["stop"] is not None:
            stops.append(focused["stop"])
        if not focused["shown"]:
            problems.append(f"focus goes to something not shown: {focused['name']}")
        elif not focused["ring"]:
            problems.append(f"no visible focus indicator: {focused['name']}")
    problems += [f"not reachable by Tab: {name}" for name in page.evaluate(UNREACHED, stops)]
    return problems


def page_problems(page: Page) -> list[str]:
    """Everything the product promises of a page, as it stands now at this window's width."""
    problems = axe_violations(page)
    lang = page.evaluate("document.documentElement.lang")
    if not lang:
        problems.append("the page has no lang")
    if page.viewport_size and page.viewport_size["width"] <= PHONE_WIDTH:
        scroll = sideways_scroll(page)
        if scroll:
            problems.append(scroll)
    return problems + keyboard_problems(page)


def assert_fits_and_passes_axe(page: Page, name: str) -> None:
    """No sideways scrolling at the window's width and no axe-core violation of any impact."""
    from tests.browser.test_live_room import shoot

    shoot(page, name)
    scroll = sideways_scroll(page)
    assert scroll is None, f"{name} {scroll}"
    problems = axe_violations(page)
    assert not problems, f"{name}:\n" + "\n".join(problems)
