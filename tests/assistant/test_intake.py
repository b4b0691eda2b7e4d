"""Offline intake: Part A items read from free text, several at once, bare answers, corrections."""

from __future__ import annotations

import pytest

from assistant.intake import extract, split_list, take_back


def test_one_message_gives_several_items():
    found = extract("I work as a charge nurse at a hospital, I supervise 6 nurses and my e-mail is "
                    "Ana.Ruiz@Example.org. I use Epic and a glucometer.")
    assert found.job_title == "charge nurse"
    assert found.industry == "hospital"
    assert "6 nurses" in (found.supervision_given or "")
    assert found.email == "Ana.Ruiz@example.org"
    assert found.tools == ["Epic", "glucometer"]
    assert found.duties == []  # every sentence was an item, none is a duty


@pytest.mark.parametrize(("text", "title"), [
    ("I'm a line cook in the restaurant industry.", "line cook"),
    ("My job title is Senior Welder", "Senior Welder"),
    ("I am employed as an office clerk for the county", "office clerk"),
    ("My position is payroll clerk.", "payroll clerk"),
])
def test_job_title_phrases(text: str, title: str):
    assert extract(text).job_title == title


@pytest.mark.parametrize(("text", "asked", "title", "industry"), [
    ("I'm a charge nurse on a hospital ward", None, "charge nurse", "hospital ward"),
    ("I work as a manager on a farm", None, "manager", "farm"),
    ("I'm the manager of a restaurant", None, "manager", "restaurant"),
    ("I work in a bakery as a baker", None, "baker", "bakery"),
    ("I'm the Director of Nursing at a care home", None, "Director of Nursing", "care home"),
    ("Cook in a hospital kitchen", "job_title", "Cook", "hospital kitchen"),  # a bare answer with its workplace
    ("Chief of police", "job_title", "Chief of police", None),  # "of" without "a" is part of the title
])
def test_the_workplace_after_a_title_is_the_industry(text: str, asked: str | None, title: str, industry: str | None):
    found = extract(text, asked=asked)
    assert (found.job_title, found.industry) == (title, industry)
    assert found.duties == []


def test_a_sentence_about_the_work_answering_the_title_question_is_a_duty():
    found = extract("I drive a truck for a moving company", asked="job_title")
    assert found.job_title is None
    assert (found.duties, found.industry) == (["I drive a truck"], "moving company")


def test_a_plain_duty_sentence_is_a_duty_and_not_a_title():
    found = extract("Operates zigzag sewing machine to join layers of material, seam garment parts, or attach trim.")
    assert found.job_title is None
    assert found.duties == ["Operates zigzag sewing machine to join layers of material, seam garment parts, "
                            "or attach trim."]


def test_a_duty_about_supervising_counts_as_supervision_and_stays_a_duty():
    found = extract("Supervises and coordinates activities of workers engaged in sewing garments.")
    assert found.supervision_given
    assert found.duties


@pytest.mark.parametrize(("text", "education", "licences"), [
    ("I have a bachelor's in math and a teaching license", "I have a bachelor's in math", ["teaching license"]),
    ("associate degree with a CDL", "associate degree", ["CDL"]),
])
def test_an_education_said_with_a_licence_leaves_the_licence_out(text: str, education: str, licences: list[str]):
    found = extract(text)
    assert (found.education, found.licenses) == (education, licences)


def test_education_licence_reporting_and_phone():
    found = extract("The job needs a bachelor's degree and an RN license. I report to the nurse manager. "
                    "Call me on 202 555 0143.")
    assert "bachelor" in (found.education or "")
    assert found.licenses == ["RN license"]
    assert found.supervision_received == "the nurse manager"
    assert found.phone == "(202) 555-0143"


@pytest.mark.parametrize(("text", "asked", "phone", "email", "duties"), [
    # the words that led the detail are no duty
    ("You can call me at 202-555-0143", None, "(202) 555-0143", None, []),
    ("my cell is 617 555 0199, email maria@example.com", "contact", "(617) 555-0199", "maria@example.com", []),
    ("I'm a cook, call me at 617-555-0199. I grill burgers.", None, "(617) 555-0199", None, ["I grill burgers."]),
    ("I enter data. Reach me at ana@example.org or 202 555 0143", None, "(202) 555-0143", "ana@example.org",
     ["I enter data."]),
    # numbers in the work are not phone numbers
    ("I pack 1200 boxes a day", None, None, None, ["I pack 1200 boxes a day"]),
    ("I assemble 40-60 units per shift", "contact", None, None, ["I assemble 40-60 units per shift"]),
    ("I answer telephone calls 24 hours a day", None, None, None, ["I answer telephone calls 24 hours a day"]),
])
def test_contact_details_leave_no_duty_behind(text: str, asked: str | None, phone: str | None, email: str | None,
                                              duties: list[str]):
    found = extract(text, asked)
    assert (found.phone, found.email, found.duties, found.problems) == (phone, email, duties, [])


@pytest.mark.parametrize(("text", "asked"), [
    ("You can call me at 555-1234", None),
    ("My number is 5551234", None),
    ("555-1234", "contact"),  # a bare number answering the contact question
])
def test_a_phone_number_without_its_area_code_is_reported_not_dropped_or_kept_as_work(text: str, asked: str | None):
    found = extract(text, asked)
    assert found.phone is None
    assert found.duties == []
    assert len(found.problems) == 1 and "no area code" in found.problems[0]


@pytest.mark.parametrize(("text", "name", "organization", "duties"), [
    ("Hi, my name is Maria Lopez from Acme Staffing", "Maria Lopez", "Acme Staffing", []),
    ("my name is Tom from the City of Boston. I fix potholes", "Tom", "City of Boston", ["I fix potholes"]),
    ("My name is Ana Ruiz with Acme.com", "Ana Ruiz", "Acme.com", []),
    ("My name is John from work", "John", None, []),  # no business named
    ("My name is John and I work at a bakery", "John", None, []),  # the bakery is the industry
])
def test_the_organization_said_with_the_name_is_read(text: str, name: str, organization: str | None,
                                                    duties: list[str]):
    found = extract(text)
    assert (found.name, found.organization, found.duties) == (name, organization, duties)
    assert found.job_title is None


