"""Offline intake: the Part A items a customer's message states, read with patterns, in any order, several at once.

"I work as a charge nurse at a hospital, I supervise 6 nurses and my e-mail is ana@example.org" gives a
title, an industry, supervision and contact details in one go. Sentences that state no item but
describe work become duties. When the assistant has just asked for one item, a bare answer ("welder",
"construction", "no") fills that item. "Actually my title is ..." corrects an earlier answer. Work the customer
says the job does not include ("I don't take x-rays") is no duty; `take_back` takes it out of one said before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.parta import Contact
from retrieval.lexical import WordStems
from retrieval.normalize import EMPLOYER_SIZE_WORDS, text_tokens

Item = Literal[
    "job_title", "duties", "industry", "tools", "education", "licenses", "supervision_given",
    "supervision_received", "experience", "contact",
]
# Nouns that an -ing word before them names a business with: "a meat packing plant", "a moving company".
BUSINESS_NOUNS = ("company", "companies", "plant", "factory", "facility", "business", "firm", "home", "school",
                  "center", "centre", "shop", "store", "agency", "services?", "department", "office", "mill", "room",
                  "site", "unit", "lot", "yard", "house", "area", "industry", "supply", "supplies", "products",
                  "materials", "station", "warehouse", "operations?", "contractors?", "lab", "laboratory", "club",
                  "studio", "salon", "hall", "park", "camp", "ground", "grounds", "range", "rink", "pool", "alley")
# Nouns that an -ing word before them makes a title with: "a certified nursing assistant", "a senior accounting clerk".
ROLE_NOUNS = ("assistants?", "aides?", "supervisors?", "managers?", "directors?", "instructors?", "technicians?",
              "specialists?", "workers?", "operators?", "clerks?", "attendants?", "engineers?", "inspectors?", "agents?",
              "officers?", "coordinators?", "teachers?", "consultants?", "helpers?", "associates?", "representatives?",
              "analysts?", "estimators?", "leads?", "foreman", "foremen")
# a short answer that ends in one of these names a workplace ("public school", "a machine shop")
_WORKPLACE_NOUN = re.compile(r"\b(?:" + "|".join(BUSINESS_NOUNS) + r"|hospital|clinic|restaurant|hotel|bank|farm)\W*$",
                             re.IGNORECASE)
# Where a stated title or industry ends: punctuation, or a word that starts what follows it ("a cook at a hotel",
# "a nurse on a ward", "the manager of a restaurant": "of" only before "a"/"an", as "Director of Nursing" is a title).
_END = (r"(?=$|[,.;:!?\"]|\s+(?:at|in|on|as|for|with|and|who|where|which|but|since|from)\b|\s+of\s+an?\b|"
        # "at a dealership doing brake jobs", "a call center answering calls": a verb of the work after the place
        # ends it, but not one that names the business with the noun after it ("a meat packing plant")
        # or a noun after "of" or "and" ("Director of Nursing at a care home"), or before a preposition
        r"(?<!\bof)(?<!\band)(?<!\bor)\s+[a-z]{2,}ing\s+"
        r"(?!(?:at|in|on|for|of|with|and|or|from|to|" + "|".join(BUSINESS_NOUNS + ROLE_NOUNS) + r")\b)[a-z])")
_PHRASE = r"\"?(?P<v>[A-Za-z0-9][\w&/'+\- ]{0,60}?)"  # a name may come in quotes: my title is "line cook"

_WHEN = re.compile(r"\s+(?:now|nowadays|these days|currently|today|at the moment)\s*$", re.IGNORECASE)
TITLE_PATTERNS = [re.compile(p, re.IGNORECASE) for p in (
    rf"\b(?:job |official |real )?title is (?:actually |now )?(?:an? |the )?{_PHRASE}{_END}",
    rf"\btitle:\s*{_PHRASE}{_END}",
    rf"\bI(?:'m| am|'ve been| have been) (?:actually |really |now )?(?:employed |working |hired )?as (?:an? |the )?"
    rf"{_PHRASE}{_END}",
    rf"\bI work(?:ed)? as (?:an? |the )?{_PHRASE}{_END}",
    # "I work 12 hour shifts as a line cook", "I work nights as a nurse": when and how long, then the title
    rf"\bI work(?:ed)? (?:(?!(?:at|for|in|on|with|like|alongside|under)\b)[\w\-]+ ){{1,4}}as (?:an? |the ){_PHRASE}{_END}",
    # ("my job is picking orders" says the work: a word in -ing with no article before it is no title)
    rf"\bmy (?:job|position|role|occupation) is (?:that of )?(?:an? |the |(?![a-z]+ing\b)){_PHRASE}{_END}",
    # "I'm more of a warehouse lead now", "I'm basically the office manager", "I've been a sales associate for 3 years"
    rf"\bI(?:'m| am|'ve been| have been) "
    rf"(?:(?:actually|really|now|more of|more like|kind of|sort of|basically|currently) )*(?:an?|the) {_PHRASE}{_END}",
    # "What is the occupation code for a barista?": the job the code is asked for
    rf"\b(?:soc|o\*?net|onet|occupation(?:al)?|job) codes? for (?:an? |the |my |our |this )?{_PHRASE}{_END}",
    rf"\b(?:what(?:'s| is)|which is|need|find|finding|looking for|get|tell me)\b[^.;!?]{{0,30}}?\bcodes? for "
    rf"(?:an? |the |my |our |this )?{_PHRASE}{_END}",
    # "... for our new position: Cybersecurity Analyst"
    rf"\b(?:position|role|job|opening|vacancy)\s*(?:title\s*)?:\s*{_PHRASE}{_END}",
    # "I work in a bakery as a baker": the title after the workplace; "I'm in the Navy as a cook" too
    rf"\bI(?: work(?:ed)?| serve[ds]?|'m| am| was)(?: serving)? (?:at|for|in|on|with) [^,.;:!?]{{1,60}}? as "
    rf"(?:an? |the )?{_PHRASE}{_END}",
)]
# The armed forces are where a service member works: "I'm in the Army", "I served in the Marines"
MILITARY = (r"(?P<v>(?:U\.?S\.? )?(?:Army|Navy|Air Force|Marine Corps|Marines|Coast Guard|Space Force|"
            r"(?:Air |Army )?National Guard|(?:Army|Navy|Air Force|Marine) Reserves?|military|armed forces))\b")
INDUSTRY_PATTERNS = [re.compile(p, re.IGNORECASE) for p in (
    rf"\bin the {_PHRASE} (?:industry|sector|business|trade|field)\b",
    rf"(?:^|\b(?:our|my|the|its) )(?:industry|sector|business) is (?:actually |now )?(?:an? |the )?{_PHRASE}{_END}",
    rf"\b(?:employer|company|firm) (?:is|was) (?:an? |the )?{_PHRASE}{_END}",
    # "on" only with an article: "I work on a farm" is a workplace, "I work on diesel engines" the work
    rf"\bI work (?:(?:at|for|in) (?:an? |the )?|on (?:an? |the )){_PHRASE}{_END}",
    rf"\b(?:we are|we're|our (?:company|business|employer) is) (?:an? |the ){_PHRASE}{_END}",
    rf"\b(?:company|employer|we) (?:make|makes|build|builds|sell|sells|run|runs) {_PHRASE}{_END}",
    # "I own a bakery", "I run a small bakery": the business ("I run a press", "I run a team" are not)
    rf"\bI (?:own|run) (?:an? |my |our )(?:own )?(?:small |little |family |local )(?:\w+ )?{_PHRASE}{_END}",
    rf"\bI own (?:an? |my |our )(?:own )?(?!(?:own )?(?:business|company|firm|shop)\b){_PHRASE}{_END}",
    # a place on its own, as an answer: "at a Ford dealership", "for the county"
    rf"^(?:at|for|in) (?:an? |the |my |our ){_PHRASE}\W*$",
    rf"\bI(?:'m| am|'ve been| have been| was| serve| served) (?:(?:currently|now|serving|enlisted|still) )*"
    rf"in the {MILITARY}",
    # "I'm at a hospital as a night nurse", "I'm with the county as a building inspector": the employer, then the title
    rf"\bI(?:'m| am| was) (?:at|with|for) (?:an? |the |my |our )?{_PHRASE}(?= as (?:an?|the) )",
)]
# "I work in accounting at a hospital", "I work in the shipping department for a furniture maker": the field or the
# department is the work, the business after it the industry ("accounting" had been the industry, the hospital lost).
DEPARTMENT_AT = re.compile(r"\bI work in (?:the )?(?!(?:an?|my|our)\s)[a-z][\w&/\- ]{1,40}?(?: department| dept\.?)?"
                           r"(?P<tail> (?:at|for) (?:an? |the |our |my )?(?P<v>[\w&'\- ]{2,60}?))\s*[.!]?$",
                           re.IGNORECASE)
# A department named as such is the work too, with or without the business: "I work in the shipping department",
# "I work in the IT department of a bank" (the department had been the industry).
DEPARTMENT = re.compile(r"\bI work in (?:the |our |my )?(?!(?:an?)\s)[a-z][\w&/\- ]{0,40}? (?:department|dept\.?)"
                        r"(?P<tail> (?:at|for|of|in) (?:an? |the |our |my )?(?P<v>[\w&'\- ]{2,60}?))?\s*[.!]?$",
                        re.IGNORECASE)
# An industry after a stated title: "I'm a cook at a hotel", "a nurse in a hospital", "a manager on a farm",
# "the manager of a restaurant".
TRAILING_INDUSTRY = re.compile(rf"^\"?\s+(?:(?:at|for|in|on) (?:an? |the |our |my )|of an? ){_PHRASE}{_END}",
                               re.IGNORECASE)
# An employer named after the title: "a cashier at Walmart", "a line cook at Applebee's making burgers" (capitals),
# "a teller at Bank of America", "a chemist at Procter & Gamble" (its words may be joined by "of", "of the" or "&")
NAMED_WORKPLACE = re.compile(r"^\s+(?i:at|for|with) "
                             r"(?P<v>[A-Z][\w&'\-]*\.?(?:(?: of(?: the)?| &)? [A-Z][\w&'\-]*\.?){0,3})"
                             r"(?=$|[,.;:!?]|\s+(?i:as|and|where|in|on|doing|making|selling|since|for)\b)")
# The business a first-person sentence about the work names at its end: "I fix cars at a dealership", "I load trucks
# for a moving company" ("a"/"an" only: "at the counter" is a place in the workplace; not "in"/"on": "on a machine",
# "in a log" name tools and things as often as workplaces; not a time or a price: "for a living", "for a year").
_WORKPLACE_TAIL = (r"[a-z][^,.;:!?]{2,80}?"
                   r"(?P<tail> (?:at|for) an? (?!(?:\w+ )?(?:living|while|time|years?|months?|weeks?|days?|"
                   r"hours?|minutes?|bit|change|fee|salary|wage|raise)\b)(?P<v>[\w&'\- ]{2,40}?)\s*[.!]?)$")
WORKPLACE = re.compile(r"^I (?!(?:work(?= (?:at|for|in|as)\b)|have|had|am|was|will|would|can|could)\b)"
                       + _WORKPLACE_TAIL, re.IGNORECASE)
# The same at the end of a statement of work (`states_work`): "Cleans rooms at a hotel", "Drives a van for a bakery".
WORK_WORKPLACE = re.compile(r"^[A-Za-z]+ " + _WORKPLACE_TAIL, re.IGNORECASE)
TOOL_PATTERNS = [re.compile(p, re.IGNORECASE) for p in (
    # not "run": people run shifts, wards and kitchens more often than machines, and those are duties
    r"\b(?:I|we) (?:use|used|operate|work with|program) (?!(?:are|is|include)\b)(?P<v>[^.;!?]{2,200})",
    # "the tools I use are ...", "equipment: ..." ("equipment is set up", "machines are classified" are not lists)
    r"\b(?:tools|equipment|software|machines) (?:(?:I|we) use (?:are|include|is)\s*:?|(?:are|include)\s*:)\s*"
    r"(?P<v>[^.;!?]{2,200})",
)]
# "associate" and "master" alone are more often titles ("Warehouse Associate", "Master Electrician")
# and "degree" only as one held: "a degree", "a college degree", "degree in" (not "to the specified degree")
_QUALIFICATIONS = (r"(?:(?:an?|my|his|her|their|college|university|graduate|undergraduate|doctoral|advanced|\w+-year|"
                   r"bachelor'?s?|master'?s?|associate'?s?|engineering|nursing|law|medical|teaching|business) "
                   r"degree|degree in|diploma|bachelor'?s?|master's|masters|ph\.?d|doctorate|ged|associate's)")
# What a person holds, as against a school they may work at: "a high school diploma", not "community college".
QUALIFICATION = re.compile(rf"\b(?:{_QUALIFICATIONS}|certificate|graduated?|went to|studied|attended)", re.IGNORECASE)
# A school or college as the workplace, not the education: "I work at a university", "IT support at a college".
SCHOOL_WORKPLACE = re.compile(r"\b(?:at|for) (?:an?|the|our|my) (?:[\w\-]+ ){0,2}(?:college|university|school)\b",
                              re.IGNORECASE)
EDUCATION_PATTERN = re.compile(
    rf"(?P<v>[^.;!?]*\b(?:{_QUALIFICATIONS}|high school|college|university|vocational|trade school|apprenticeship)\b"
    r"[^.;!?]*)", re.IGNORECASE)
# Schooling the worker went through, said in the first person: "I finished a certificate program at a beauty school",
# "I went to barber school", "I did a two-year course". The school is where the worker studied, not the industry;
# "I completed training for new hires" (the training is the work) is not one: the phrase ends at the schooling or at
# where it was ("at", "in", "from").
STUDIED = re.compile(
    r"^\s*I(?:'ve| have)? (?:(?:just|recently|also|then|first) )?(?:went to|go to|finished|completed|graduated from|"
    r"graduated|attended|studied at|studied|took|did|earned|got)\s+"
    r"(?P<v>(?:(?!(?:at|in|from|for|to|with|job|work)\b)[\w'\-]+\s+){0,5}?(?:school|program|programme|course|courses|"
    r"classes|training|academy|"
    r"apprenticeship|degree|diploma|certificate|college|university|bootcamp|ged)\b"
    r"(?:\s+(?:at|in|from)\s+[^,;.!?]{0,80}?)?"
    r"(?:\s+for\s+(?:a|an|one|two|three|four|five|six|\d+|a couple of|a few|several|about \w+)\s+"
    r"(?:years?|months?|weeks?|semesters?|terms?))?)(?=\s*(?:$|[,;.!?]|(?:and|but|so|then)\b))", re.IGNORECASE)
# How far school went, said in grades: "I only went to 10th grade", "I dropped out in 9th grade" (not "I teach 3rd grade")
GRADE_REACHED = re.compile(
    r"^\s*I (?:(?:only|just|never) )?(?:went to|got to|made it to|finished|completed|left school (?:in|after)|"
    r"dropped out (?:in|after|of)|quit school (?:in|after)|went through|stopped (?:school )?(?:in|after)) (?:the )?"
    r"\d{1,2}(?:st|nd|rd|th) grade\b[^,;.!?]*", re.IGNORECASE)
# A licence or qualification got at a school: "I got my CDL at a truck driving school" (the school is no workplace)
GOT_AT_SCHOOL = re.compile(
    r"^(?P<head>\s*I(?:'ve| have)? (?:got|earned|received|obtained|took|did|passed)\b[^.;!?]{0,80}?"
    r"\b(?:licen[cs]e|certificate|certification|CDL|degree|diploma|GED|training|credential|permit)\b[^.;!?]{0,80}?)"
    r"\s+(?:at|from|through) "
    r"(?:an?|the|my) (?P<v>(?:[\w'\-]+ ){0,3}(?:school|academy|college|university|institute))\s*[.!]?$", re.IGNORECASE)
EDUCATION_ALONE_WORDS = 4
# how an education said on its own begins: "high school diploma", "a bachelor's degree in nursing", "some college"
EDUCATION_FIRST = re.compile(r"^\W*(?:an?|my|some|no|high|bachelor|master|associate|college|university|vocational|"
                             r"trade|ged|ph\.?d|doctorate|diploma|graduate|\d|two|four|\w+-year)\b", re.IGNORECASE)
REQUIRED_EDUCATION = re.compile(r"\b(?:requires?|required|need|needs|must have|minimum|at least|preferred)\b",
                                re.IGNORECASE)
LICENCE_PATTERN = re.compile(
    r"(?P<v>\b(?:(?!(?:and|or|with|an?|my|have|hold|need|the)\b)\w[\w'\-]* ){0,3}"
    r"(?:licen[cs]e|certification|certificate)\b|"
    r"\b(?:licensed|certified|registered) [\w\-]+(?: (?!(?:at|in|on|for|with|from|and|or|but)\b)[\w\-]+)?|"
    r"\b(?:class [a-c] )?CDL(?:-?[a-c]\b| class [a-c]\b)?)", re.IGNORECASE)
NO_SUPERVISION = re.compile(
    r"\b(?:I )?(?:do not|don't|dont|never) (?:supervise|manage|oversee|lead)\b|\bno(?: ?one|body) reports? to me\b|"
    r"\bnot (?:a |any )?(?:supervisor|manager)\b", re.IGNORECASE)
# "Supervise" and "oversee" are always about people or their work; "lead", "direct" and "manage" only when what
# follows names whom or what (a determiner, a count, workers, activities): not "lead wires", "direct traffic",
# "directs flow of coolant".
_WHOM = (r"(?:and coordinates?\s+)?(?:the|a|an|my|our|his|her|their|\d+|one|two|three|four|five|six|seven|eight|"
         r"nine|ten|twelve|several|workers?|staff|crews?|teams?|employees|personnel|activities|others)\b")
SUPERVISION_GIVEN = re.compile(
    r"(?P<v>\b(?:I |we )?(?:(?:supervise|supervises|supervising|oversee|oversees)\b|"
    r"(?:manage|manages|lead|leads|direct|directs)\s+(?=" + _WHOM + r"))[^.;!?,]{0,80}?)"
    r"(?=$|[.;!?,]|\s+and\s+(?:my|I|we|our)\b)", re.IGNORECASE)
SUPERVISION_RECEIVED = re.compile(
    r"\b(?:I report to|I'm supervised by|I am supervised by|my (?:boss|supervisor|manager) is) (?P<v>[^.;!?,]{2,80})",
    re.IGNORECASE)
# (not an age: "I teach 3 year olds", "LEAD TEACHER FOR 1 YEAR OLDS")
EXPERIENCE = re.compile(r"(?P<v>\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\+? years?\b"
                        r"(?![\s\-]+olds?\b)[^.;!?]*)",
                        re.IGNORECASE)
# Bounded repetitions throughout: a 100 KB paste of one "word" must not make any pattern quadratic.
EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
# something@something that is no address ("maria@acme"): told, and kept out of the duties
EMAIL_LIKE = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w.\-]{1,253}")
PHONE = re.compile(r"(?<![\w@])\+?\(?\d[\d\s().\-]{7,24}\d")
# A number too short for PHONE ("555-1234"), read as a phone number only when the message offers one
NUMBER = re.compile(r"(?<![\w@.\-])\+?\(?\d[\d\s().\-]{2,24}\d(?![\w\-])")
# Words that lead a contact detail ("you can call me at", "my cell is", "e-mail:"): with the detail taken out,
# a clause of these words alone is no duty ("You can call me at 555-1234" had become one)
CONTACT_WORDS = frozenset(
    "you can could may please feel free to call reach text contact email e-mail mail phone ring me us back at on "
    "via by my our the best is are number numbers no cell cellphone mobile work office home direct line tel "
    "telephone address and or also either way get hold of".split())
PHONE_LEAD = re.compile(r"\b(?:(?:call|reach|text|ring|contact)\s+(?:me|us)\b[\s\w]{0,12}?|"
                        r"(?:phone|cell|cellphone|mobile|tel|telephone)\b[\s\w\-]{0,12}?|my\s+number\b[\s\w]{0,6}?)"
                        r"(?:\b(?:at|on|is)\b|[:#])?\s*$", re.IGNORECASE)
# The organization said with a name ("my name is Maria Lopez from Acme Staffing"): capitalised words, as a
# name of a business is written; "my name is John from work" names none
ORGANIZATION = re.compile(r"^\s*,?\s*(?:from|at|with)\s+(?:the\s+)?"
                          r"(?P<v>(?!I\b)[A-Z][\w&'\-]*(?:\.[\w&'\-]+)*"
                          r"(?:\s+(?:(?:of|and|for|&)\s+)?(?!I\b)[A-Z][\w&'\-]*(?:\.[\w&'\-]+)*){0,6})")
_CONTACT_MARK = "\x01"
# up to six words, stopping at one that goes on with the sentence ("My name is John Smith and I'm ...": John Smith)
NAME = re.compile(r"\bmy name is (?P<v>(?!(?:not|the|a|an)\b)[A-Z][\w'\-]+"
                  r"(?: (?!(?:and|but|i|i'm|im|am|from|at|in|with|work|working|my|is|the|a|an|here)\b)[A-Z][\w'\-]+){0,5})",
                  re.IGNORECASE)
CORRECTION = re.compile(r"^\s*(?:actually|sorry|correction|no,|oops|i meant|let me correct)\b|\bactually\b",
                        re.IGNORECASE)
SKIP = re.compile(r"^\s*(?:skip|pass|n/?a|not sure|no idea|i don'?t know|dunno|rather not say|next)\W*$",
                  re.IGNORECASE)
# "I do", "right" and "sure" answer yes only on their own: "I do oil changes and brake jobs" is a duty.
YES = re.compile(r"^\s*(?:(?:yes|yeah|yep|yup|indeed)\b|(?:correct|right|sure|i do)\s*(?:$|[,.!;]))", re.IGNORECASE)
NO = re.compile(r"^\s*(?:no|nope|not really|none|i don'?t|never|nobody|no one)\b", re.IGNORECASE)
# The yes or no that opens an answer, when something follows it ("No, I weld beams", "Never. I drive"): what
# follows is read as any other sentence.
ANSWER_WORD = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|indeed|sure|right|correct|no|nope|not really|never|none)\s*[,.!;:\-]+\s*", re.IGNORECASE)
# A clause that says what the job is not or does not include: "I don't take x-rays", "I never cook", "we no longer
# do payroll", "taking x-rays is not part of my job", "I'm not a nurse". Its words would otherwise count for the very
# work denied, so it is no duty; a denied activity (`v`, `w`) is kept, so that an earlier duty that says it can be
# taken back. "I'm not a nurse" (`who`) denies a title, not a duty.
DENIAL = re.compile(
    r"^(?:(?:actually|and|but|so|well|oh|sorry|also|though)\b\W*)*(?:"
    r"(?:I|we)\s+(?:do not|don'?t|dont|did not|didn'?t|never|no longer|can'?t|cannot|won'?t|will not)\s+"
    r"(?:ever\s+|really\s+|actually\s+|usually\s+|have to\s+|need to\s+|get to\s+)*(?P<v>.+)|"
    r"(?P<w>.+?)\s+(?:is|are|was|were)(?:\s+not|n'?t)\s+(?:part of\s+)?(?:my|our|the)\s+(?:job|work|duties|role)\b.*|"
    r"(?P<who>(?:I|we)(?:'m|'re|\s+am|\s+are)\s+not\b.*|not (?:an?|the)\s+\w.*))$",
    re.IGNORECASE)
# "licensed ...", "registered ..." said of the worker ("I'm a registered nurse", "as a certified welder"), not of
# others ("I assist registered nurses")
LICENSED = re.compile(r"(?:licensed|certified|registered)\b", re.IGNORECASE)
IDENTITY = re.compile(r"\b(?:I'm|I am|we're|we are|as|became|become|being)\s+(?:an?\s+|fully\s+|now\s+)?$",
                      re.IGNORECASE)
# Someone else doing the work, said after a denial: "(I don't load trucks,) the dock crew does", "my boss does that"
OTHERS_DO = re.compile(r"^(?!(?:I|we)\b)(?:[\w'\-]+\s+){1,5}(?:does|do|did|handles?|takes care of)"
                       r"(?:\s+(?:it|that|this|those|them))?\W*$", re.IGNORECASE)
# A labelled line of a form pasted into the chat: "Duties: picking orders, packing boxes", "Industry: e-commerce".
LABELLED = re.compile(
    r"^\s*(?P<label>(?:main )?duties|responsibilities|tasks|industry|sector|employer|company|business|education|"
    r"training|qualifications?|tools?(?: (?:and|&) equipment)?|equipment|software|licen[cs]es?(?: (?:and|&) "
    r"certifications?)?|certifications?|experience|supervis(?:es|ion|ion given))\s*:\s*(?P<v>.+)$", re.IGNORECASE)
# A licence the job requires: "a CDL is required", "you need a forklift certification", "must hold a state licence"
REQUIRING = re.compile(r"\b(?:requires?|required|need|needs|must (?:have|hold|get)|have to (?:have|hold|get)|"
                       r"(?:have|hold|got|earned|carry) (?:an?|my|our|the|your)?)\b[^.;!?]{0,40}$", re.IGNORECASE)
LICENCE_ALONE_WORDS = 5  # a licence named on its own, as an answer: "RN license", "forklift certification"
# Who says they hold a licence says no more than that: "I have my RN license", "we hold a contractor's licence".
HOLDING = re.compile(r"\b(?:I|we)\s+(?:have|hold|got|earned|carry|possess)\s+(?:an?\s+|my\s+|our\s+|the\s+)?$",
                     re.IGNORECASE)
# A licence said not to be held or needed: "I don't have a license", "no licence needed", "not certified".
NO_LICENCE = re.compile(r"\b(?:no|not|without|don'?t|doesn'?t|never)\b(?:\s+[\w\-]+){0,3}?\s+"
                        r"(?:licen[cs]ed?|licen[cs]es|certified|certifications?|certificates?|CDL)\b", re.IGNORECASE)
# a sentence's clauses: split at commas, semicolons, colons, "but" and "and I" ("I don't supervise anyone and I weld")
_CLAUSES = re.compile(r"(?:(?!\s+(?:but|and (?:I|we))\s)[^,;:])+", re.IGNORECASE)
# where one item of a list of duties ends and the next begins
_LIST_JOINTS = re.compile(r"(\s*[,;]\s*|\s+(?:and|or|as well as|plus)\s+)", re.IGNORECASE)
_stem = WordStems(())  # words to their Snowball stems ("taking" and "take": take)
# Words of a denial that no duty needs to share for the duty to say the activity denied ("I don't do payroll
# anymore": a duty "payroll and invoices" says it).
_DENIAL_FILLER = frozenset({"do", "doe", "anymore", "myself", "ourselves", "either", "though", "really", "actually",
                            "usually", "any", "more", "now", "here", "job", "work", "part"})
# Common abbreviations that end in a full stop: such a stop ends no sentence ("St. Mary's Hospital", "Dr. Lee")
_ABBREVIATED = ("St", "Dr", "Mr", "Ms", "Mrs", "Mt", "Jr", "Sr", "Inc", "Co", "Ltd")
_SENTENCES = re.compile(r"(?<=[.!?;])" + "".join(rf"(?<!\b{word}\.)" for word in _ABBREVIATED) + r"[ \t]+|\s*\n\s*")
# The full stop of an abbreviation inside a name ("St. Jude Hospital", "Acme Co. as a welder", "the Dept. of
# Transportation", "the U.S. Postal Service"), dropped before a message is read: names are read up to a full stop,
# so "I work for St. Jude Hospital as a nurse" had been the industry "St" and the duty "Jude Hospital as a nurse".
# Kept before "I", where it may end a sentence ("I work at Acme Co. I weld frames").
_IN_NAMES = _ABBREVIATED + ("Ft", "Corp", "Dept", "Bros", "Assn", "Univ", "Intl")
_ABBREVIATION = re.compile(rf"\b(?:({'|'.join(_IN_NAMES)})\.|((?:[A-Z]\.){{2,}}))(?=[ \t]+(?!I\b)\S)", re.IGNORECASE)
# Longer runs without a full stop are read in pieces of about this size (a pasted block without punctuation
# would otherwise cost every pattern time in the square of its length).
SENTENCE_CHARS = 300
# One message is read up to this length (about two pages); the rest is kept in the conversation, not read.
READ_CHARS = 5000
# A sentence about the request itself, not the work: a greeting alone, or asking for the code of a job ("Hi, I
# need help finding a code for a job"); "I sort mail by zip code" and "I assign codes to medical records" are work.
_GREETINGS = r"hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening)"
ABOUT_THE_REQUEST = re.compile(
    rf"^\W*(?:{_GREETINGS}|thanks?(?: you)?)"
    r"(?:\W+(?:there|all|everyone|team|again|so much))?\W*$|"
    r"\b(?:help|find|finding|look(?:ing)? (?:up|for)|need|want|get|getting|which|what)\b.{0,60}"
    r"\b(?:(?:soc|o\*?net|occupation(?:al)?|job|onet) codes?|codes? for (?:an? |the |my |our |this )?(?:\w+ ){0,2}"
    r"(?:job|position|role|title|worker|employee)|(?:right|correct|which) occupation|classif\w* (?:for|of) "
    r"(?:an? |the |my |our |this )?(?:job|position))\b", re.IGNORECASE)
# A greeting that opens a message: "Hi,", "Hello there!", "Good morning,"
GREETING_LEAD = re.compile(rf"^\W*(?:{_GREETINGS})"
                           r"(?:\s+(?:there|all|everyone|team))?\b[\s,.!:;-]*", re.IGNORECASE)
# A question back ("What is the job title?", "Do you need the whole title?") answers nothing; a title said unsure
# ("Dental hygienist?") still does.
ASKING_BACK = re.compile(r"^\W*(?:what|which|how|why|where|who|when|can|could|do|does|did|is|are|should|would|will)\b"
                         r"[^?]*\?\W*$", re.IGNORECASE)
BARE_TITLE_WORDS = 8
# What leads a corrected or hesitant answer: "Sorry, I meant ...", "Actually, ...", "Um, ..."
_SORRY = r"sorry|oops|actually"
ANSWER_LEAD = re.compile(rf"^\W*(?:(?:{_SORRY}|well|ok|okay|um+|uh+)\b[\s,.!:;-]*)+"
                         r"(?:I meant(?: to say)?|I mean)?[\s,:]*", re.IGNORECASE)
# A correction said whatever was asked: "Sorry, I meant head teller" (what is meant: `MEANT.match(...)["v"]`)
MEANT = re.compile(rf"^\W*(?:(?:{_SORRY}|no)\b[\s,.!]*)*I meant(?: to say)?\s+(?:an?\s+|the\s+)?"
                   r"(?P<v>[^.,;!?]{2,60}?)\W*$", re.IGNORECASE)
# A count of people or things ("8 cooks", "about twenty workers"): how many, never a job title ("911 dispatcher" is one)
COUNTED = re.compile(r"^(?:about |around |over |some |maybe )?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|"
                     r"eleven|twelve|twenty|thirty|forty|fifty|a few|several|many)\s+(?:[a-z]+s|people|staff)\b",
                     re.IGNORECASE)
# "I hire and schedule staff": what someone does, never an industry or a title, whatever was asked
SAYING_I = re.compile(r"^I\b", re.IGNORECASE)
# A place on its own, answering what the work is: "a restaurant", "the county jail" (an article and up to three words)
PLACE_ALONE = re.compile(r"^\s*(?:an?|the)\s+(?P<v>[a-z][\w'&\-]*(?:\s+[a-z][\w'&\-]*){0,2})\s*[.!]?\s*$",
                         re.IGNORECASE)
# A few words that end in an employer, answering the duties question, say where the job is ("HVAC company", "auto
# body shop"); not a workplace word that also names work ("customer service", "shipping department", "back office")
# (one employer: "clean hotels" and "water plants" are work)
EMPLOYER_NOUN = re.compile(r"\b(?:company|firm|business|agency|factory|plant|shop|store|hospital|clinic|restaurant|hotel|"
                           r"bank|farm|school|warehouse|mill|salon)\W*$", re.IGNORECASE)
EMPLOYER_ALONE_WORDS = 4
# A short answer to the title question that starts like a sentence about the work ("I drive a truck for a moving
# company") is a duty, not a title.
FIRST_PERSON = re.compile(r"^(?:i|we|my|our)\b", re.IGNORECASE)
_LETTER = re.compile(r"[A-Za-z]")  # a bare answer without one ("1", "--") names no tool, education or licence
BARE_INDUSTRY_WORDS = 12
DUTY_MIN_WORDS = 3
# A first-person sentence says what the work is in fewer words ("I fix cars", "I cut hair"); not one about the
# speaker's wishes or thoughts ("I need help", "I think so").
FIRST_PERSON_DUTY = re.compile(
    r"^(?:I|we)\s+(?!(?:need|want|think|guess|agree|hope|like|love|mean|know|see|believe|have|had|am|was|do|did|"
    r"don'?t|didn'?t|can|could|would|will|should|just|also|really)\b)[a-z]", re.IGNORECASE)
FIRST_PERSON_DUTY_MIN_WORDS = 2
# What follows "I'm" when it says where or with whom the speaker is, not what the job is called.
# (Only after "I'm": "IN HOME CARETAKER", "ON LINE CUSTOMER SERVICE" are titles.)
WHERE_NOT_WHAT = re.compile(r"(?:i'?m|i am|we'?re|we are)\s+(?:(?P<employer>at|with|for)|in|on|from|into|between|under)"
                            r"\s+(?:an?\s+|the\s+)?", re.IGNORECASE)
# A first-person statement of work is about the work even when it names a school or a qualification ("I teach high
# school math", "I tutor college students"), unless its verb is one of getting an education.
SCHOOLING_VERBS = frozenset({"have", "has", "had", "am", "was", "do", "did", "hold", "holds", "held", "get", "got",
                             "earn", "earned", "complete", "completed", "finish", "finished", "go", "went", "graduate",
                             "graduated", "study", "studied", "attend", "attended", "take", "took", "receive",
                             "received", "obtain", "obtained", "pass", "passed", "drop", "dropped", "leave", "left",
                             "start", "started", "enroll", "enrolled", "major", "majored", "learn", "learned", "learnt",
                             "train", "trained", "qualify", "qualified", "never", "only", "still", "already", "even",
                             "are", "were", "be"})
_FIRST_PERSON_VERB = re.compile(r"^(?:I|we)\s+(?:[a-z]+ly\s+)?([a-z]+)\b", re.IGNORECASE)
# What is left after the workplace, when it starts with a verb of the work: "[I work at a shop] selling shoes".
WORK_AFTER_PLACE = re.compile(r"^[a-z]{2,}ing\s+[a-z]", re.IGNORECASE)
# A workplace that names no business: "I work for a company selling insurance" says the work, not the industry.
# An employer named only by how many, how big or whose ("a company", "a few small companies", "local businesses",
# "different clients"): no industry
GENERIC_WORKPLACE = re.compile(
    r"^(?:(?:a|an|the|our|my|one|few|couple(?: of)?|number of|lot of|bunch of|handful of|" + EMPLOYER_SIZE_WORDS
    + r"|different|various|several|many|other|good|great)\s+)*"
    r"(?:compan(?:y|ies)|business(?:es)?|firms?|employers?|places?|organi[sz]ations?|clients?|customers?)$",
    re.IGNORECASE)
# Words that say nothing of the work: what is left of "I've been doing it for 2 years" once the experience is read.
FILLER = frozenset({"i", "ive", "im", "we", "have", "has", "had", "been", "be", "being", "am", "is", "are", "was",
                    "were", "it", "this", "that", "here", "there", "do", "doing", "did", "done", "job", "work",
                    "worked", "working", "so", "now", "since", "about", "almost", "over", "just", "doe", "actually",
                    # how someone is employed, not what they do: "I'm self-employed", "I work full-time"
                    "self", "employed", "freelance", "full", "part", "time", "retired",
                    # a correction's own words: "sorry, I meant ..."
                    "sorry", "meant", "mean", "oops"})
# "I do landscaping", "I do payroll": the one word after "do" is the work ("I do" alone answers yes).
DOING = re.compile(r"^(?:I|we) do (?!not\b|n't\b|so\b|that\b|this\b|it\b|too\b|yes\b)[a-z]", re.IGNORECASE)
# A tool is named in a few words ("drill press", "two-way radio"); an answer to the tools question with a longer
# item is a statement of the work ("Threads paper through the rollers of the press"), kept as a duty.
TOOL_MAX_WORDS = 5
# The questions a statement of work does not answer: it says what the job does, not its title, business, schooling
# or licence. (Asked for tools, "Operates a forklift" also names one; asked whom the worker supervises, "Assigns
# work to the cooks" also says whom.)
WORK_IS_NO_ANSWER_TO = frozenset({"job_title", "industry", "education", "licenses"})


# Working for oneself is how the job is held, not its work or its industry: "I have my own business", "I work for
# myself", "I'm self-employed", "I'm my own boss".
# Read and taken out of the message first, with what joins it to the rest ("I'm self-employed, I paint houses").
SELF_EMPLOYED = re.compile(
    r"\b(?:(?:I|we)\s+(?:have|own|run|started)\s+(?:my|our)\s+own\s+(?:business|company|shop)"
    r"|(?:I|we)\s+work\s+for\s+(?:myself|ourselves)|(?:I'm|I am|we're|we are|^)\s*self[\s-]employed"
    r"|(?:I'm|I am|we're|we are)\s+(?:my|our)\s+own\s+boss(?:es)?)\b(?:\s*[,;]\s*(?:and\s+|so\s+)?|\s+and\s+)?",
    re.IGNORECASE)
# "Im a cook", typed without the apostrophe, is "I'm a cook" ("im" is no other English word).
_IM = re.compile(r"\b[Ii]m\b")
# Phones and word processors type curly quotes: "I’m a server" reads as "I'm a server", “cook” as "cook".
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"})


class Extraction(BaseModel):
    """The items one message states; None or empty means the message did not say."""

    job_title: str | None = None
    industry: str | None = None
    duties: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    education: str | None = None
    licenses: list[str] = Field(default_factory=list)
    supervision_given: str | None = None
    supervision_received: str | None = None
    experience: str | None = None
    work_setting: str | None = None  # "self-employed"
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    organization: str | None = None
    correction: bool = False
    answer: Literal["yes", "no", "skip"] | None = None
    denied: list[str] = Field(default_factory=list, description="activities the message says the job does not include")
    problems: list[str] = Field(default_factory=list, description="what looked like an item but was not valid")

    def items(self) -> list[str]:
        """The Part A items this message filled, by name."""
        names = ["job_title", "industry", "duties", "tools", "education", "licenses", "supervision_given",
                 "supervision_received", "experience", "work_setting"]
        filled = [name for name in names if getattr(self, name)]
        return filled + (["contact"] if self.email or self.phone or self.name or self.organization else [])


def extract(text: str, asked: str | None = None, work_verbs: frozenset[str] = frozenset(),
            products: frozenset[str] = frozenset()) -> Extraction:
    """Read the Part A items stated in `text`; `asked` is the item the assistant just asked for, if any;
    `work_verbs` the words that lead a statement of work ("tends", "manage": `states_work`), none by default;
    `products` the names of software and technology products, lower case (`rerank.product_names`), none by default."""
    out = Extraction()
    text = _IM.sub("I'm", squeeze((text or "").replace("\x00", " ").translate(_TYPOGRAPHIC)))
    if not text:
        return out
    out.correction = bool(CORRECTION.search(text))
    if SKIP.match(text):
        out.answer = "skip"
        return out
    if YES.match(text):
        out.answer = "yes"
    elif NO.match(text):
        out.answer = "no"
    if len(text) > READ_CHARS:
        out.problems.append(f"Your message is long: I read its first {READ_CHARS:,} characters. "
                            "Send anything important from the rest in another message.")
        text = text[:READ_CHARS]
    text = _take_contact(text, out, asked)
    shortened = {_shortened(m): m.group(0) for m in _ABBREVIATION.finditer(text)}
    text = _ABBREVIATION.sub(_shortened, text)
    if (found := SELF_EMPLOYED.search(text)) is not None:
        out.work_setting = "self-employed"
        before = re.sub(r"(?:\s*[,;])?\s+(?:and|so)\s*$|\s*[,;]\s*$", "", text[:found.start()], flags=re.IGNORECASE)
        text = squeeze(before + " " + text[found.end():])  # "I paint houses and I work for myself": no "and" left
        if not text:
            return out
    read = ANSWER_WORD.sub("", text, count=1) if out.answer in ("yes", "no") else text
    for n, sentence in enumerate(sentences(read)):
        _read_sentence(sentence, out, work_verbs, answering=n == 0)
    if asked:
        _fill_asked(" ".join(text.split()), asked, out, work_verbs)
    if out.industry and asked != "industry" and GENERIC_WORKPLACE.match(out.industry):
        # "I'm a bookkeeper for a small company": whose, not what business (asked for it, the answer is kept as said)
        out.industry = None
    if asked == "duties" and products and not out.tools:
        _products_named(text, out, products)
    if "none" in out.licenses and len(out.licenses) > 1:  # "no CDL, but a forklift certificate"
        out.licenses.remove("none")
    out.duties = list(dict.fromkeys(out.duties))
    out.tools = list(dict.fromkeys(out.tools))
    out.licenses = list(dict.fromkeys(out.licenses))
    if shortened:
        _restore_abbreviations(out, shortened)
    return out


def _shortened(found: re.Match) -> str:
    """An abbreviation `_ABBREVIATION` found, without its full stops ("St." "St", "U.S." "US")."""
    return found.group(1) or found.group(2).replace(".", "")


# Where a sentence of the worker's own begins after a title answered: "Cook. I make burgers"
_OWN_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=(?:I|I'm|I've|We|We're|My|Our)\b)")
# What leads the time said after a title: "Sales associate for about 3 years", "Welder, 10 years"
_EXPERIENCE_LEAD = re.compile(r"(?:[\s,;:\-]+|\b(?:for|with|since|about|around|over|almost|nearly|roughly|the|past|"
                              r"last)\b)*$", re.IGNORECASE)


def _without_experience(answer: str) -> str:
    """A title answered with how long it has been held, without that time (read as the experience): "Sales associate
    for 3 years" is the title "Sales associate"; the answer as it is when nothing is left before the time."""
    found = EXPERIENCE.search(answer)
    if found is None or found.start() == 0:
        return answer
    return _EXPERIENCE_LEAD.sub("", answer[:found.start()]) or answer


