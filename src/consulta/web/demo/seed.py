"""The seed consultation (shared/seed): the RSA's consultation for the Metropolitan Police Service.

Phase 2's four key questions and their context are worded exactly as in the seed.
"""

from __future__ import annotations

SLUG = "future-of-london-policing"

CONSULTATION = {
    "slug": SLUG,
    "title": "The future of policing in London",
    "run_by": "The RSA",
    "run_for": "Metropolitan Police Service",
    "summary": (
        "A two-phase consultation on the challenges the Met faces, where it performs well, and "
        "where there may be opportunities for new ideas: first with the Met's own staff, "
        "officers and senior leaders, then with its partners and stakeholders in the public, "
        "private and voluntary sectors."
    ),
    "brand_colour": "#003b6f",
    "privacy_notice": (
        "The RSA runs this consultation for the Metropolitan Police Service. We use your answers "
        "only to understand what staff, officers and partners think, and to write a public "
        "report of what we heard. Phase 1 is anonymous: we do not ask for your name, and we keep "
        "no record of who answered. In phase 2 we keep your name and organisation with your "
        "answers, and quote them only as you allow on the consent page. Answers are kept until "
        "the report is published and for 12 months after that, then deleted."
    ),
    "background": (
        "The maintenance of a safe city is a partnership endeavour. As the Met prepares for "
        "further budget cuts and confronts new scenarios posed by a changing city in terms of "
        "demography and advances in technology, a strong, cooperative relationship with "
        "partners is paramount to achieving collective impact."
    ),
}

ROLES = ["police staff", "police officer", "senior leader"]

YEARS_OF_SERVICE = ["Less than 2 years", "2 to 5 years", "6 to 15 years", "More than 15 years"]

INTERNAL_PHASE = {
    "name": "Inside the Met: staff, officers and senior leaders",
    "audience": "internal",
    "anonymity": "anonymous",
    "intro": (
        "Staff, officers and senior leaders deal with a changing landscape on a day-to-day "
        "basis. Reflecting on your own experience, tell us about the challenges the Met faces, "
        "where the service is performing well, and where there may be opportunities for new "
        "ideas in the future. This phase is anonymous: we do not ask for your name."
    ),
    "questions": [
        {
            "key": "years_service",
            "title": "How long have you worked for the Met?",
            "context": "",
            "kind": "single_choice",
            "options": YEARS_OF_SERVICE,
            "max_length": 500,
        },
        {
            "key": "challenges",
            "title": "What are the biggest challenges the Met faces?",
            "context": "Reflect on your own day-to-day experience of a changing landscape: "
            "demand, resources, technology and the city itself.",
        },
        {
            "key": "working_well",
            "title": "Where is the Met performing well?",
            "context": "Tell us what works, and why, so that it can be protected and built on.",
        },
        {
            "key": "opportunities",
            "title": "Where are the opportunities for new ideas in the future?",
            "context": "Ideas large or small: ways of working, technology, partnerships, or "
            "things the Met should stop doing.",
        },
    ],
}

PARTNER_PHASE = {
    "name": "Partners and stakeholders: four key questions",
    "audience": "partners",
    "anonymity": "identified",
    "intro": (
        "The maintenance of a safe city is a partnership endeavour. We are inviting the Met's "
        "range of partners and stakeholders in the public, private and voluntary sectors to "
        "answer four key questions. Answer as many as are relevant to you, for yourself or on "
        "behalf of your organisation."
    ),
    "questions": [
        {
            "key": "trust",
            "title": "How can the Met ensure that it has a trusted relationship with all "
            "stakeholders and the general public?",
            "context": "As the threat from extremism, trans-national crime and localised crime "
            "operations is ever present and relative threats are shifting all the time, the "
            "constant enhancement and replenishment of trust is a critical public safety and "
            "crime reduction imperative.",
        },
        {
            "key": "partnership",
            "title": "How can the Met better work with partners and stakeholders to ensure "
            "London’s safety?",
            "context": "The Met faces a series of challenges that transcend a single "
            "organisation – and not just in a policing setting. The NHS (including the "
            "ambulance service), and local authorities have particular overlap. How can we "
            "work together with other public agencies, the private and voluntary sectors to "
            "meet London’s needs?",
        },
        {
            "key": "demand",
            "title": "How is the Met better able to meet and manage demand?",
            "context": "This requires an open discussion about the expectations of what it is "
            "the Met is there to achieve, its priorities, and how it can work with London’s "
            "citizens and a range of stakeholders to achieve its goals in a manageable fashion. "
            "This includes the new threats and opportunities afforded by new technology.",
        },
        {
            "key": "efficiency",
            "title": "What approaches should we take to create an efficient and "
            "fit-for-purpose organisation?",
            "context": "Here we are looking to learn from approaches taken by others over the "
            "last few years to meet financial and operational pressures. What approaches are "
            "others taking looking forward?",
        },
    ],
}

# The police service itself, the audience of the internal phase.
HOST_ORGANISATION = {
    "name": "Metropolitan Police Service",
    "sector": "public",
    "type": "police service",
    "parent": None,
    "people": [],
}

INTERNAL_FILES = ["phase1-officers.json", "phase1-staff-leaders.json"]
PARTNER_FILES = ["phase2-public.json", "phase2-voluntary.json", "phase2-private-academic.json"]