@pytest.mark.parametrize(("text", "education", "industry", "duties"), [
    # the school studied at is the education, not the industry, and the studying no duty
    ("I finished a certificate program at a beauty school", "a certificate program at a beauty school", None, []),
    ("I went to barber school.", "barber school", None, []),
    ("I did a two-year program at the community college, and now I cut hair at a salon.",
     "a two-year program at the community college", "salon", ["I cut hair"]),
    ("I went to trade school and now I weld pipes for a shipyard.", "trade school", "shipyard", ["I weld pipes"]),
    ("I went to cosmetology school for a year", "cosmetology school for a year", None, []),
    ("I got my CDL at a truck driving school", "truck driving school", None, []),  # and the CDL is the licence
    # training given, meetings attended and a trip to a school are work
    ("I completed training for new hires.", None, None, ["I completed training for new hires."]),
    ("I attended meetings with clients.", None, None, ["I attended meetings with clients."]),
    ("I went to the school to fix the boiler.", None, None, ["I went to the school to fix the boiler."]),
    ("I got a job at a school", None, "school", ["I got a job"]),
])
def test_schooling_said_in_the_first_person_is_the_education(text: str, education: str | None, industry: str | None,
                                                             duties: list[str]):
    found = extract(text)
    assert (found.education, found.industry, found.duties) == (education, industry, duties)


@pytest.mark.parametrize(("text", "industry"), [
    ("I do the books for a few small companies.", None),  # how many and how big, not which business
    ("I fix computers for a small business.", None),
    ("I do payroll for a couple of clients.", None),
    ("I work for a big firm.", None),
    ("I load trucks for a moving company.", "moving company"),
    ("I fix cars at a dealership.", "dealership"),
    # after a title, or owned by a family: read as the industry before
    ("I'm a bookkeeper for a small company.", None),
    ("I'm a cashier at a family-owned business.", None),
    ("I'm a cashier at a family-owned bakery.", "family-owned bakery"),
])
def test_an_employer_named_only_by_its_size_or_number_is_no_industry(text: str, industry: str | None):
    found = extract(text)
    assert found.industry == industry
    if industry is None and not text.startswith(("I work for", "I'm a")):
        assert found.duties == [text]  # the work stays whole


def test_a_plain_employer_given_as_the_industry_asked_for_is_kept_as_said():
    assert extract("A small company.", asked="industry").industry == "A small company"


@pytest.mark.parametrize(("text", "expected"), [
    # the title after a hedge, without the "now" after it
    ("Actually I'm more of a warehouse lead now, I lead a crew of 5",
     {"job_title": "warehouse lead", "supervision_given": "I lead a crew of 5", "correction": True}),
    ("I'm basically the office manager", {"job_title": "office manager"}),
    ("I am currently a cashier at Target", {"job_title": "cashier", "industry": "Target"}),
    # what "we" use are the tools too
    ("we use RF scanners and pallet jacks", {"tools": ["RF scanners", "pallet jacks"]}),
])
def test_hedged_titles_and_the_tools_we_use(text: str, expected: dict):
    assert stated(extract(text)) == expected


@pytest.mark.parametrize(("text", "supervises"), [
    ("I solder lead wires onto circuit boards.", False),  # lead the metal
    ("I direct traffic around the road works with a stop sign.", False),  # a flagger directs cars
    ("Directs flow of coolant against tools and workpieces.", False),
    ("I direct mail campaigns for our clients.", False),
    ("I lead the morning shift of six packers.", True),
    ("I manage 12 people in the warehouse.", True),
    ("Directs workers in fastening studs and sheetrock.", True),
    ("I oversee the mechanics who fix our trucks.", True),
])
def test_lead_direct_and_manage_are_supervising_only_when_people_or_their_work_follow(text: str, supervises: bool):
    """Read as supervising, a job gets the supervision check and the chat lifts supervisors; "lead", "direct"
    and "manage" also name a metal, traffic and things."""
    assert bool(extract(text).supervision_given) is supervises


def test_saying_no_one_reports_to_you_is_no_supervision():
    assert extract("I don't supervise anyone.").supervision_given == "none"


@pytest.mark.parametrize(("asked", "text", "field", "value"), [
    ("job_title", "welder", "job_title", "welder"),
    ("job_title", "I'm a welder", "job_title", "welder"),
    ("industry", "construction", "industry", "construction"),
    ("supervision_given", "no", "supervision_given", "none"),
    ("supervision_given", "yes, three cooks", "supervision_given", "three cooks"),
    ("education", "high school", "education", "high school"),
    ("tools", "a lathe, a drill press and Excel", "tools", ["lathe", "drill press", "Excel"]),
])
def test_a_bare_answer_fills_the_item_just_asked(asked: str, text: str, field: str, value: object):
    assert getattr(extract(text, asked=asked), field) == value


@pytest.mark.parametrize(("text", "industry", "education"), [
    ("I'm in a union apprenticeship program", None, "I'm in a union apprenticeship program"),
    ("I'm at a bakery", "bakery", None),
    ("Hi! I'm with the county", "county", None),
])
def test_where_the_speaker_is_answering_the_title_question_is_no_title(text: str, industry: str | None,
                                                                        education: str | None):
    """'I'm in a union apprenticeship program' had become the job title 'in a union apprenticeship program'."""
    found = extract(text, asked="job_title")
    assert (found.job_title, found.industry, found.education) == (None, industry, education)
    # written so without "I'm", it is a title
    assert extract("IN HOME CARETAKER", asked="job_title").job_title == "IN HOME CARETAKER"


@pytest.mark.parametrize(("text", "industry"), [
    ("The industry is retail.", "retail"),
    ("Industry is retail", "retail"),
    ("It's in the retail industry", "retail"),
    ("the sector is healthcare", "healthcare"),
    ("The employer is the county", "county"),
])
def test_the_industry_said_in_answer_to_the_title_question_is_no_title(text: str, industry: str):
    """'The industry is retail', said when asked the title, had become the job title 'The industry is retail'."""
    assert stated(extract(text, asked="job_title")) == {"industry": industry}
    # a title with its industry keeps both
    assert stated(extract("Cook in the restaurant industry", asked="job_title")) == {
        "job_title": "Cook", "industry": "restaurant"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Cashier at Walmart", {"job_title": "Cashier", "industry": "Walmart"}),
    ("Sales Associate at Best Buy.", {"job_title": "Sales Associate", "industry": "Best Buy"}),
    ("Line cook at Applebee's", {"job_title": "Line cook", "industry": "Applebee's"}),
    # "for" and "with" name no employer in a bare title
    ("Vice President for Finance", {"job_title": "Vice President for Finance"}),
    ("Engineer with Boeing", {"job_title": "Engineer with Boeing"}),
])
def test_an_employer_named_after_a_bare_title_is_the_industry(text: str, expected: dict):
    """'Cashier at Walmart', answering the title question, had been the job title 'Cashier at Walmart' (said in a
    sentence, 'I'm a cashier at Walmart', it was already the title and the industry)."""
    assert stated(extract(text, asked="job_title")) == expected


