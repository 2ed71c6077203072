"""Review pages in a real headless Chromium, checked through the DOM.

The browser is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
JSON messages ending in NUL on file descriptors 3 and 4), so nothing beyond the
standard library and Debian's `chromium` is needed, and no port is opened.
`.ci/run` installs chromium when it is missing; outside CI a missing browser
skips these tests.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ecoplan.documents import Loaded, load
from ecoplan.review import KINDS

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing: .ci/run should have installed it")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

# A guard against a hung browser, not a performance check.
_PROTOCOL_TIMEOUT = 60.0
_VIEWPORT = {"width": 1280, "height": 800}
_PREFIX_KIND = {prefix: kind for kind, _key, prefix, _label in KINDS}
_KEY_OF_KIND = {kind: key for kind, key, _prefix, _label in KINDS}


def _above_4(fd: int) -> int:
    """The same pipe end as a close-on-exec descriptor numbered 10 or more."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """One headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="ecoplan-chromium-")
        # The child's ends are moved above 4 first: dup2 onto fds 3 and 4 must never clobber one of them,
        # and dup2 of an fd onto itself would leave it close-on-exec.
        to_browser_r, self._to_browser = (_above_4(fd) for fd in os.pipe())
        self._from_browser, from_browser_w = (_above_4(fd) for fd in os.pipe())

        def give_pipe_fds() -> None:  # in the child: Chromium reads commands on fd 3, answers on fd 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=give_pipe_fds, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=self.session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {**_VIEWPORT, "deviceScaleFactor": 1, "mobile": False}, session=self.session)

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + _PROTOCOL_TIMEOUT
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise ConnectionError("chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, event: str) -> dict[str, Any]:
        while True:
            for n, message in enumerate(self.events):
                if message.get("method") == event:
                    return self.events.pop(n)
            self.events.append(self._receive())

    def open(self, path: Path) -> None:
        self.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session=self.session)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                           session=self.session)
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (pressed, released) in the middle of the element."""
        box = self.evaluate(f"""(() => {{
            const el = document.querySelector({json.dumps(selector)});
            el.scrollIntoView({{block: "center"}});
            const r = el.getBoundingClientRect();
            return {{x: r.left + Math.min(r.width / 2, 20), y: r.top + r.height / 2}};
        }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "button": "left", "clickCount": 1, **box},
                      session=self.session)

    def console_errors(self) -> list[str]:
        """Errors the page reported: console.error, uncaught exceptions, log entries (CSP violations too)."""
        self.evaluate("0")  # flush events queued before this point
        errors = []
        for message in self.events:
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                errors.append(params["entry"].get("text", ""))
        return errors

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError, ConnectionError):
            pass
        try:
            self.process.wait(timeout=_PROTOCOL_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Browser:
    assert CHROMIUM is not None
    chromium = Browser(CHROMIUM)
    yield chromium
    chromium.close()


# Per item id: the text of all its highlight segments, in document order.
_HIGHLIGHT_TEXTS = """(() => {
    const texts = {};
    for (const el of document.querySelectorAll(".plan-text .hl")) {
        for (const id of el.dataset.ids.split(" ")) texts[id] = (texts[id] || "") + el.textContent;
    }
    return texts;
})()"""

_VISIBLE_IN_TEXT = """(id => {
    const el = document.querySelector('.plan-text .hl[data-ids~="' + id + '"]');
    const pane = document.getElementById("text").getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.top >= pane.top && r.bottom <= pane.bottom && r.height > 0;
})"""


def _loaded(path: Path) -> Loaded:
    (doc,) = list(load(str(path)))
    assert isinstance(doc, Loaded), doc
    assert doc.text is not None
    return doc


def _review(cli, inputs: list[Path], out: Path) -> None:
    result = cli("review", *inputs, "-o", out)
    assert result.exit_code == 0, result.stderr


def _check_page(browser: Browser, page: Path, doc: Loaded) -> None:
    browser.open(page)
    text = doc.text
    assert text is not None
    assert browser.evaluate("document.querySelector('.plan-text').textContent") == text

    highlighted = browser.evaluate(_HIGHLIGHT_TEXTS)
    data = doc.plan.model_dump(mode="json")
    for _kind, key, prefix, _label in KINDS:
        for n, item in enumerate(data[key]):
            start, end = item["span"]
            assert highlighted.get(f"{prefix}{n}") == text[start:end], f"{page.name}: {key}[{n}]"
    per_kind = Counter(_PREFIX_KIND[item_id.rstrip("0123456789")] for item_id in highlighted)
    assert per_kind == Counter({kind: len(data[key]) for kind, key in _KEY_OF_KIND.items() if data[key]})
    assert browser.evaluate("document.querySelectorAll('#unplaced li').length") == 0

    # The table row of the item furthest down: clicking it brings its highlight into sight.
    rows = [(item["span"][0], f"{prefix}{n}") for kind, key, prefix, _ in KINDS if kind in ("target", "task")
            for n, item in enumerate(data[key])]
    if rows:
        _, last = max(rows)
        # Scroll the text so that the highlight is out of sight (a short text may not allow it).
        browser.evaluate("document.getElementById('text').scrollTop = 0")
        if browser.evaluate(f"{_VISIBLE_IN_TEXT}({json.dumps(last)})"):
            browser.evaluate("document.getElementById('text').scrollTop = 1e9")
        assert not browser.evaluate(f"{_VISIBLE_IN_TEXT}({json.dumps(last)})") or len(text) < 1000
        browser.click(f'tr[data-item="{last}"]')
        assert browser.evaluate(f"{_VISIBLE_IN_TEXT}({json.dumps(last)})"), f"{page.name}: {last} not scrolled to"
        assert browser.evaluate(
            f"""document.querySelector('.plan-text .hl[data-ids~="{last}"]').classList.contains('focus')""")
        details = browser.evaluate("document.getElementById('details-body').textContent")
        assert str(data[_KEY_OF_KIND["target" if last.startswith("tg") else "task"]][int(last[2:])]["line"]) in details

    assert browser.console_errors() == []


def test_seed_pages_show_every_item_in_its_text(cli, browser: Browser, seed_paths: list[Path],
                                                tmp_path: Path) -> None:
    _review(cli, seed_paths, tmp_path)
    for path in seed_paths:
        _check_page(browser, tmp_path / f"{path.stem}.html", _loaded(path))
    browser.open(tmp_path / "index.html")
    assert browser.evaluate("document.querySelectorAll('tbody tr a').length") == len(seed_paths)
    assert browser.console_errors() == []


def test_hostile_text_stays_text_and_nested_items_all_show(cli, browser: Browser,
                                                          synthetic_output: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    output, _source = synthetic_output
    out = tmp_path / "review"
    _review(cli, [output], out)
    _check_page(browser, out / "plan.html", _loaded(output))
    # Markup in the plan's text and names is shown, never run or parsed.
    injected = "document.querySelectorAll('.plan-text script, .plan-text b, script:not([id])').length"
    assert browser.evaluate(injected) == 1  # only the page's own script
    assert "<script>alert(1)</script>" in browser.evaluate("document.querySelector('.plan-text').textContent")
    assert browser.evaluate("document.title").startswith("某市")
    # The task's segment that also holds a deadline carries both ids; clicking it details both.
    ids = browser.evaluate("""document.querySelector('.hl[data-ids~="dl1"]').dataset.ids""").split()
    assert {"dl1", "tk0"} <= set(ids)
    browser.click('.hl[data-ids~="dl1"]')
    details = browser.evaluate("document.getElementById('details-body').textContent")
    assert "2030-06-30" in details and "市工业和信息化局" in details
    # The department filter keeps the task naming it and the target standing in that task.
    shown = browser.evaluate("""(() => {
        const select = document.getElementById("dept-filter");
        select.value = "市工业和信息化局";
        select.dispatchEvent(new Event("change"));
        return Array.from(document.querySelectorAll("tr[data-item]")).filter(r => !r.hidden).map(r => r.dataset.item);
    })()""")
    assert shown == ["tg1", "tk0"]
    # Unticking a kind in the legend takes its colour off the text and hides its table.
    hidden = browser.evaluate("""(() => {
        const box = document.querySelector('.legend input[data-kind="task"]');
        box.click();
        const segment = document.querySelector('.hl[data-ids~="tk0"]:not([data-ids~="tg1"]):not([data-ids~="dl1"])');
        return [segment.dataset.fill, document.querySelector('.side-table[data-kind="task"]').hidden];
    })()""")
    assert hidden == ["", True]
    assert browser.console_errors() == []


DEV_DOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "dev" / "docs"


@pytest.mark.skipif(not DEV_DOCS.is_dir(), reason="no ../shared/dev/docs beside the repository")
def test_dev_plan_pages_show_every_item_in_its_text(cli, browser: Browser, tmp_path: Path) -> None:
    """The same checks on the development plans, whose layouts (tables, page breaks) vary more."""
    paths = sorted(DEV_DOCS.glob("*.txt"))
    _review(cli, paths, tmp_path)
    for path in paths:
        _check_page(browser, tmp_path / f"{path.stem}.html", _loaded(path))
