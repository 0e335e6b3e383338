"""Uses a running service the way a person and a web page do, in headless Chromium.

Usage: browser_check.py BASE_URL SCREENSHOT_DIR

- In Swagger UI (/docs/), "Try it out" on GET /v1/wages/{country} with `mx` answers 200 with
  Mexico's series.
- The home page (/) shows its three charts, each a rendered SVG image.
- A page served from another origin (another port) reads an answer with fetch(), including a
  header that needs a CORS preflight, and can read the ETag.

Screenshots of each step go to SCREENSHOT_DIR. Run by .ci/browser-check.
"""

import http.server
import os
import sys
import threading

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Without these Chromium reaches for Google's hosts at start, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CROSS_ORIGIN_PAGE = """<!doctype html><title>other origin</title><pre id="result">pending</pre>
<script>
fetch(%(url)r, {headers: {"If-None-Match": "\\"stale\\"", "Accept": "application/json"}})
  .then(async (r) => {
    const body = await r.json();
    document.getElementById("result").textContent =
      JSON.stringify({status: r.status, etag: r.headers.get("ETag"), series: body.data.length});
  })
  .catch((e) => { document.getElementById("result").textContent = "failed: " + e; });
</script>"""


def try_it_out(page, base, shots):
    page.goto(f"{base}/docs/")
    operation = page.locator("#operations-wages-list_wage_series")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    country = operation.locator("tr[data-param-name='country'] input")
    country.fill("mx")
    operation.get_by_role("button", name="Execute").click()
    response = operation.locator(".live-responses-table .response")
    response.first.wait_for(timeout=30_000)
    status = response.first.locator(".response-col_status").inner_text().strip()
    body = operation.locator(".live-responses-table .microlight").first.inner_text()
    page.screenshot(path=f"{shots}/docs-try-it-out.png", full_page=True)
    assert status == "200", f"Swagger UI got {status}"
    assert "mx.minimum_wage.general" in body, body[:300]
    print("Swagger UI: GET /v1/wages/{country} with mx answered 200 with Mexico's series")


def home_charts(page, base, shots):
    page.goto(f"{base}/")
    page.wait_for_load_state("networkidle")
    images = page.evaluate(
        """() => Array.from(document.images).map((i) => ({
            src: i.getAttribute("src"), done: i.complete, width: i.naturalWidth }))"""
    )
    page.screenshot(path=f"{shots}/home.png", full_page=True)
    assert len(images) == 3, images
    for image in images:
        assert image["done"] and image["width"] > 0, f"chart not rendered: {image}"
    print(f"Home page: {len(images)} charts rendered")


def cross_origin(page, base, shots):
    url = f"{base}/v1/wages/mx"
    page_html = (CROSS_ORIGIN_PAGE % {"url": url}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page_html)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        result = page.locator("#result")
        page.wait_for_function(
            "document.getElementById('result').textContent !== 'pending'", timeout=30_000
        )
        text = result.inner_text()
        page.screenshot(path=f"{shots}/cross-origin.png")
    finally:
        server.shutdown()
    assert text.startswith("{"), f"cross-origin fetch: {text}"
    assert '"status":200' in text and '"etag":"' in text, text
    print(f"Cross-origin fetch from port {server.server_port}: {text}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
    os.makedirs(shots, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # A fresh context per step: nothing cached from one step serves another.
            for step in (try_it_out, home_charts, cross_origin):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                try:
                    step(context.new_page(), base, shots)
                finally:
                    context.close()
        finally:
            browser.close()
    print(f"Screenshots in {shots}")


if __name__ == "__main__":
    main()