def test_a_long_answer_to_the_title_question_is_a_duty_not_a_title():
    found = extract("I mostly repair valves and pipe fittings that come out of the refinery lines", asked="job_title")
    assert found.job_title is None
    assert found.duties


def test_a_statement_of_the_work_is_a_duty_not_a_list_of_tools():
    text = "Threads paper through the rollers of the press and onto the windup shaft."
    found = extract(text, asked="tools")
    assert found.tools == []
    assert found.duties == [text]
    said = "I use the phone to answer customers' questions about their bills and payments."
    assert extract(said).tools == [] and extract(said).duties == [said]
    assert extract("I use a lathe and a drill press.").tools == ["lathe", "drill press"]
    listed = extract("calipers, micrometers, a two-way radio and a forklift", asked="tools")
    assert listed.tools == ["calipers", "micrometers", "two-way radio", "forklift"] and listed.duties == []


def test_running_a_shift_is_a_duty_and_a_colon_ends_the_industry():
    found = extract("I'm a charge nurse in a hospital: I run the ward's shifts and give medications.")
    assert found.job_title == "charge nurse" and found.industry == "hospital"
    assert found.tools == []
    assert found.duties == ["I run the ward's shifts and give medications"]


def test_corrections_are_flagged():
    found = extract("Actually my title is head nurse.")
    assert found.correction and found.job_title == "head nurse"
    assert found.duties == []


def test_skip_fills_nothing():
    found = extract("not sure", asked="education")
    assert found.answer == "skip" and found.education is None and not found.items()


def test_an_address_without_a_domain_is_reported_and_is_no_duty():
    found = extract("Hello, my name is Maria Lopez from Acme Staffing, maria@acme, we need a code for a new job")
    assert (found.email, found.name, found.duties) == (None, "Maria Lopez", [])  # a greeting about the request
    assert found.problems == ["'maria@acme' does not look like an e-mail address (name@example.com)"]


def test_a_bad_email_is_reported_not_stored():
    found = extract("my e-mail is ana..ruiz@example.org")
    assert found.email is None
    assert "ana..ruiz@example.org" in found.problems[0]


def test_split_list():
    assert split_list("hammers; saws & a nail gun") == ["hammers", "saws", "nail gun"]


@pytest.mark.parametrize(("text", "asked", "title"), [
    ("Hi, I need help finding a code for a job", "job_title", None),
    ("Hello!", "job_title", None),
    ("hi there", "job_title", None),
    ("Good morning everyone!", "job_title", None),
    ("What is the occupation code for a barista?", "job_title", "barista"),
    ("I need the SOC code for a dental hygienist at our clinic", None, "dental hygienist"),
])
def test_a_sentence_about_the_request_is_not_a_duty_or_a_title(text: str, asked: str | None, title: str | None):
    found = extract(text, asked=asked)
    assert found.duties == []
    assert found.job_title == title


@pytest.mark.parametrize(("text", "duty"), [
    ("I assign codes for billing", "I assign codes for billing"),
    ("I classify and sort mail by zip code", "I classify and sort mail by zip code"),
    ("I code software in Python for a bank", "I code software in Python"),  # the bank is the industry
])
def test_work_that_mentions_codes_stays_a_duty(text: str, duty: str):
    found = extract(text)
    assert found.duties == [duty] and found.job_title is None


def test_a_sentence_about_the_work_answering_the_supervision_question_is_a_duty_not_whom():
    found = extract("I load and unload trucks and move pallets", asked="supervision_given")
    assert found.supervision_given is None
    assert found.duties == ["I load and unload trucks and move pallets"]
    assert extract("three cooks", asked="supervision_given").supervision_given == "three cooks"


@pytest.mark.parametrize(("text", "industry", "duty"), [
    ("I fix cars at a dealership", "dealership", "I fix cars"),
    ("I load and unload trucks for a moving company", "moving company", "I load and unload trucks"),
    # left in, "janitorial" would meet the janitorial supervisors' title in the description as well
    ("I clean offices at night for a janitorial company", "janitorial company", "I clean offices at night"),
    ("I take orders at the counter", None, "I take orders at the counter"),  # a place in the workplace
    ("I sew seams on a machine", None, "I sew seams on a machine"),  # a tool
    ("I make sandwiches for a living", None, "I make sandwiches for a living"),
    ("I have worked here for a year", None, "I have worked here for a year"),
])
def test_the_business_a_sentence_about_the_work_ends_with_is_the_industry(text: str, industry: str | None,
                                                                          duty: str):
    found = extract(text)
    assert found.industry == industry
    assert found.duties == [duty]  # the rest of the sentence still says what the work is


@pytest.mark.parametrize(("text", "duty"), [
    ("I fix cars", True),
    ("I cut hair.", True),
    ("We clean offices", True),
    ("I need help", False),  # about the speaker, not the work
    ("I think so", False),
])
def test_a_short_first_person_sentence_about_the_work_is_a_duty(text: str, duty: bool):
    assert extract(text).duties == ([text] if duty else [])


@pytest.mark.parametrize(("text", "industry", "duty"), [
    ("I work at a dealership doing brake jobs and oil changes", "dealership", "doing brake jobs and oil changes"),
    ("I work for a cleaning company", "cleaning company", None),  # a business named by what it does
    ("I work at a driving school", "driving school", None),
])
def test_the_work_after_the_workplace_ends_the_industry(text: str, industry: str, duty: str | None):
    found = extract(text)
    assert found.industry == industry
    assert found.duties == ([duty] if duty else [])


@pytest.mark.parametrize(("text", "education", "industry"), [
    ("I'm in IT support at a university", None, None),  # where they work, not what they studied
    ("I teach at a high school", None, "high school"),
    ("I have a college degree", "I have a college degree", None),
    ("I went to college for two years", "college for two years", None),
])
def test_a_school_as_the_workplace_is_not_the_education(text: str, education: str | None, industry: str | None):
    found = extract(text)
    assert (found.education, found.industry) == (education, industry)


@pytest.mark.parametrize(("text", "industry"), [
    ("I own a bakery", "bakery"),
    ("I run a small bakery", "bakery"),
    ("I run a small family farm", "farm"),
    ("I run a press", None),  # a machine
    ("I run a team of 5", None),
    ("I own my own business", None),  # says nothing of which business
])
def test_the_business_someone_owns_or_runs_is_the_industry(text: str, industry: str | None):
    assert extract(text).industry == industry


