"""A response completed with the keyboard alone: Tab to move, Space and Enter to choose and to
press buttons, and typing for the words. No clicks, no fill(), no focus() calls.

Each Tab must land somewhere the person can see: the focused element's look must change from
how it looked unfocused, with a visible outline or a box shadow (for radios and checkboxes,
which GOV.UK Frontend hides, the ring is drawn around the box beside the label).
"""

from __future__ import annotations

import pytest
from browsing import make_phase

from consulta.web.consultations.models import Consultation, Phase, Question
from consulta.web.responses.models import Response

SLUG = "keyboard-survey"
ANSWER = "Street lighting on the canal path.\nAnd a bus after midnight: Café £5 — ‘fine’."
NAME = "Ana Lúcia Ferreira"
MAX_TABS = 40  # more Tab presses than any page here needs to reach what it is looking for

# The look of an element, or for GOV.UK's hidden radio and checkbox inputs, of the box drawn
# before their label: what a sighted keyboard user sees of focus.
LOOK = """
el => {
  const box = el.matches('.govuk-radios__input, .govuk-checkboxes__input');
  const style = getComputedStyle(box ? el.labels[0] : el, box ? '::before' : null);
  return {
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    visibleOutline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      && !/rgba\\(.*, 0\\)$|transparent/.test(style.outlineColor),
    boxShadow: style.boxShadow,
    background: style.backgroundColor,
    border: style.borderColor + ' ' + style.borderWidth,
    color: style.color,
  };
}
"""
REMEMBER_UNFOCUSED = f"""
() => {{
  const look = {LOOK};
  window.unfocusedLook = new WeakMap();
  for (const el of document.querySelectorAll('a[href], button, input, textarea, select')) {{
    window.unfocusedLook.set(el, look(el));
  }}
}}
"""
FOCUSED = f"""
() => {{
  const el = document.activeElement;
  const look = {LOOK};
  const before = window.unfocusedLook && window.unfocusedLook.get(el);
  return {{
    tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id,
    text: (el.innerText || el.value || '').trim().slice(0, 40),
    checked: !!el.checked, now: look(el), before: before || null,
  }};
}}
"""


class Keyboard:
    """Tabs through a page, and records where focus went and whether it showed."""

    def __init__(self, page):
        self.page = page
        self.reached: list[dict] = []

    def arrived(self, url_glob: str) -> None:
        self.page.wait_for_url(url_glob)
        self.page.wait_for_load_state()
        self.page.evaluate(REMEMBER_UNFOCUSED)

    def tab_to(self, description: str, accept) -> dict:
        """Press Tab until the focused element satisfies ``accept``; check each stop shows."""
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate(FOCUSED)
            if focused["tag"] == "body":
                continue
            self.reached.append(focused)
            if accept(focused):
                return focused
        raise AssertionError(f"{description} not reached with {MAX_TABS} Tabs: {self.reached[-5:]}")

    def tab_to_button(self, text: str) -> dict:
        return self.tab_to(f"the {text!r} button",
                           lambda f: f["tag"] == "button" and f["text"] == text)

    def tab_to_field(self, tag: str, field_type: str = "", field_id: str = "") -> dict:
        return self.tab_to(
            f"a {tag} {field_type} {field_id}",
            lambda f: f["tag"] == tag and (not field_type or f["type"] == field_type)
            and (not field_id or f["id"] == field_id),
        )

    def focused(self) -> dict:
        return self.page.evaluate(FOCUSED)


def shows_focus(focused: dict) -> bool:
    """Focus is visible: an outline or a shadow, and the look changed when focus arrived."""
    now, before = focused["now"], focused["before"]
    marked = now["visibleOutline"] or now["boxShadow"] != "none"
    return marked and before is not None and now != before


