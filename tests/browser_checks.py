"""Checks every browser test may run on a page (issue 16): no sideways scrolling, and the
accessibility violations axe-core finds.

axe-core comes from npm (package.json devDependencies, installed by ``make assets``) and
is injected from ``node_modules`` into the page (open it with ``new_tab(...,
bypass_csp=True)``: the injected script is inline); it is never fetched from the internet.
A missing axe file is a failure, not a skip: a check that silently does not run would
let the pages it guards regress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# Sideways scrolling of at most this many pixels is rounding, not a layout defect.
SLACK_PX = 1

_WIDTHS = """() => ({doc: document.documentElement.scrollWidth,
  body: document.body ? document.body.scrollWidth : 0, view: window.innerWidth,
  wide: Array.from(document.querySelectorAll('body *')).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > window.innerWidth + 1;
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.')
     : ''))})"""

_RUN_AXE = """async (impacts) => {
  const result = await window.axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


def assert_no_horizontal_scroll(page: Any) -> None:
    """The page is no wider than its viewport (a phone at 390 px scrolls only down)."""
    widths = page.evaluate(_WIDTHS)
    widest = max(widths["doc"], widths["body"])
    assert widest <= widths["view"] + SLACK_PX, (
        f"{page.url}: {widest} px wide in a {widths['view']} px viewport; "
        f"sticking out: {widths['wide']}")


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical"),
                   ) -> list[dict[str, Any]]:
    """The axe-core violations of the page with one of ``impacts``: id, impact, help text
    and up to five CSS targets each. Raises when axe-core is not installed."""
    if not AXE.is_file():
        raise AssertionError(f"axe-core is missing ({AXE}): run `make assets` (npm install)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    # Playwright inlines the file: the site's CSP (scripts from its own files only)
    # refuses it unless the context was opened with ``bypass_csp=True``.
    assert page.evaluate("() => typeof window.axe === 'object'"), (
        "axe-core did not load: open the page in a context with bypass_csp=True")
    return list(page.evaluate(_RUN_AXE, list(impacts)))


def layout_problems(page: Any, name: str) -> list[str]:
    """Every problem of the page as a line naming it: sideways scrolling and the serious or
    critical axe-core violations. A walk of many pages collects them and fails once."""
    found = []
    try:
        assert_no_horizontal_scroll(page)
    except AssertionError as exc:
        found.append(f"{name}: {exc}")
    for v in axe_violations(page):
        found.append(f"{name}: axe {v['impact']} {v['id']} ({v['help']}) at {v['targets']}")
    return found