@pytest.mark.parametrize(("text", "duties", "answer"), [
    ("I do landscaping", ["I do landscaping"], None),
    ("I do the payroll", ["I do the payroll"], None),
    ("I do", [], "yes"),
    ("I do not", [], None),
])
def test_what_someone_says_they_do_is_a_duty(text: str, duties: list[str], answer: str | None):
    found = extract(text)
    assert (found.duties, found.answer) == (duties, answer)


@pytest.mark.parametrize(("text", "title", "industry"), [
    ("I’m a server at a diner", "server", "diner"),  # a phone's curly apostrophe
    ("I’m a teacher’s aide", "teacher's aide", None),
    ("My title is “line cook”", "line cook", None),
    ('My title is "line cook" at a diner', "line cook", "diner"),
])
def test_curly_apostrophes_and_quotes_read_as_plain_ones(text: str, title: str, industry: str | None):
    found = extract(text)
    assert (found.job_title, found.industry) == (title, industry)
    assert found.duties == []


@pytest.mark.parametrize(("text", "industry", "duties"), [
    ("I work on diesel engines for a trucking company", "trucking company", ["I work on diesel engines"]),
    ("I work on a farm", "farm", []),  # "on" with an article is a place
    ("I work in a call center answering customer calls about their bills", "call center",
     ["answering customer calls about their bills"]),
    ("I work at a factory making car parts", "factory", ["making car parts"]),
    ("I work for a company selling insurance", None, ["selling insurance"]),  # "company" names no business
    ("I work at a meat packing plant", "meat packing plant", []),  # the -ing word names the business
    ("I work at a cleaning company", "cleaning company", []),
])
def test_what_follows_the_workplace_is_the_work(text: str, industry: str | None, duties: list[str]):
    found = extract(text)
    assert (found.industry, found.duties) == (industry, duties)


@pytest.mark.parametrize(("text", "asked", "industry", "duties"), [
    ("at a Ford dealership", "duties", "Ford dealership", []),  # the place alone answers where, not what
    ("in a hospital", None, "hospital", []),
    ("1", "industry", None, []),  # no industry is a number
])
def test_a_place_on_its_own_is_the_industry_and_a_number_is_not(text: str, asked: str | None, industry: str | None,
                                                                duties: list[str]):
    found = extract(text, asked=asked)
    assert (found.industry, found.duties) == (industry, duties)


@pytest.mark.parametrize(("text", "industry", "education"), [
    # other items, not where (the certificate is read as the licence)
    ("I have a high school diploma and a welding certificate", None, "I have a high school diploma"),
    ("community college", "community college", None),  # a school answering "where" is the workplace
    ("construction", "construction", None),
])
def test_an_answer_to_the_industry_question_that_states_other_items_is_not_the_industry(
        text: str, industry: str | None, education: str | None):
    found = extract(text, asked="industry")
    assert (found.industry, found.education) == (industry, education)


def test_what_is_left_of_a_sentence_once_the_experience_is_read_is_no_duty():
    found = extract("I've been doing it for 2 years.")
    assert (found.experience, found.duties) == ("2 years", [])


@pytest.mark.parametrize(("text", "duties", "denied"), [
    ("I don't take x-rays.", [], ["take x-rays"]),
    ("I do not drive the truck myself.", [], ["drive the truck myself"]),
    ("I never cook, I only serve tables.", ["I only serve tables"], ["cook"]),
    ("Actually, I don't take x-rays, the hygienist does.", [], ["take x-rays"]),
    ("I don't load trucks, the dock crew does.", [], ["load trucks"]),  # who does it instead is no duty either
    ("Taking x-rays is not part of my job.", [], ["Taking x-rays"]),
    ("I no longer do payroll.", [], ["do payroll"]),
])
def test_work_someone_says_they_do_not_do_is_no_duty(text: str, duties: list[str], denied: list[str]):
    """Its words would count for the very work denied: "I do not drive the truck" is no truck driver's duty."""
    found = extract(text)
    assert (found.duties, found.denied) == (duties, denied)


def test_a_title_someone_says_they_do_not_hold_is_neither_title_nor_duty():
    found = extract("I'm not a nurse, I'm a nursing assistant.")
    assert (found.job_title, found.duties, found.denied) == ("nursing assistant", [], [])


@pytest.mark.parametrize(("text", "asked", "field", "value", "duties"), [
    ("I don't supervise anyone. I weld steel beams on job sites.", None, "supervision_given", "none",
     ["I weld steel beams on job sites."]),
    ("I don't supervise anyone and I weld beams at a shipyard", None, "supervision_given", "none",
     ["I weld beams at a shipyard"]),
    ("No, I weld steel beams on job sites.", "supervision_given", "supervision_given", "none",
     ["I weld steel beams on job sites."]),
    ("Yes, I also weld steel beams on job sites.", "supervision_given", "supervision_given", "yes",
     ["I also weld steel beams on job sites."]),
    ("Never. I weld steel beams.", "licenses", "licenses", [], ["I weld steel beams."]),
    ("No, I work alone.", "supervision_given", "supervision_given", "none", []),  # part of the answer, no duty
    # a short sentence after the one with the no says something of its own (it had been dropped: nothing to code)
    ("I don't supervise anyone. I drive a truck.", None, "supervision_given", "none", ["I drive a truck."]),
    ("No one reports to me. I fix cars.", "supervision_given", "supervision_given", "none", ["I fix cars."]),
])
def test_the_work_said_after_a_yes_or_no_is_kept(text: str, asked: str | None, field: str, value: object,
                                                 duties: list[str]):
    found = extract(text, asked=asked)
    assert (getattr(found, field), found.duties) == (value, duties)


def test_a_denial_is_no_bare_answer_to_the_item_asked():
    found = extract("Actually, I don't count the cash drawer, the manager does.", asked="industry")
    assert (found.industry, found.duties, found.denied) == (None, [], ["count the cash drawer"])


@pytest.mark.parametrize(("text", "licences"), [
    ("I don't have a license.", ["none"]),
    ("No license needed.", ["none"]),
    ("I'm not certified.", ["none"]),
    ("I don't have a CDL, but I have a forklift certification.", ["forklift certification"]),
    ("I have a CDL.", ["CDL"]),
    ("I have a Class A CDL", ["Class A CDL"]),  # the class is part of the licence
    ("I hold a CDL-B.", ["CDL-B"]),
    ("I have a CDL class A and a forklift certification.", ["CDL class A", "forklift certification"]),
    ("I got my CDL at a truck driving school", ["CDL"]),
])
def test_a_licence_said_not_to_be_held_is_recorded_as_none(text: str, licences: list[str]):
    assert extract(text).licenses == licences