def _restore_abbreviations(out: Extraction, shortened: dict[str, str]) -> None:
    """Put back the full stops `_ABBREVIATION` dropped (`shortened`: each abbreviation without them, as written), in
    the items read: "St Jude Hospital" is shown as the customer wrote it, "St. Jude Hospital" (one that ended an item
    was stripped with the item's own punctuation before)."""
    again = re.compile(rf"\b({'|'.join(map(re.escape, sorted(shortened)))})(?=[ \t]+\S)")

    def put_back(value: str) -> str:
        return again.sub(lambda found: shortened[found.group(1)], value)

    for name in ("job_title", "industry", "education", "supervision_given", "supervision_received", "experience",
                 "organization"):
        if value := getattr(out, name):
            setattr(out, name, put_back(value))
    for name in ("duties", "tools", "licenses", "denied"):
        setattr(out, name, [put_back(value) for value in getattr(out, name)])


def sentences(text: str) -> list[str]:
    """The sentences of `text`; one longer than SENTENCE_CHARS is cut at spaces (or anywhere, for one long word)."""
    out: list[str] = []
    for sentence in (s.strip() for s in _SENTENCES.split(text)):
        while len(sentence) > SENTENCE_CHARS:
            cut = sentence.rfind(" ", SENTENCE_CHARS // 2, SENTENCE_CHARS)
            cut = cut if cut > 0 else SENTENCE_CHARS
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out


def _take_contact(text: str, out: Extraction, asked: str | None = None) -> str:
    """`text` without the contact details it states, which go to `out` (or, invalid, to its problems).

    A clause left with only the words that led a detail ("You can call me at ...") goes too."""
    taken = False

    def take(span: str) -> None:
        nonlocal text, taken
        text, taken = text.replace(span, _CONTACT_MARK), True

    if m := EMAIL.search(text):
        try:
            out.email = Contact(email=m.group(0)).email
            take(m.group(0))
        except ValidationError:
            out.problems.append(f"'{m.group(0)}' does not look like an e-mail address")
    elif m := EMAIL_LIKE.search(text):
        out.problems.append(f"'{m.group(0).rstrip('.')}' does not look like an e-mail address (name@example.com)")
        take(m.group(0))
    offered = asked == "contact" and len(text.split()) <= 8  # a short answer to the contact question
    for m in NUMBER.finditer(text):
        number = m.group(0).strip()
        led = bool(PHONE_LEAD.search(text[max(0, m.start() - 40):m.start()]))
        if not (PHONE.fullmatch(number) or led or offered):
            continue  # long numbers in a job description are not phone numbers, nor are counts
        try:
            out.phone = Contact(phone=number).phone
        except ValidationError as exc:
            if not (led or offered) or sum(c.isdigit() for c in number) < 5:
                continue
            out.problems.append(str(exc.errors()[0]["msg"]).removeprefix("Value error, "))
        take(number)
        break
    if m := NAME.search(text):
        out.name = m.group("v").strip()
        span = m.group(0)
        if org := ORGANIZATION.match(text[m.end():]):
            out.organization = org.group("v")
            span = text[m.start():m.end() + org.end()]
        text = text.replace(span, " ")
    if taken:
        text = _drop_contact_clauses(text)
    return squeeze(text)


def _drop_contact_clauses(text: str) -> str:
    """`text` with each clause that held a contact detail (marked) dropped when only contact words are left."""
    parts = re.split(r"([,;.!?\n]+)", text)
    for i in range(0, len(parts), 2):
        if _CONTACT_MARK in parts[i] and all(w.lower() in CONTACT_WORDS for w in re.findall(r"[\w'\-]+", parts[i])):
            parts[i] = ""
        parts[i] = parts[i].replace(_CONTACT_MARK, " ")
    joined = "".join(parts)
    joined = re.sub(r"[\s,;]*([,;])(?:[\s,;]*)(?=[.!?\n]|$)", "", joined)  # a comma before an end or nothing
    joined = re.sub(r"([,;])[\s,;]*[,;]", r"\1", joined)
    return re.sub(r"^[\s,;.!?]+", "", joined)


def squeeze(text: str) -> str:
    """`text` with each run of spaces made one and empty lines dropped; line breaks stay (a pasted form's lines)."""
    return "\n".join(line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line)


def _read_sentence(sentence: str, out: Extraction, work_verbs: frozenset[str] = frozenset(),
                   answering: bool = True) -> None:
    """Read one sentence into `out`; `answering`: the sentence that holds (or follows) the message's opening yes or
    no, if it has one, whose few words are rather part of the answer than a duty."""
    if _read_labelled(sentence, out):
        return
    sentence, spans = _denials(sentence, out)
    if m := GRADE_REACHED.match(sentence):
        out.education = _clean(m.group(0))
        spans.append(m.span())
    if m := STUDIED.match(sentence):
        out.education = _clean(m.group("v"))
        # the rest is read on its own ("..., and now I cut hair at a salon"); the school is no workplace
        rest = re.sub(r"^[\s,;]*(?:(?:and|but|so|then|now)\b[\s,]*)*", "", sentence[m.end():])
        if not rest.strip():
            return
        cut = len(sentence) - len(rest)
        sentence, spans = rest, [(max(a - cut, 0), b - cut) for a, b in spans if b > cut]
    elif m := GOT_AT_SCHOOL.match(sentence):
        out.education = out.education or _clean(m.group("v"))
        sentence, spans = m.group("head"), [(a, min(b, m.end("head"))) for a, b in spans if a < m.end("head")]
    for pattern in TITLE_PATTERNS:
        if (m := pattern.search(sentence)) and _plausible_title(m.group("v")):
            out.job_title = _clean(_WHEN.sub("", m.group("v")))  # "warehouse lead now": the title is before "now"
            spans.append(m.span())
            if trailing := TRAILING_INDUSTRY.match(sentence[m.end():]) or NAMED_WORKPLACE.match(sentence[m.end():]):
                out.industry = _clean(trailing.group("v"))
                spans.append((m.end(), m.end() + trailing.end()))
            break
    department = DEPARTMENT.search(sentence) or DEPARTMENT_AT.search(sentence)
    if department and department.group("v") and not GENERIC_WORKPLACE.match(department.group("v")):
        out.industry = _clean(department.group("v"))
        spans.append(department.span("tail"))  # the field or department stays, as the work
    for pattern in INDUSTRY_PATTERNS if not (out.industry or department) else ():
        if m := pattern.search(sentence):
            if not GENERIC_WORKPLACE.match(m.group("v")):  # "I work for a company selling insurance"
                out.industry = _clean(m.group("v"))
            spans.append(m.span())
            break
    if not (out.industry or department) and ((m := WORKPLACE.search(sentence))
                             or states_work(sentence, work_verbs) and (m := WORK_WORKPLACE.search(sentence))) \
            and not GENERIC_WORKPLACE.match(m.group("v").strip()):
        # the business goes to the industry and the rest stays a duty: "I clean offices at night" (left in, "for a
        # janitorial company" would match the janitorial supervisors' title in the description too). A statement of
        # work stays whole ("Cleans rooms at a hotel"): coded alone, "Cleans rooms" is any cleaner's, and the chat's
        # ranking weighs the workplace more inside the duty than as the industry
        out.industry = _clean(m.group("v"))
        if m.re is WORKPLACE and len(text_tokens(sentence[:m.start("tail")])) >= FIRST_PERSON_DUTY_MIN_WORDS:
            spans.append(m.span("tail"))  # else the whole sentence stays the duty: "I teach at a high school"
    for pattern in TOOL_PATTERNS:
        if (m := pattern.search(sentence)) and (names := tool_names(m.group("v"))):
            out.tools += names
            spans.append(m.span())
            break
    if m := SUPERVISION_GIVEN.search(sentence):
        out.supervision_given = _clean(m.group("v"))
        if re.match(r"\s*I\b", m.group("v")):
            spans.append(m.span())
    if m := SUPERVISION_RECEIVED.search(sentence):
        out.supervision_received = _clean(m.group("v"))
        spans.append(m.span())
    lead = re.match(r"[^,;]+", sentence)
    if lead and lead.end() < len(sentence.rstrip(" .!")) and _education_alone(lead.group(0)):
        # led by an education said alone: "High school diploma, I'm in a union apprenticeship program"
        said = []
        for clause in re.finditer(r"[^,;]+", sentence):
            if not ((c := EDUCATION_PATTERN.search(clause.group(0))) and not SCHOOL_WORKPLACE.search(c.group("v"))
                    and _about_education(clause.group(0).strip())):
                break
            said.append(_clean(_before_licence(c.group("v"))))
            spans.append((clause.start() + c.start(), clause.start() + c.end()))
        out.education = "; ".join(said)
    elif ((m := EDUCATION_PATTERN.search(sentence)) and not SCHOOL_WORKPLACE.search(m.group("v"))
            and _about_education(sentence)):
        out.education = _clean(_before_licence(m.group("v")))
        spans.append(m.span())
    for m in LICENCE_PATTERN.finditer(sentence):
        before = sentence[:m.start()]
        if m.start() > 0 and LICENSED.match(m.group("v")) and not IDENTITY.search(before):
            continue  # "I assist registered nurses": other people's licence
        alone = len(text_tokens(sentence)) <= LICENCE_ALONE_WORDS and not FIRST_PERSON.match(sentence.strip())
        held = HOLDING.search(before) or REQUIRING.search(before)
        if not LICENSED.match(m.group("v")) and not held and not alone:
            continue  # "I process license renewals": licences are the work, not one the worker holds
        out.licenses.append(_clean(m.group("v")))
        # "I have my RN license", "you need a forklift certification", "a CDL is required": the licence, not work
        rest = sentence[m.end():]  # not "I need a CDL to drive the big rigs"
        if held and (len(text_tokens(rest)) <= 1 or re.match(r"\s*(?:[,;]|and\b|but\b)", rest)):
            spans.append((held.start(), m.end()))
        elif (LICENSED.match(m.group("v")) and (who := IDENTITY.search(before)) and who.start() == 0
              and len(text_tokens(rest)) <= 1):
            spans.append((0, m.end()))  # "I'm certified by ASCP", "I am a licensed plumber": said as who I am
        elif alone:
            spans.append((0, len(sentence)))
    if m := EXPERIENCE.search(sentence):
        out.experience = _clean(m.group("v"))
        spans.append(m.span())
    if ABOUT_THE_REQUEST.search(sentence):
        return  # "Hi, I need help finding a code for a job": about the request, not the work
    remnant = _without(sentence, spans)
    said = _tidy(remnant)
    words = text_tokens(said)
    # after a yes or no, a few words more are rather part of the answer ("No, I work alone") than a duty; a sentence
    # after that one says something of its own ("I don't supervise anyone. I drive a truck.")
    needed = max(_duty_words_needed(said, bool(spans), work_verbs), DUTY_MIN_WORDS if out.answer and answering else 0)
    if len(words) >= needed and not FILLER.issuperset(words) and not ASKING_BACK.match(sentence):
        out.duties.append(sentence if not spans else said or sentence)


def _before_licence(education: str) -> str:
    """An education said with a licence, without the licence, which is read as one: "I have a bachelor's in math
    and a teaching license" -> "I have a bachelor's in math"."""
    licence = LICENCE_PATTERN.search(education)
    if licence is None or licence.start() == 0:
        return education
    joint = re.search(r"\s*(?:,|\band\b|\bplus\b|\bwith\b)\s*(?:(?:an?|my|the|also)\s+)*$",
                      education[:licence.start()])
    return education[:joint.start()] if joint and joint.start() > 0 else education


def _education_alone(clause: str) -> bool:
    """Whether a clause is an education said on its own ("high school diploma", "a GED")."""
    clause = clause.strip()
    return (bool(EDUCATION_PATTERN.search(clause)) and len(text_tokens(clause)) <= EDUCATION_ALONE_WORDS
            and bool(EDUCATION_FIRST.match(clause)) and not SCHOOL_WORKPLACE.search(clause))


def _states_own_work(sentence: str) -> bool:
    """'I teach high school math': a first-person statement of work (`FIRST_PERSON_DUTY`) whose verb is not one of
    getting an education ("I went to trade school", "I recently graduated")."""
    m = _FIRST_PERSON_VERB.match(sentence)
    return bool(FIRST_PERSON_DUTY.match(sentence)) and m is not None and m.group(1).lower() not in SCHOOLING_VERBS


def _about_education(sentence: str) -> bool:
    """Whether a sentence naming a school or a qualification states an education, rather than work that mentions one
    ("adjusts the temperature to the specified degree", "teaches vocational subjects"): it is short (an answer:
    "high school", "a bachelor's degree in nursing"), or first-person but not about the work ("I have an associate
    degree", "I went to trade school"; not "I teach high school math"), or says what the job requires."""
    sentence = sentence.strip()
    return ((len(text_tokens(sentence)) <= EDUCATION_ALONE_WORDS and bool(EDUCATION_FIRST.match(sentence)))
            or (bool(FIRST_PERSON.match(sentence)) and not _states_own_work(sentence))
            or bool(REQUIRED_EDUCATION.search(sentence)))


def _read_labelled(sentence: str, out: Extraction) -> bool:
    """A line of a form pasted in ("Duties: picking orders, packing boxes", "Industry: e-commerce"): the item its
    label names, all of it. False when the sentence has no such label (a title's is read with the titles)."""
    m = LABELLED.match(sentence)
    if m is None or not (value := _clean(m.group("v"))):
        return False
    label = m.group("label").lower()
    if label.startswith(("dut", "main", "respons", "task")):
        out.duties.append(value)
    elif label.startswith(("indus", "employ", "compan", "busin", "sector")):
        out.industry = value
    elif label.startswith(("educ", "train", "qualif")):
        out.education = value
    elif label.startswith(("tool", "equip", "softw")):
        out.tools += tool_names(value) or [value]
    elif label.startswith(("licen", "certif")):
        out.licenses.append("none" if NO.match(value) else value)
    elif label.startswith("exper"):
        out.experience = value
    else:  # supervision
        out.supervision_given = "none" if NO.match(value) else value
    return True


def _denials(sentence: str, out: Extraction) -> tuple[str, list[tuple[int, int]]]:
    """The sentence with its clauses that deny something blanked out, and their spans; what they deny is read into
    `out`: no supervision ("I don't supervise anyone"), no licence, an activity the job does not include."""
    spans: list[tuple[int, int]] = []
    for m in _CLAUSES.finditer(sentence):
        clause = m.group(0).strip()
        if NO_SUPERVISION.search(clause):
            out.supervision_given = "none"
        elif NO_LICENCE.search(clause):
            out.licenses.append("none")
        elif (found := DENIAL.match(clause)) and found.group("v") and _denies_schooling(found.group("v")):
            continue  # "I didn't finish high school", "I don't have a degree": read with the sentence, as the education
        elif found:
            activity = found.group("v") or found.group("w")
            if activity and _activity_words(activity):
                out.denied.append(_clean(activity))
        elif not OTHERS_DO.match(clause):  # "the dock crew does": who does it instead, no duty of the customer's
            continue
        spans.append(m.span())
    return _without(sentence, spans), spans


def _denies_schooling(denied: str) -> bool:
    """Whether what a denial says is not so is schooling ("finish high school", "have a degree", "go to college"),
    not work that names a school ("teach high school", "work at a college")."""
    verb = re.match(r"[a-z]+", denied.strip(), re.IGNORECASE)
    return (verb is not None and verb.group(0).lower() in SCHOOLING_VERBS
            and (m := EDUCATION_PATTERN.search(denied)) is not None and not SCHOOL_WORKPLACE.search(m.group("v")))


def take_back(duty: str, denied: Sequence[str]) -> str | None:
    """`duty` without the items of its list that say an activity of `denied` (one that has all its words, as
    stems): "I sterilize instruments, take x-rays and set up trays" less "take x-rays" is "I sterilize
    instruments and set up trays". None when no item is left; `duty` itself when none says a denied activity."""
    wanted = [set(map(_stem, _activity_words(d))) for d in denied]
    wanted = [w for w in wanted if w]
    parts = _LIST_JOINTS.split(duty)
    items, joints = parts[0::2], parts[1::2]
    keep = [not any(w <= set(map(_stem, text_tokens(item))) for w in wanted) for item in items]
    if all(keep):
        return duty
    kept: list[str] = []
    for i, item in enumerate(items):
        if keep[i]:
            if kept:
                kept.append(joints[i - 1])
            kept.append(item)
    return _tidy("".join(kept)) or None


def _activity_words(text: str) -> list[str]:
    """The words a duty must share to say the activity `text` ("take x-rays myself": take, ray)."""
    return [w for w in text_tokens(text) if w not in _DENIAL_FILLER and w not in FILLER]


def _duty_words_needed(said: str, after_an_item: bool, work_verbs: frozenset[str] = frozenset()) -> int:
    """Content words that make a duty of what is left of a sentence: one after "I do" ("I do landscaping"), two in
    a first-person sentence ("I fix cars"), in a statement of work ("Cleans machines.") or in the work said after a
    workplace ("selling shoes"), else three."""
    if DOING.match(said):
        return 1
    if (FIRST_PERSON_DUTY.match(said) or states_work(said, work_verbs)
            or (after_an_item and WORK_AFTER_PLACE.match(said))):
        return FIRST_PERSON_DUTY_MIN_WORDS
    return DUTY_MIN_WORDS


def _fill_asked(text: str, asked: str, out: Extraction, work_verbs: frozenset[str] = frozenset()) -> None:
    """A bare answer to the question just asked ("welder", "construction", "no") fills that item; a message that
    says what the job does not include ("I don't count the drawer, the manager does"), or states work ("Tends
    machines that polish clothespins", asked the title, the industry or the education), is no such answer."""
    if out.denied:
        return
    if asked in WORK_IS_NO_ANSWER_TO and states_work(text, work_verbs) and not (
            (asked == "education" and QUALIFICATION.search(text))
            or (asked == "licenses" and LICENCE_PATTERN.search(text))):
        return  # "Attended trade school", "Holds a CDL" still answer
    words = len(text.split())
    message = text
    # "Sorry, I meant head chef", "Actually, a forklift and a pallet jack": the answer is what follows; "OK" is none
    text = ANSWER_LEAD.sub("", text)
    # a greeting before the answer, and what a contact detail left ("Hi, my name is Ana. I bake bread": "Hi, .")
    text = re.sub(r"^[\s,.;:!?-]+", "", GREETING_LEAD.sub("", text))
    if not text:
        return
    bare = re.sub(r"^(?:it'?s|it is|i'?m|i am|we are|we're|mostly|yes,?|no,?)\s+(?:an? |the )?", "", text,
                  flags=re.IGNORECASE).strip(" .!?")
    if COUNTED.match(bare) and asked in ("job_title", "tools", "education"):
        out.duties = [d for d in out.duties if d != message]  # "8 cooks", "15 people": how many, not an answer
        return
    where = None
    if (asked == "job_title" and not out.job_title and words <= BARE_TITLE_WORDS and not out.answer
            and not FIRST_PERSON.match(bare) and not ABOUT_THE_REQUEST.search(text) and not ASKING_BACK.match(text)
            and not (where := WHERE_NOT_WHAT.match(text))  # "I'm in a union apprenticeship program"
            and _LETTER.search(" ".join(text_tokens(bare)))  # "1 and 2" names no job
            and not _only_an_industry(bare)):  # "The industry is retail", "It's in the retail industry"
        # "Cook. I make burgers": the title ends where a sentence of the worker's own begins (read on its own);
        # not at any full stop, which a title's abbreviations have ("Sr. Mgr. of Ops")
        said = _OWN_SENTENCE.split(bare, maxsplit=1)[0].rstrip(" .!?") or bare
        title, industry = _split_setting(_without_experience(said))
        out.job_title = _clean(title)
        if industry and not out.industry:
            out.industry = _clean(industry)
        # the answer, or what reading its experience left of it ("Cashier at Walmart for over two years")
        out.duties = [d for d in out.duties if d not in (text, message)
                      and not (out.experience and text.startswith(d.strip(" .!?")))]
    elif (asked == "job_title" and not out.job_title and not out.industry and words <= BARE_TITLE_WORDS
          and where is not None and where.group("employer") and text[where.end():].strip(" .!?")):
        out.industry = _clean(text[where.end():])  # "I'm at a bakery", "I'm with the county": the employer
        out.duties = [d for d in out.duties if d not in (text, message)]
    elif (asked == "industry" and not out.industry and words <= BARE_INDUSTRY_WORDS and out.answer != "no"
          and _LETTER.search(bare) and set(out.items()) <= {"duties", "education"}
          and not (out.education and QUALIFICATION.search(out.education)) and not SAYING_I.match(bare)):
        # "community college" answering this question is where the job is, not the education; "a high school
        # diploma and a welding certificate" states other items and is no industry
        out.industry = _clean(bare)
        out.duties = []
        out.education = None
    elif (asked == "tools" and not out.tools and out.answer != "no" and not stated_other(out, "tools")
          and not SAYING_I.match(bare)):
        if _WORKPLACE_NOUN.search(bare) and len(bare.split()) <= 4:  # "public school": where, not what with
            out.industry = _clean(bare)
            out.duties = []
        elif _LETTER.search(bare) and (names := tool_names(bare)):
            out.tools = names
            out.duties = []
    elif (asked == "education" and not out.education and out.answer != "no" and _LETTER.search(bare)
          and not SAYING_I.match(bare)):
        if not stated_other(out, asked):
            out.education = _clean(bare)
        else:  # "trade school, I have my license": the clause that names a schooling, if one does
            out.education = next((_clean(c) for c in re.split(r"[,;]|\band\b", bare, flags=re.IGNORECASE)
                                  if EDUCATION_PATTERN.search(c) and not FIRST_PERSON.match(c.strip())), None)
        out.duties = [d for d in out.duties if len(d.split()) > BARE_INDUSTRY_WORDS]
    elif asked == "licenses" and not out.licenses:
        if out.answer == "no" or not _LETTER.search(bare):
            out.licenses = []
        elif words <= BARE_INDUSTRY_WORDS and not FIRST_PERSON.match(bare):  # "I give IV medications" is work
            out.licenses = [_clean(bare)]
            out.duties = []
    elif asked == "supervision_given" and not out.supervision_given and not stated_other(out, asked):
        if out.answer == "no":
            out.supervision_given = "none"
        elif out.answer == "yes" and FIRST_PERSON.match(bare):  # "Yes, I also weld beams": the work, not whom
            out.supervision_given = "yes"
        elif out.answer == "yes" or (words <= BARE_TITLE_WORDS and not FIRST_PERSON.match(bare)):
            # whom ("three cooks", "the night shift"); "I load and unload trucks" is a duty, not whom
            out.supervision_given = _clean(bare) or "yes"
            out.duties = []
    elif asked == "supervision_received" and not out.supervision_received and words <= BARE_INDUSTRY_WORDS:
        out.supervision_received = _clean(bare)
        out.duties = []
    elif asked == "experience" and not out.experience and words <= BARE_INDUSTRY_WORDS:
        out.experience = _clean(bare)
        out.duties = []
    elif asked == "duties" and not out.items() and not out.answer and PLACE_ALONE.match(text):
        out.industry = _clean(PLACE_ALONE.match(text).group("v"))  # "a restaurant": where, not what
    elif (asked == "duties" and set(out.items()) <= {"duties"} and out.duties in ([], [text], [message])
          and not out.answer and words <= EMPLOYER_ALONE_WORDS and EMPLOYER_NOUN.search(bare)
          and not FIRST_PERSON.match(bare) and not states_work(bare, work_verbs)):
        out.industry = _clean(place.group("v") if (place := PLACE_ALONE.match(bare)) else bare)
        out.duties = []  # "HVAC company", "an auto body shop": where, not what
    elif asked == "duties" and not out.items() and not out.answer and not out.denied and words >= 2:
        out.duties = [text]


def states_work(text: str, work_verbs: frozenset[str]) -> bool:
    """Whether `text` is a statement of work: two words or more led by one of `work_verbs` ("Tends machines ...",
    "Manages a team", "Assemble wooden boxes"). A name or a title does not start so ("Sales associate")."""
    words = text.split(maxsplit=2)
    return len(words) >= 2 and words[0].lower().strip(",.;:!?\"'") in work_verbs


_NO_TITLE_WORDS = frozenset({"the", "my", "our", "its", "a", "an", "it", "is", "s", "we", "are", "i", "m"})


def _only_an_industry(text: str) -> bool:
    """Whether a message says nothing but the industry ("The industry is retail", "It's in the retail industry",
    "the employer is the county"): no title, whatever was asked ("Cook in the restaurant industry" has one)."""
    for pattern in INDUSTRY_PATTERNS:
        if (m := pattern.search(text)) is not None:
            rest = re.findall(r"[a-z]+", (text[:m.start()] + " " + text[m.end():]).lower())
            if set(rest) <= _NO_TITLE_WORDS:
                return True
    return False


def stated_other(out: Extraction, asked: str) -> bool:
    """Whether the message stated an item other than the one asked, duties aside ("high school" answering the tools
    question is an education), so a bare answer does not fill the asked item as well."""
    return any(item not in (asked, "duties") for item in out.items())


def _split_setting(title: str) -> tuple[str, str | None]:
    """'Cook in a hospital kitchen' -> ('Cook', 'hospital kitchen'), 'Cashier at Walmart' -> ('Cashier', 'Walmart'):
    a bare title with its workplace after it. An employer's name goes with "at" only: "Vice President for Finance"
    and "Work with abused children" are no title and workplace."""
    end = len(title.rstrip(" .!"))
    for m in re.finditer(r"\s+(?:at|for|in|on|of)\b", title, flags=re.IGNORECASE):
        if not m.start():
            continue
        tail = title[m.start():]
        if (trailing := TRAILING_INDUSTRY.match(tail)) and m.start() + trailing.end() == end:
            return title[:m.start()], trailing.group("v")
        if (m.group().strip().lower() == "at" and (named := NAMED_WORKPLACE.match(tail))
                and m.start() + named.end() >= end):
            return title[:m.start()], named.group("v")
    return title, None


def _products_named(text: str, out: Extraction, products: frozenset[str]) -> None:
    """A message that only lists products ("QuickBooks and Dentrix", answering a question about the duties) names
    the tools used, not a duty. One word alone ("Blender") may as well be a title."""
    items = split_list(text)
    if (len(items) > 1 or len(text.split()) > 1) and all(item.lower() in products for item in items) and not any(
            getattr(out, item) for item in ("job_title", "industry", "education", "licenses", "supervision_given")):
        out.tools, out.duties = items, []


def tool_names(text: str) -> list[str]:
    """The tools a phrase lists, or [] when an item runs past `TOOL_MAX_WORDS`: the phrase states the work."""
    items = split_list(text)
    return items if items and max(len(item.split()) for item in items) <= TOOL_MAX_WORDS else []


def split_list(text: str) -> list[str]:
    """'a lathe, a drill press and Excel' -> ['lathe', 'drill press', 'Excel']."""
    parts = re.split(r",|;|\band\b|\bor\b|&", text)
    out = []
    for part in parts:
        part = re.sub(r"^\s*(?:an?|the|my|some|also)\s+", "", part.strip(), flags=re.IGNORECASE).strip(" .")
        part = re.sub(r"\s+(?:every day|daily|at work|on the job|a lot)$", "", part, flags=re.IGNORECASE)
        if part:
            out.append(part[:200])
    return out


def _plausible_title(value: str) -> bool:
    words = value.split()
    return 0 < len(words) <= 6 and value.lower().split()[0] not in {
        "bit", "little", "lot", "few", "very", "not", "so", "also", "just", "going", "looking", "trying",
        "working", "responsible", "in", "on", "at", "good", "new", "here", "happy", "sure", "able", "only", "one",
        "same", "best", "person", "first", "last", "job", "jobs", "position", "role", "worker", "employee",
        "stay", "unemployed", "between",
    }


def _without(sentence: str, spans: list[tuple[int, int]]) -> str:
    keep = [True] * len(sentence)
    for start, end in spans:
        for i in range(start, min(end, len(sentence))):
            keep[i] = False
    return "".join(ch if k else " " for ch, k in zip(sentence, keep, strict=True))


def _tidy(remnant: str) -> str:
    """What is left of a sentence once items are taken out, without the commas and joining words left dangling:
    "I work alone,  , I fix cars" -> "I work alone, I fix cars"; "and I weld beams" -> "I weld beams"."""
    text = re.sub(r"\s*([,;:])(?:\s*[,;:])+", r"\1", " ".join(remnant.split()))
    text = re.sub(r"\s+(?:and|but|or|so)\s*(?=[,;:.]|$)", "", text, flags=re.IGNORECASE)  # "an RN but , ..."
    text = re.sub(r"\s*([,;:])(?:\s*[,;:])+", r"\1", text).strip(" ,;:.")
    return re.sub(r"^(?:(?:and|but|so|also|actually)\b[\s,]*)+", "", text, flags=re.IGNORECASE).strip(" ,;:.")


def _clean(value: str) -> str:
    return " ".join(value.split()).strip(" ,;:.!?")[:200]