@pytest.fixture
def keyboard_phase(live_server, transactional_db, respondent_limits) -> Phase:
    consultation = Consultation.objects.create(
        slug=SLUG, title="Getting home safely", summary="How safe is your journey home?",
        run_by="Northshire Independent Review", run_for="Northshire Police",
        status=Consultation.Status.OPEN,
    )
    return make_phase(consultation, 1, "Everyone in Northshire", Phase.Audience.PUBLIC,
                      Phase.Anonymity.IDENTIFIED, [
                          {"title": "What would make your journey home safer?", "required": True,
                           "context": "Think of the last time you travelled late."},
                          {"kind": Question.Kind.SINGLE_CHOICE, "required": True,
                           "title": "How do you usually get home?",
                           "options": ["On foot", "By bus", "By car"]},
                          {"kind": Question.Kind.MULTIPLE_CHOICE,
                           "title": "Which would you use?",
                           "options": ["A safe-walk app", "Help points", "Late buses"]},
                      ])


def test_it_completes_a_response_with_the_keyboard_alone(page, live_server, keyboard_phase):
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/c/{SLUG}/1/")  # the open link, as from an email or poster
    keys.arrived("**/c/keyboard-survey/1/")
    keys.tab_to_button("Start now")
    page.keyboard.press("Enter")

    # Question 1: long text, typed (Enter in a text box is a line break, not a submit).
    keys.arrived("**/q/1/")
    keys.tab_to_field("textarea")
    page.keyboard.type(ANSWER)
    keys.tab_to_button("Save and continue")
    page.keyboard.press("Enter")

    # Question 2: radios. Tab enters the group at its first radio; Space chooses it.
    keys.arrived("**/q/2/")
    keys.tab_to_field("input", "radio")
    page.keyboard.press("Space")
    assert keys.focused()["checked"]
    keys.tab_to_button("Save and continue")
    page.keyboard.press("Space")  # Space presses a button too

    # Question 3: checkboxes, each its own Tab stop: the first and the third.
    keys.arrived("**/q/3/")
    keys.tab_to_field("input", "checkbox")
    page.keyboard.press("Space")
    keys.tab_to_field("input", "checkbox")
    third = keys.tab_to_field("input", "checkbox")
    page.keyboard.press("Space")
    assert keys.focused()["checked"] and third["id"] == "id_answer-3"
    keys.tab_to_button("Save and continue")
    page.keyboard.press("Enter")

    # About you: a name typed; everything else is optional here and Tabbed past.
    keys.arrived("**/about/")
    keys.tab_to_field("input", "text", "id_name")
    page.keyboard.type(NAME)
    keys.tab_to_button("Save and continue")
    page.keyboard.press("Enter")

    # Publishing: the first choice, "Yes, in full".
    keys.arrived("**/consent/")
    keys.tab_to_field("input", "radio")
    page.keyboard.press("Space")
    keys.tab_to_button("Continue")
    page.keyboard.press("Enter")

    keys.arrived("**/check/")
    assert ANSWER in page.locator(".respond-answer-text").first.inner_text()
    keys.tab_to_button("Send response")
    page.keyboard.press("Enter")

    page.wait_for_url("**/done/**")
    assert page.locator("h1").inner_text() == "Response sent"
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()

    response = Response.objects.get(reference=reference)
    assert response.status == Response.Status.SUBMITTED
    assert response.consent == Response.Consent.FULL
    assert response.respondent.name == NAME
    by_key = {a.question.key: a for a in response.answers.select_related("question")}
    assert by_key["q1"].text == ANSWER
    assert by_key["q2"].choices == ["On foot"]
    assert by_key["q3"].choices == ["A safe-walk app", "Late buses"]

    # Focus showed at every stop: buttons, text boxes, radios, checkboxes and links alike.
    hidden = [f for f in keys.reached if not shows_focus(f)]
    assert hidden == [], hidden
    kinds = {(f["tag"], f["type"]) for f in keys.reached}
    assert {("button", "submit"), ("textarea", "textarea"), ("input", "radio"),
            ("input", "checkbox"), ("input", "text"), ("a", "")} <= kinds, kinds