@pytest.mark.parametrize(("text", "licences", "title"), [
    ("I'm certified by ASCP", ["certified by ASCP"], None),  # who I am: the licence, not also a duty
    ("I'm a registered nurse at a hospital", ["registered nurse"], "registered nurse"),  # not "registered nurse at"
])
def test_a_licence_said_as_who_i_am_is_no_duty(text: str, licences: list[str], title: str | None):
    found = extract(text)
    assert (found.licenses, found.job_title, found.duties) == (licences, title, [])


@pytest.mark.parametrize(("duty", "denied", "left"), [
    ("I sterilize instruments, set up trays, take x-rays and hand the dentist tools.", ["take x-rays"],
     "I sterilize instruments, set up trays and hand the dentist tools"),
    ("I sterilize instruments, set up trays, take x-rays and hand the dentist tools.", ["Taking X-rays"],
     "I sterilize instruments, set up trays and hand the dentist tools"),
    ("I take dental x-rays of patients.", ["take x-rays"], None),
    ("I cook breakfast and wash dishes.", ["drive"], "I cook breakfast and wash dishes."),
])
def test_a_denied_activity_is_taken_out_of_a_duty(duty: str, denied: list[str], left: str | None):
    assert take_back(duty, denied) == left


@pytest.mark.parametrize(("text", "asked", "licences", "duties"), [
    ("yes, I have my RN license", "licenses", ["RN license"], []),  # the licence, not a duty as well
    ("I have a NABCEP certification", None, ["NABCEP certification"], []),
    ("I have a forklift license and I drive a reach truck", None, ["forklift license"], ["I drive a reach truck"]),
    # work said in answer to the licence question is a duty, not a licence
    ("I monitor patients on ventilators and give IV medications", "licenses", [],
     ["I monitor patients on ventilators and give IV medications"]),
    # the licence of the people the worker works with is not the worker's
    ("I assist registered nurses with patient care", None, [], ["I assist registered nurses with patient care"]),
    ("I'm a registered nurse", None, ["registered nurse"], []),
])
def test_a_licence_is_the_workers_own_and_is_not_also_a_duty(text: str, asked: str | None, licences: list[str],
                                                            duties: list[str]):
    found = extract(text, asked=asked)
    assert (found.licenses, found.duties) == (licences, duties)


@pytest.mark.parametrize("text", ["I'm self-employed.", "I work part-time", "I'm retired"])
def test_how_someone_is_employed_is_no_duty(text: str):
    assert extract(text).duties == []


@pytest.mark.parametrize(("text", "title"), [
    ("I work as a certified nursing assistant in a nursing home", "certified nursing assistant"),
    ("I'm a senior accounting clerk at a bank", "senior accounting clerk"),
    ("I'm a lead cooking instructor", "lead cooking instructor"),
])
def test_an_ing_word_before_a_role_noun_belongs_to_the_title(text: str, title: str):
    assert extract(text).job_title == title


@pytest.mark.parametrize(("text", "asked", "expected"), [
    # a sentence about the work answering the industry question is a duty, not the industry
    ("I hire and schedule staff, handle customer complaints and order food", "industry",
     {"duties": ["I hire and schedule staff, handle customer complaints and order food"]}),
    # a place on its own answering the duties question is where the job is
    ("a restaurant", "duties", {"industry": "restaurant"}),
    ("a lot of paperwork and filing", "duties", {"duties": ["a lot of paperwork and filing"]}),
    # so are a few words that end in one employer; work and a workplace word that names work stay duties
    ("HVAC company", "duties", {"industry": "HVAC company"}),
    ("auto body shop", "duties", {"industry": "auto body shop"}),
    ("customer service", "duties", {"duties": ["customer service"]}),
    ("clean hotels", "duties", {"duties": ["clean hotels"]}),
    # an education answering the supervision question is the education, not whom the worker supervises
    ("bachelor's degree in computer science", "supervision_given", {"education": "bachelor's degree in computer science"}),
    ("three cooks", "supervision_given", {"supervision_given": "three cooks"}),
    # work answering the education or tools question is a duty
    ("I answer phones, schedule meetings and do data entry", "education",
     {"duties": ["I answer phones, schedule meetings and do data entry"]}),
    ("I pick orders", "tools", {"duties": ["I pick orders"]}),
    # a count of people is no job title; a correction's "actually it's" is not part of one
    ("Actually it's 8 cooks", "job_title", {"correction": True}),
    ("twelve drivers", "job_title", {}),
    ("Actually it's head chef", "job_title", {"job_title": "head chef", "correction": True}),
    ("911 dispatcher", "job_title", {"job_title": "911 dispatcher"}),
    # what follows "sorry, I meant" or "actually" is the answer; a count of people is none; "OK" says nothing
    ("Sorry, I meant head chef", "job_title", {"job_title": "head chef", "correction": True}),
    ("Actually, a forklift and a pallet jack", "tools", {"tools": ["forklift", "pallet jack"], "correction": True}),
    ("Oops, I meant a bachelor's degree", "education", {"education": "a bachelor's degree", "correction": True}),
    ("Sorry, I meant 15 people", "tools", {"correction": True}),
    ("OK", "tools", {}),
    # the education: the schooling, not the title and licence said with it
    ("I'm a journeyman, I have my state license", "education", {"job_title": "journeyman", "licenses": ["state license"]}),
    ("trade school, I have my license", "education", {"education": "trade school", "licenses": ["license"]}),
])
def test_a_bare_answer_fills_the_asked_item_only_when_it_is_one(text: str, asked: str, expected: dict):
    assert stated(extract(text, asked=asked)) == expected


@pytest.mark.parametrize(("text", "name", "title"), [
    ("My name is John Smith and I'm an electrician's apprentice.", "John Smith", "electrician's apprentice"),
    ("my name is ana lopez", "ana lopez", None),
    ("my name is Ana Maria de la Cruz from Texas", "Ana Maria de la Cruz", None),
    ("my name is bob i work as a cook", "bob", "cook"),
])
def test_a_name_stops_where_the_sentence_goes_on(text: str, name: str, title: str | None):
    found = extract(text)
    assert (found.name, found.job_title) == (name, title)


