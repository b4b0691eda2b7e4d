"""A Part A with every contact detail filled in, and retrieved candidates, shared by the LLM tests."""

from __future__ import annotations

from assistant.parta import Address, Contact, Duty, Industry, PartA
from retrieval.models import Candidate, Match, SocHierarchy

NAME = "Marguerite Okonkwo-Lindqvist"
EMAIL = "marguerite.ol@example.org"
PHONE = "(617) 555-0142"
STREET = "742 Evergreen Terrace"
CITY = "Shelbyville"
POSTAL = "02139"
ORGANIZATION = "Lindqvist Family Bakery LLC"
CONTACT_VALUES = [NAME, "Marguerite", "Okonkwo", EMAIL, "617", "555-0142", "5550142", STREET, CITY, POSTAL, ORGANIZATION]


def full_part_a() -> PartA:
    return PartA(
        contact=Contact(
            name=NAME,
            organization=ORGANIZATION,
            address=Address(street=STREET, city=CITY, state="MA", postal_code=POSTAL, country="US"),
            requester_type="employer",
            email=EMAIL,
            phone=PHONE,
        ),
        industries=[Industry(name="retail bakery")],
        job_title="Head baker",
        # Customers put contact details where they should not: these must not leave either.
        summary=f"Runs the early bake. Questions to Marguerite at {EMAIL} or 617-555-0142.",
        duties=[Duty(text="Mixes and proofs dough for bread and pastries", time_share=60),
                Duty(text="Supervises two assistant bakers")],
        tools=["deck oven", "spiral mixer"],
        supervision_given="two assistant bakers",
    )


def candidate(rank: int, code: str, title: str, evidence: str = "") -> Candidate:
    return Candidate(
        rank=rank, code=code, title=title, soc_code=code.split(".")[0], soc=SocHierarchy(),
        score=1.0 / rank, confidence=0.5 / rank,
        evidence=[Match(channel="title", kind="title", text=evidence or title)],
    )


CANDIDATES = [
    candidate(1, "51-3011.00", "Bakers", "Mix and bake ingredients to produce breads, rolls, cookies, cakes, pies, pastries"),
    candidate(2, "35-2014.00", "Cooks, Restaurant", "Bake, roast, broil, and steam meats, fish, vegetables"),
    candidate(3, "51-3092.00", "Food Batchmakers", "Set up and operate equipment that mixes or blends ingredients"),
    candidate(4, "35-1011.00", "Chefs and Head Cooks", "Direct and may participate in the preparation, seasoning, and cooking"),
]
CODES = [c.code for c in CANDIDATES]
