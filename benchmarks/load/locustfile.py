"""Respondents completing the journey, at once or arriving (run by run.py; docs/benchmarks.md).

Each simulated respondent opens the public phase's start page, begins, answers every page the
server shows (whatever the questions are), checks their answers, submits, and records the
reference from the confirmation page. It then idles, never starting a second journey: a user
that stopped would be replaced by locust while it is still spawning (it keeps the number of
running users at the target), so with arrivals (run.py's spawn rate) there would be more
arrivals than respondents. The run ends when all LOAD_USERS have finished.
"""

from __future__ import annotations

import json
import os
import re
import time
from html.parser import HTMLParser

import gevent
from locust import HttpUser, events, task

START_PATH = os.environ["LOAD_START_PATH"]
RESULTS = os.environ["LOAD_RESULTS"]
USERS = int(os.environ.get("LOAD_USERS", "200"))
REFERENCE = re.compile(r"\b[A-HJ-NP-TV-Z2-9]{4}-[A-HJ-NP-TV-Z2-9]{4}\b")
ANSWER = (
    "Officers and partners need one shared picture of who is at risk. Café £5 – ‘quotes’. "
    "Neighbourhood teams are pulled to response shifts; ring-fence them and publish the data. "
)
state = {"started": None, "finished": 0, "references": [], "failed_journeys": 0, "last": None,
         "latencies_ms": [], "request_errors": 0, "completed_at": [], "journeys_s": []}


@events.request.add_listener
def record(response_time, exception, **_):
    # One entry per page step: a POST and the page it redirects to, as a person waits for it.
    state["latencies_ms"].append(response_time)
    state["request_errors"] += exception is not None


class MainForm(HTMLParser):
    """The first POST form inside <main>: its action, fields to send, and first radio/box."""

    def __init__(self):
        super().__init__()
        self.in_main = False
        self.action = None
        self.fields: dict[str, str] = {}
        self.choices: dict[str, str] = {}
        self.textareas: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main and self.action is None and a.get("method") == "post":
            self.action, self._in_form = a.get("action"), True
        elif self._in_form and tag == "input":
            kind, name = a.get("type", "text"), a.get("name")
            if not name or name == "website":
                return
            if kind in {"radio", "checkbox"}:
                self.choices.setdefault(name, a.get("value", ""))
            elif kind == "hidden" or a.get("value"):
                self.fields[name] = a.get("value", "")
            elif kind in {"text", "email"}:
                self.fields[name] = "Load Test Org" if name == "organisation" else ""
        elif self._in_form and tag == "textarea" and a.get("name"):
            self.textareas.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False


class Respondent(HttpUser):
    done = False

    @task
    def respond(self):
        if self.done:  # one journey each: see the module's docstring
            gevent.sleep(60)
            return
        begun = time.monotonic()
        state["started"] = state["started"] or begun
        page = self.client.get(START_PATH, name="start page")
        for step in range(20):
            if "/done/" in page.url:
                match = REFERENCE.search(page.text)
                if match:
                    state["references"].append(match.group(0))
                    now = time.monotonic()
                    state["completed_at"].append(now - state["started"])
                    state["journeys_s"].append(now - begun)
                break
            form = MainForm()
            form.feed(page.text)
            if page.status_code >= 400 or not form.action:
                state["failed_journeys"] += 1
                break
            data = {**form.fields, **form.choices, "website": ""}
            data.update({name: ANSWER for name in form.textareas})
            name = re.sub(r"/r/[^/]+/", "/r/<token>/", form.action)
            page = self.client.post(form.action, data=data, name=re.sub(r"/\d+/", "/<n>/", name))
        else:
            state["failed_journeys"] += 1
        self._finish()

    def _finish(self):
        self.done = True
        state["finished"] += 1
        state["last"] = time.monotonic()
        if state["finished"] >= USERS:
            # From another greenlet: quitting waits for every user's greenlet, this one too.
            gevent.spawn(self.environment.runner.quit)


@events.quitting.add_listener
def save_results(environment, **_):
    elapsed = (state["last"] or time.monotonic()) - (state["started"] or time.monotonic())
    with open(RESULTS, "w") as out:
        json.dump({"elapsed_s": elapsed, "finished": state["finished"],
                   "failed_journeys": state["failed_journeys"],
                   "latencies_ms": state["latencies_ms"],
                   "request_errors": state["request_errors"],
                   "references": state["references"],
                   "completed_at": state["completed_at"], "journeys_s": state["journeys_s"]}, out)