def test_a_pasted_form_is_read_line_by_line_by_its_labels():
    found = extract("Job title: Warehouse Associate\nDuties: picking orders, packing boxes, loading trucks\n"
                    "Industry: e-commerce\nTools: forklift, pallet jack, RF scanner\nLicense: none\nEducation: high school")
    assert found.job_title == "Warehouse Associate"
    assert found.duties == ["picking orders, packing boxes, loading trucks"]
    assert found.industry == "e-commerce"
    assert found.tools == ["forklift", "pallet jack", "RF scanner"]
    assert (found.licenses, found.education) == (["none"], "high school")
    one_line = extract("Job title: Warehouse Associate. Duties: picking orders, packing boxes. Industry: e-commerce.")
    assert (one_line.job_title, one_line.duties, one_line.industry, one_line.education) == (
        "Warehouse Associate", ["picking orders, packing boxes"], "e-commerce", None)  # "Associate" is no degree


@pytest.mark.parametrize(("text", "title", "industry", "duties"), [
    ("I'm a cashier at Walmart", "cashier", "Walmart", []),
    ("I work 12 hour shifts as a line cook at Applebee's making burgers and fries", "line cook", "Applebee's",
     ["making burgers and fries"]),
    ("I'm a nurse at St. Mary's Hospital. I give medications.", "nurse", "St. Mary's Hospital", ["I give medications."]),
    ("sorry, I meant I'm a stocker, not a cashier", "stocker", None, []),
    ("I'm a master electrician", "master electrician", None, []),
    ("I do the books for a construction company", None, "construction company", ["I do the books"]),
])
def test_titles_employers_and_corrections_in_everyday_wording(text: str, title: str, industry: str | None,
                                                             duties: list[str]):
    found = extract(text)
    assert (found.job_title, found.industry, found.duties, found.education) == (title, industry, duties, None)


@pytest.mark.parametrize(("text", "title", "industry", "duties"), [
    ("I work for St. Jude Hospital as a nurse.", "nurse", "St. Jude Hospital", []),
    ("I work at Acme Co. as a welder.", "welder", "Acme Co", []),
    ("I'm a clerk at the Dept. of Transportation.", "clerk", "Dept. of Transportation", []),
    ("I assist Dr. Lee with exams.", None, None, ["I assist Dr. Lee with exams."]),
    ("I work at Acme Co. I weld frames.", None, "Acme Co", ["I weld frames"]),
    ("I work at the U.S. Postal Service as a mail carrier", "mail carrier", "U.S. Postal Service", []),
    ("I'm a nurse at the V.A. hospital", "nurse", "V.A. hospital", []),
])
def test_an_abbreviation_inside_a_name_does_not_end_it(text: str, title: str | None, industry: str | None,
                                                       duties: list[str]):
    found = extract(text)
    assert (found.job_title, found.industry, found.duties) == (title, industry, duties)


@pytest.mark.parametrize(("text", "industry"), [
    ("I'm a teller at Bank of America", "Bank of America"),
    ("I'm a chemist at Procter & Gamble", "Procter & Gamble"),
    ("I'm a professor at the University of Texas", "University of Texas"),
    ("I'm a cashier at Walmart and I stock shelves", "Walmart"),
])
def test_an_employers_name_may_join_its_words_with_of_or_an_ampersand(text: str, industry: str):
    assert extract(text).industry == industry
    assert extract(text, asked="job_title").industry == industry


@pytest.mark.parametrize(("text", "title", "industry", "experience"), [
    ("I've been a sales associate at Target for about 3 years", "sales associate", "Target", "3 years"),
    ("I have been working as a welder for 10 years", "welder", None, "10 years"),
    ("I've been an RN at St. Luke's for two years", "RN", "St. Luke's", "two years"),
])
def test_a_title_held_for_a_time_is_the_title_and_the_time_the_experience(text: str, title: str,
                                                                         industry: str | None, experience: str):
    found = extract(text)
    assert (found.job_title, found.industry, found.experience, found.duties) == (title, industry, experience, [])


@pytest.mark.parametrize(("answer", "title", "industry", "experience"), [
    ("Sales associate for 3 years", "Sales associate", None, "3 years"),
    ("Welder, 10 years", "Welder", None, "10 years"),
    ("Cashier at Walmart for over two years", "Cashier", "Walmart", "two years"),
])
def test_the_time_said_with_a_title_answer_is_left_out_of_the_title(answer: str, title: str, industry: str | None,
                                                                    experience: str):
    found = extract(answer, asked="job_title")
    assert (found.job_title, found.industry, found.experience, found.duties) == (title, industry, experience, [])


@pytest.mark.parametrize(("answer", "title", "duties"), [
    ("Cook. I make burgers", "Cook", ["I make burgers"]),
    ("Welder. My shop builds trailers.", "Welder", ["My shop builds trailers."]),
    ("Asst. Mgr. I run the floor.", "Asst. Mgr", ["I run the floor."]),
    ("Sr. Mgr. of Ops", "Sr. Mgr. of Ops", []),  # a title's own abbreviations end nothing
])
def test_a_title_answer_ends_where_the_workers_own_sentence_begins(answer: str, title: str, duties: list[str]):
    found = extract(answer, asked="job_title")
    assert (found.job_title, found.duties) == (title, duties)


def test_an_age_is_no_experience():
    assert extract("I teach 3 year olds").experience is None
    found = extract("Lead teacher for 1 year olds", asked="job_title")
    assert (found.job_title, found.experience) == ("Lead teacher for 1 year olds", None)


def test_a_possessive_licence_keeps_its_owner():
    assert extract("I have a captain's license from the U.S. Coast Guard.").licenses == ["captain's license"]
    assert extract("I hold a nurse's aide certificate and a forklift license").licenses == [
        "nurse's aide certificate", "forklift license"]


def test_an_abbreviation_in_a_contact_detail_is_left_as_written():
    found = extract("My email is jo@acme.co. I'm a welder at Acme Inc. in Maine.")
    assert (found.email, found.job_title, found.industry) == ("jo@acme.co", "welder", "Acme Inc")


def test_a_workplace_answering_the_tools_question_is_the_industry():
    assert (extract("public school", asked="tools").industry, extract("public school", asked="tools").tools) == (
        "public school", [])
    assert extract("a drill press", asked="tools").tools == ["drill press"]


