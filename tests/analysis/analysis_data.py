"""Small deterministic answers for the analysis tests: four obvious topics, varied wording.

Each answer is built from a topic's openings, subjects and endings, combined in a fixed
pattern, so the data never changes between runs and every topic is known.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

TOPICS: dict[str, dict[str, list[str]]] = {
    "staffing": {
        "subjects": [
            "there are not enough officers on shift",
            "staff shortages in the control room",
            "we are short of experienced detectives",
            "vacancies for call handlers stay open for months",
            "too few staff cover the night shift",
            "recruitment of new officers is far too slow",
        ],
        "endings": [
            "so the team is exhausted.",
            "and overtime has become normal.",
            "which means calls wait longer.",
            "and sickness absence keeps rising.",
        ],
    },
    "training": {
        "subjects": [
            "training courses on mental health are rarely offered",
            "new recruits get little training on domestic abuse",
            "refresher training for first aid keeps being cancelled",
            "the training budget was cut again",
            "online training modules are out of date",
            "we need practical training on de-escalation",
        ],
        "endings": [
            "so people feel unprepared.",
            "and skills are slipping.",
            "which worries supervisors.",
            "and learning happens by trial and error.",
        ],
    },
    "technology": {
        "subjects": [
            "the radio system keeps dropping out",
            "laptops in the cars take ages to start",
            "the crime recording software crashes daily",
            "body worn cameras run out of battery",
            "mobile data coverage in rural areas is poor",
            "the new case management system is confusing",
        ],
        "endings": [
            "so reports are written twice.",
            "and evidence is lost.",
            "which wastes hours every week.",
            "and nobody fixes the faults.",
        ],
    },
    "partnership": {
        "subjects": [
            "working with the local council on youth services is going well",
            "joint patrols with housing officers build trust",
            "sharing information with schools helps safeguarding",
            "the partnership with health visitors works smoothly",
            "regular meetings with charities improve referrals",
            "community groups now contact the neighbourhood team directly",
        ],
        "endings": [
            "and residents notice the difference.",
            "so problems are solved earlier.",
            "which we should expand.",
            "and it saves everyone time.",
        ],
    },
}

OPENINGS = ["", "Honestly, ", "In my view ", "From experience, ", "Mainly that "]


def topic_answers(per_topic: int = 24, topics: list[str] | None = None) -> list[tuple[str, str]]:
    """(topic, text) pairs, topics interleaved, each answer a distinct combination."""
    names = topics or list(TOPICS)
    out: list[tuple[str, str]] = []
    for i in range(per_topic):
        for name in names:
            parts = TOPICS[name]
            subject = parts["subjects"][i % len(parts["subjects"])]
            ending = parts["endings"][(i // len(parts["subjects"]) + i) % len(parts["endings"])]
            opening = OPENINGS[(i + len(name)) % len(OPENINGS)]
            text = f"{opening}{subject} {ending}"
            out.append((name, text[0].upper() + text[1:]))
    return out


def texts_and_topics(per_topic: int = 24) -> tuple[list[str], list[str]]:
    pairs = topic_answers(per_topic)
    return [text for _, text in pairs], [topic for topic, _ in pairs]


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def survey_rows(per_topic: int = 24) -> list[dict]:
    """Rows of a consultation export: id, sector, phase, answer (a few empty ones too)."""
    rows = []
    for number, (topic, text) in enumerate(topic_answers(per_topic), start=1):
        rows.append({
            "ref": f"R{number:03d}",
            "sector": ["Police", "Health", "Council"][number % 3],
            "phase": ["internal", "partners"][number % 2],
            "answer": text,
        })
    for index, empty in ((3, "n/a"), (7, "   ")):
        if index < len(rows):
            rows[index]["answer"] = empty
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
