"""Every agent page passes axe-core with no serious or critical violations."""

import re
from pathlib import Path

import pytest

from tests.browser.test_demo_in_browser import log_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGES = (
    "/",
    "/?view=waiting",
    "/?view=team&channel=email",
    "/customers/",
    "/search?q=order",
    "/reports/promises",
    "/saved-replies/",
    "/api-tokens/",
    "/service/",
    "/service/attainment",
    "/service/routing",
    "/incidents/",
    "/incidents/new",
    "/loyalty/radar/",
    "/loyalty/thanks/",
    "/loyalty/advocates/",
    "/loyalty/kudos/",
)


@pytest.fixture
def page(browser):
    # The pages forbid inline and injected scripts (CSP); only this test context may add axe.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_login_page(page, demo_server):
    page.goto(demo_server["url"] + "/login/")
    assert serious_violations(page) == []


def test_portal_sign_in_page(page, demo_server):
    page.goto(demo_server["url"] + "/portal/")
    assert serious_violations(page) == []


def test_agent_pages(page, demo_server):
    log_in(page, demo_server, "supervisor")
    found = []
    for path in PAGES:
        page.goto(demo_server["url"] + path)
        found += serious_violations(page)
    page.goto(demo_server["url"] + "/?view=waiting")
    page.locator("table.conversations tbody a").first.click()
    page.wait_for_url(re.compile(r"/conversations/\d+/$"))
    found += serious_violations(page)
    page.locator("aside.customer-card a").first.click()
    found += serious_violations(page)
    page.goto(demo_server["url"] + "/incidents/")
    page.locator("main table a, main li a").first.click()
    found += serious_violations(page)
    assert found == [], "\n".join(found)


def test_the_check_itself_catches_a_serious_problem(page, demo_server):
    page.goto(demo_server["url"] + "/login/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    assert any("image-alt" in v for v in serious_violations(page))