@pytest.mark.parametrize(("text", "title", "duties"), [
    ("what's the code for a phlebotomist?", "phlebotomist", []),
    ("I need to find the right SOC code for our new position: Cybersecurity Analyst. They monitor networks.",
     "Cybersecurity Analyst", ["They monitor networks."]),
    ("I write code for a bank", None, ["I write code"]),  # work, not a request for a code
    ("I'm a stay at home mom", None, ["I'm a stay at home mom"]),  # "stay" is no title
    ("My job is picking orders", None, ["My job is picking orders"]),  # what the job does, not what it is called
    ("My job is a forklift driver", "forklift driver", []),
    ("my job is nurse", "nurse", []),
    ("I'm an RN but I work as a case manager for an insurance company, reviewing claims", "case manager",
     ["I'm an RN, reviewing claims"]),
])
def test_requests_for_a_code_and_other_openings_give_the_title(text: str, title: str | None, duties: list[str]):
    found = extract(text)
    assert (found.job_title, found.duties) == (title, duties)


@pytest.mark.parametrize(("text", "expected"), [
    # work that mentions a school, a degree or a licence is work, not the worker's education or licence
    ("I adjust the oven to the right degree", {"duties": ["I adjust the oven to the right degree"]}),
    ("Teaches vocational subjects to adults at night.", {"duties": ["Teaches vocational subjects to adults at night."]}),
    ("I process license renewals at the DMV", {"duties": ["I process license renewals at the DMV"]}),
    # a first-person statement of work naming a school: the school is whom the work is for
    ("I teach high school math", {"duties": ["I teach high school math"]}),
    ("I tutor college students in chemistry", {"duties": ["I tutor college students in chemistry"]}),
    ("I only have a GED", {"education": "I only have a GED"}),
    ("I recently graduated from a trade school", {"education": "a trade school"}),
    ("Our equipment is old and the machines are slow", {"duties": ["Our equipment is old and the machines are slow"]}),
    # statements of them are read as such
    ("I have a degree in accounting", {"education": "I have a degree in accounting"}),
    ("The job requires a college degree.", {"education": "The job requires a college degree"}),
    ("A CDL is required for this job", {"licenses": ["CDL"]}),
    ("You need a forklift certification", {"licenses": ["forklift certification"]}),
    ("I need a CDL to drive the big rigs", {"licenses": ["CDL"], "duties": ["I need a CDL to drive the big rigs"]}),
    ("The tools I use are a drill press and a lathe", {"tools": ["drill press", "lathe"]}),
])
def test_an_item_is_read_from_a_statement_of_it_not_from_work_that_mentions_it(text: str, expected: dict):
    assert stated(extract(text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # schooling the worker did not finish or does not have is still the education, not an activity denied
    ("I didn't finish high school", {"education": "I didn't finish high school"}),
    ("I never finished high school", {"education": "I never finished high school"}),
    ("I don't have a degree", {"education": "I don't have a degree"}),
    ("I didn't go to college, I have a high school diploma",
     {"education": "I didn't go to college, I have a high school diploma"}),
    ("I didn't finish high school. I stock shelves at Walmart",
     {"education": "I didn't finish high school", "duties": ["I stock shelves at Walmart"]}),
    # how far school went, in grades
    ("I only went to 10th grade", {"education": "I only went to 10th grade"}),
    ("I dropped out in 9th grade", {"education": "I dropped out in 9th grade"}),
    ("I teach 3rd grade", {"duties": ["I teach 3rd grade"]}),
    # work that is not done any more, at a school or of schooling, is denied as before
    ("I don't teach high school anymore", {"denied": ["teach high school anymore"]}),
    ("I don't work at a college", {"denied": ["work at a college"]}),
])
@pytest.mark.parametrize("asked", [None, "education", "tools"])
def test_schooling_not_finished_is_the_education(text: str, expected: dict, asked: str | None):
    assert stated(extract(text, asked=asked)) == expected


def stated(found) -> dict:
    """The items an extraction filled (the yes or no aside)."""
    return {k: v for k, v in found.model_dump().items() if v not in (None, [], False) and k != "answer"}


# Verbs O*NET's tasks begin with, as `assistant.rerank.work_verbs` gives them (the real list is tested on the data).
WORK = frozenset({"tends", "tend", "inspects", "inspect", "manages", "manage", "marks", "cleans", "clean",
                  "assemble", "attends", "attend", "holds"})


@pytest.mark.parametrize(("text", "asked"), [
    ("Tends machines that dry and polish clothespins", "job_title"),
    ("Manages business affairs of labor union", "job_title"),
    ("Assemble wooden boxes from precut boards", "job_title"),
    ("Inspects metal furniture and parts for defects", "industry"),
    ("Marks springs to show defects, using crayon", "education"),
    ("Inspects boilers and pressure tanks", "licenses"),
])
def test_a_statement_of_work_is_a_duty_whatever_was_asked(text: str, asked: str):
    found = extract(text, asked=asked, work_verbs=WORK)
    assert stated(found) == {"duties": [text]}
    # without the verbs, the bare answer was taken for the item asked
    assert stated(extract(text, asked=asked)) != {"duties": [text]}


@pytest.mark.parametrize(("text", "asked", "expected"), [
    ("Sales associate", "job_title", {"job_title": "Sales associate"}),
    ("Line cook at a diner", "job_title", {"job_title": "Line cook", "industry": "diner"}),
    ("Claims adjuster", "job_title", {"job_title": "Claims adjuster"}),
    ("metal furniture factory", "industry", {"industry": "metal furniture factory"}),
    ("Attended trade school for welding", "education", {"education": "Attended trade school for welding"}),
    ("a high school diploma", "education", {"education": "a high school diploma"}),
])
def test_titles_businesses_and_schooling_are_still_read_as_answers(text: str, asked: str, expected: dict):
    assert stated(extract(text, asked=asked, work_verbs=WORK)) == expected


def test_two_words_led_by_a_verb_of_work_are_a_duty():
    assert extract("Cleans machines.", work_verbs=WORK).duties == ["Cleans machines."]
    assert extract("Cleans machines.").duties == []  # two words, with no verb known to lead them


@pytest.mark.parametrize(("text", "expected"), [
    ("What is the job title?", {}),
    ("Do you need the official title?", {}),
    ("Dental hygienist?", {"job_title": "Dental hygienist"}),
    ("1 and 2", {}),  # an option picked when none was offered names no job
])
def test_a_question_back_is_no_title(text: str, expected: dict):
    assert stated(extract(text, asked="job_title")) == expected


def test_a_statement_of_work_names_its_workplace_and_stays_whole():
    found = extract("Cleans rooms at a hotel", asked="job_title", work_verbs=WORK)
    assert (found.industry, found.duties) == ("hotel", ["Cleans rooms at a hotel"])
    # a first-person sentence gives up the workplace, as before
    assert extract("I clean offices at night for a janitorial company").duties == ["I clean offices at night"]


PRODUCTS = frozenset({"quickbooks", "intuit quickbooks", "dentrix", "excel", "microsoft excel"})


@pytest.mark.parametrize(("text", "asked", "tools"), [
    ("QuickBooks and Dentrix", "duties", ["QuickBooks", "Dentrix"]),
    ("Intuit QuickBooks", "duties", ["Intuit QuickBooks"]),
    ("Dentrix", "duties", []),  # one word alone may be a title: left to the other readings
    ("QuickBooks and filing", "duties", []),  # not all products
    ("QuickBooks and Dentrix", "industry", []),  # only a question about the work reads this way
])
def test_a_message_that_only_lists_products_names_the_tools(text: str, asked: str, tools: list[str]):
    found = extract(text, asked, products=PRODUCTS)
    assert found.tools == tools
    if tools:
        assert found.duties == []


@pytest.mark.parametrize(("text", "asked", "education", "duties"), [
    ("High school diploma, I'm in a union apprenticeship program", "tools",
     "High school diploma; I'm in a union apprenticeship program", []),
    ("High school diploma, and I drive a forklift", "tools", "High school diploma", ["I drive a forklift"]),
    ("A GED, I fix cars at a garage", "tools", "A GED", ["I fix cars at a garage"]),  # had been the education whole
    # a list in the work that names a schooling is no education
    ("Advises veteran on insurance, vocational, and other matters.", None, None,
     ["Advises veteran on insurance, vocational, and other matters."]),
])
def test_a_message_led_by_an_education_said_alone_gives_it_whatever_was_asked(text: str, asked: str | None,
                                                                               education: str | None,
                                                                               duties: list[str]):
    found = extract(text, asked)
    assert (found.education, found.duties) == (education, duties)


@pytest.mark.parametrize(("text", "title", "duties"), [
    # a greeting before a first-person duty had made the whole message the title "Hello! I bake bread and pastries"
    ("Hello! I bake bread and pastries.", None, ["I bake bread and pastries."]),
    ("Hi, my name is Ana Ruiz. I bake bread and pastries.", None, ["I bake bread and pastries."]),  # "Hi, . I bake"
    ("Hello! Head baker.", "Head baker", []),
    ("Hiring manager", "Hiring manager", []),  # a title that starts like a greeting
])
def test_a_greeting_before_the_answer_to_the_title_question_is_no_part_of_it(text: str, title: str | None,
                                                                             duties: list[str]):
    found = extract(text, "job_title")
    assert (found.job_title, found.duties) == (title, duties)


@pytest.mark.parametrize(("text", "duties"), [
    ("I have my own business", []),
    ("I work for myself", []),  # had been the industry "myself"
    ("I'm self-employed, I paint houses", ["I paint houses"]),  # had been the job title "self-employed, I paint houses"
    ("I'm my own boss. I fix computers for small businesses", ["I fix computers for small businesses"]),
])
def test_working_for_oneself_is_the_work_setting_not_work_or_an_industry(text: str, duties: list[str]):
    for asked in (None, "job_title", "duties", "industry"):
        found = extract(text, asked=asked)
        assert (found.work_setting, found.duties, found.job_title, found.industry) == ("self-employed", duties, None,
                                                                                       None), asked
    # a title that says it stays a title
    assert extract("HVAC INSTRUCTOR SELF-EMPLOYED HVAC CONTRACTOR", asked="job_title").work_setting is None


def test_im_typed_without_its_apostrophe_is_i_am():
    found = extract("Im a CNA at a nursing home")
    assert (found.job_title, found.industry) == ("CNA", "nursing home")
    assert extract("im a welder", asked="job_title").job_title == "welder"


@pytest.mark.parametrize(("text", "industry", "duties"), [
    ("I work in accounting at a hospital", "hospital", ["I work in accounting"]),  # had been the industry 'accounting'
    ("I work in the shipping department for a furniture maker", "furniture maker",
     ["I work in the shipping department"]),
    ("I work in a bakery at the mall", "bakery", []),  # a place, then where it is
    # a department named as such is the work, with or without the business ("shipping department" had been the industry)
    ("I work in the shipping department", None, ["I work in the shipping department"]),
    ("I work in the IT department of a bank", "bank", ["I work in the IT department"]),
    ("I work in the parts department at a Ford dealership", "Ford dealership", ["I work in the parts department"]),
    ("I work in a department store", "department store", []),
    ("I work in construction", "construction", []),
])
def test_the_field_worked_in_is_the_work_and_the_business_after_it_the_industry(text: str, industry: str,
                                                                                  duties: list[str]):
    found = extract(text)
    assert (found.industry, found.duties) == (industry, duties)


@pytest.mark.parametrize(("text", "duties"), [
    ("I paint houses and I work for myself", ["I paint houses"]),
    ("I fix roofs, I'm self-employed", ["I fix roofs"]),
    ("I'm self-employed, I paint houses", ["I paint houses"]),
])
def test_self_employment_said_after_the_work_leaves_no_dangling_joiner(text: str, duties: list[str]):
    found = extract(text)
    assert (found.work_setting, found.duties) == ("self-employed", duties)


@pytest.mark.parametrize(("text", "title", "industry"), [
    ("I'm in the Army.", None, "Army"),
    ("I'm in the Air Force", None, "Air Force"),
    ("I served in the Marines as a cook.", "cook", "Marines"),
    ("I'm in the National Guard as an infantryman", "infantryman", "National Guard"),
    ("I am currently serving in the U.S. Navy", None, "U.S. Navy"),
])
def test_a_branch_of_the_armed_forces_is_where_the_service_member_works(text: str, title: str | None,
                                                                         industry: str):
    found = extract(text)
    assert (found.job_title, found.industry, found.duties) == (title, industry, [])


@pytest.mark.parametrize(("text", "title", "industry"), [
    ("I'm at a hospital as a night nurse", "night nurse", "hospital"),
    ("I'm with the county as a building inspector.", "building inspector", "county"),
    ("I'm at Walmart as a cashier", "cashier", "Walmart"),
    ("I'm in charge of the kitchen as a sous chef", "sous chef", None),
])
def test_where_the_worker_is_then_as_what_gives_the_title(text: str, title: str, industry: str | None):
    found = extract(text)
    assert (found.job_title, found.industry) == (title, industry)
