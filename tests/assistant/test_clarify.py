"""Question choice on the fixture release's candidates, and how an answer moves each candidate."""

from __future__ import annotations

import pytest

from assistant.clarify import Weighed, choose_question, entropy, needs_question
from assistant.parta import Duty, PartA
from assistant.rerank import (Evidence, ProfileIndex, education_zone, evidence_of, is_supervisory, log_factors,
                              names_a_kind,
                              rank_part_a, reweight, supervises_occasionally)
from retrieval.models import Candidate, CodingResult, Query
from retrieval.onet import KnowledgeBase

RN, LPN = "29-1141.00", "29-2061.00"
SALES, SALES_SUPERVISOR = "41-2031.00", "41-1011.00"
COOK, CHEF = "35-2014.00", "35-1011.00"
CASHIER, SEWER, TRUCKER = "41-2011.00", "51-6031.00", "53-3032.00"


@pytest.fixture(scope="module")
def index(fixture_kb: KnowledgeBase) -> ProfileIndex:
    return ProfileIndex.build(fixture_kb)


def weighed(kb: KnowledgeBase, *pairs: tuple[str, float]) -> list[Weighed]:
    return [Weighed(code, kb.occupations[code].title, p) for code, p in pairs]


def test_supervisor_against_worker_asks_about_supervision(fixture_kb, index):
    q = choose_question(weighed(fixture_kb, (SALES, 0.5), (SALES_SUPERVISOR, 0.45)), fixture_kb, PartA(), [], index)
    assert q is not None and q.kind == "supervision"
    assert "supervise" in q.text


def test_registered_against_practical_nurse_asks_about_the_licence(fixture_kb, index):
    q = choose_question(weighed(fixture_kb, (RN, 0.5), (LPN, 0.45)), fixture_kb, PartA(), [], index)
    assert q is not None and q.kind == "licence"


def test_a_question_already_answered_in_part_a_is_not_asked(fixture_kb, index):
    part_a = PartA(supervision_given="none")
    q = choose_question(weighed(fixture_kb, (SALES, 0.5), (SALES_SUPERVISOR, 0.45)), fixture_kb, part_a, [], index)
    assert q is not None and q.kind != "supervision"


def test_unrelated_candidates_are_asked_which_duty_fits_with_one_duty_from_each(fixture_kb, index):
    q = choose_question(weighed(fixture_kb, (CASHIER, 0.35), (SEWER, 0.33), (TRUCKER, 0.32)), fixture_kb, PartA(),
                        [], index)
    assert q is not None and q.kind == "duties"
    assert len(q.options) == 3
    owners = []
    for option in q.options:
        owners += [code for code in (CASHIER, SEWER, TRUCKER)
                   if option in [t.text for t in fixture_kb.occupations[code].tasks] + fixture_kb.occupations[code].dwas]
    assert sorted(owners) == sorted([CASHIER, SEWER, TRUCKER])
    assert all(option in q.text for option in q.options)


def test_statements_offered_before_are_not_offered_again(fixture_kb, index):
    top = weighed(fixture_kb, (CASHIER, 0.35), (SEWER, 0.33), (TRUCKER, 0.32))
    first = choose_question(top, fixture_kb, PartA(), [], index)
    second = choose_question(top, fixture_kb, PartA(), ["duties", *first.options], index)
    assert second is not None
    assert not set(second.options) & set(first.options)


def test_work_the_customer_said_the_job_does_not_include_is_not_offered(fixture_kb, index):
    top = weighed(fixture_kb, (CASHIER, 0.35), (SEWER, 0.33), (TRUCKER, 0.32))
    first = choose_question(top, fixture_kb, PartA(), [], index)
    offered = first.options[0]
    again = choose_question(top, fixture_kb, PartA(), [], index, denied=[offered.lower().rstrip(".")])
    assert again is not None and offered not in again.options
    unrelated = choose_question(top, fixture_kb, PartA(), [], index, denied=["teach piano lessons"])
    assert unrelated.options == first.options


def test_a_clear_leader_needs_no_question(fixture_kb):
    assert not needs_question(weighed(fixture_kb, (CASHIER, 0.9), (SALES, 0.05), (SEWER, 0.05)))
    assert needs_question(weighed(fixture_kb, (CASHIER, 0.5), (SALES, 0.45), (SEWER, 0.05)))


def test_a_single_candidate_gets_no_question(fixture_kb, index):
    assert choose_question(weighed(fixture_kb, (CASHIER, 1.0)), fixture_kb, PartA(), [], index) is None


def test_the_question_that_splits_the_mass_evenly_is_preferred():
    assert entropy([0.5, 0.5]) > entropy([0.9, 0.1]) > 0
    assert entropy([1 / 3] * 3) > entropy([0.5, 0.5])


def test_supervisors_are_recognised_by_soc_group_not_only_by_title(fixture_kb):
    assert is_supervisory(fixture_kb.occupations[CHEF])  # 35-1011, minor group 35-1000
    assert is_supervisory(fixture_kb.occupations[SALES_SUPERVISOR])
    assert not is_supervisory(fixture_kb.occupations[COOK])
    assert not is_supervisory(fixture_kb.occupations["15-1252.00"])  # 15-1200 is not a supervisors' group


def _ranked(kb, codes, evidence, index, probs):
    after = reweight(probs, log_factors(codes, evidence, kb))
    return [codes[i] for i in sorted(range(len(codes)), key=lambda i: -after[i])], after


def test_saying_you_supervise_lifts_the_supervisor(fixture_kb, index):
    order, after = _ranked(fixture_kb, [SALES, SALES_SUPERVISOR], Evidence(supervises=True), index, [0.6, 0.3])
    assert order[0] == SALES_SUPERVISOR
    assert after.sum() == pytest.approx(0.9)  # the pair keeps the share of probability it had
    order, _ = _ranked(fixture_kb, [SALES_SUPERVISOR, SALES], Evidence(supervises=False), index, [0.6, 0.3])
    assert order[0] == SALES


def test_education_moves_toward_the_matching_job_zone(fixture_kb, index):
    order, _ = _ranked(fixture_kb, [CHEF, COOK], Evidence(education_zone=2), index, [0.55, 0.45])
    assert order[0] == COOK  # job zone 2 against the chef's 3


@pytest.mark.parametrize(("education", "zone"), [
    ("a certificate program at a beauty school", 3), ("barber school", 3), ("a police academy", 3),
    ("law school", 5), ("high school", 2), ("the school", None), ("night school", None),
])
def test_a_school_for_a_trade_points_to_job_zone_three(education, zone):
    assert education_zone(education) == zone


@pytest.mark.parametrize(("licence", "first"), [("RN license", RN), ("LPN license", LPN)])
def test_the_licence_named_lifts_the_occupation_it_names(fixture_kb, index, licence, first):
    order, _ = _ranked(fixture_kb, [LPN, RN] if first == RN else [RN, LPN], Evidence(licences=(licence,)),
                       index, [0.55, 0.45])
    assert order[0] == first


def test_no_evidence_leaves_the_ranking_alone(fixture_kb, index):
    order, after = _ranked(fixture_kb, [CASHIER, SALES], Evidence(), index, [0.6, 0.3])
    assert order == [CASHIER, SALES]
    assert after.tolist() == pytest.approx([0.6, 0.3])


class _Engine:
    """The engine as `rank_part_a` sees it: a ranking whose best few miss the supervisor of their work."""

    def __init__(self, kb: KnowledgeBase, ranking: list[tuple[str, float]], heads: dict[str, str]) -> None:
        self.kb = kb
        self.codes = list(kb.occupations)
        self._ranking = ranking
        self._heads = heads
        self.asked: list[int] = []

    def code(self, title=None, description=None, industry=None, k=10):
        self.asked.append(k)
        candidates = [Candidate.model_construct(rank=r + 1, code=code, title=self.kb.occupations[code].title,
                                                confidence=p, evidence=[])
                      for r, (code, p) in enumerate(self._ranking[:k])]
        return CodingResult.model_construct(query=Query(description=description), candidates=candidates)

    def supervisor_of(self, code: str) -> str | None:
        return self._heads.get(code)


def test_saying_you_supervise_the_work_brings_in_its_supervisor_the_engine_ranked_low(fixture_kb):
    """SOC codes a first-line supervisor by the work supervised: the words describe the salespeople's work,
    and the customer says they supervise them."""
    ranking = [(SALES, 0.5), (CASHIER, 0.3), (SEWER, 0.1), (TRUCKER, 0.05), (SALES_SUPERVISOR, 0.01)]
    engine = _Engine(fixture_kb, ranking, {SALES: SALES_SUPERVISOR, CASHIER: SALES_SUPERVISOR})
    part_a = PartA(summary="I sell furniture on the shop floor and help customers choose sofas.",
                   supervision_given="the six sales associates on my shift")
    result = rank_part_a(part_a, engine, 3)
    assert [c.code for c in result.candidates][0] == SALES_SUPERVISOR
    assert len(result.candidates) == 3
    assert engine.asked == [3, len(engine.codes)]  # the full ranking only to fetch the missing supervisor

    engine = _Engine(fixture_kb, ranking, {SALES: SALES_SUPERVISOR, CASHIER: SALES_SUPERVISOR})
    no = rank_part_a(part_a.model_copy(update={"supervision_given": "none"}), engine, 3)
    assert [c.code for c in no.candidates] == [SALES, CASHIER, SEWER]
    assert engine.asked == [3]


@pytest.mark.parametrize(("duty", "said", "occasional"), [
    ("May direct workers in cleaning the crusher.", "direct workers in cleaning the crusher", True),
    ("I sometimes lead the crew when the foreman is away.", "lead the crew when the foreman is away", True),
    ("I supervise six cooks and plan the menus.", "I supervise six cooks and plan the menus", False),
    # one learner or helper: a journeyman's part of the work, not a supervisor's job
    ("I fix leaks and install water heaters.", "I supervise an apprentice", True),
    # learners of the trade, any number: SOC codes apprentices with the trade, so whoever teaches them works in it
    ("I fix leaks and install water heaters.", "two apprentices", True),
    ("I fix leaks and install water heaters.", "I supervise 3 plumbing apprentices", True),
    ("I fix leaks and install water heaters.", "two helpers", False),
    ("I fix leaks and install water heaters.", "I supervise two apprentices and 6 plumbers", False),
])
def test_supervising_said_as_an_occasional_duty_is_a_lead_worker(fixture_kb, duty, said, occasional):
    """SOC codes a lead worker who also does the work with the workers: no share moves to their supervisor."""
    part_a = PartA(duties=[Duty(text=duty)], supervision_given=said)
    assert supervises_occasionally(part_a) is occasional
    engine = _Engine(fixture_kb, [(SALES, 0.5), (CASHIER, 0.3), (SEWER, 0.1), (SALES_SUPERVISOR, 0.01)],
                     {SALES: SALES_SUPERVISOR})
    rank_part_a(part_a, engine, 3)
    assert engine.asked == ([3] if occasional else [3, len(engine.codes)])


@pytest.mark.parametrize(("given", "supervises"), [
    ("none", False), ("n/a", False), ("zero", False), ("I don't supervise anyone", False),
    ("no direct reports", False), ("6 nurses", True), ("the workers who assemble chairs", True),
])
def test_a_no_in_the_supervision_item_is_read_as_the_part_b_check_reads_it(given: str, supervises: bool) -> None:
    """The chat's re-weighting and Part B's supervision check read one answer the same way: "n/a" typed into the
    form must not lift the supervisors while the check says the job supervises no one."""
    from assistant.evidence import customer_supervises

    part_a = PartA(supervision_given=given)
    assert evidence_of(part_a).supervises is supervises
    assert customer_supervises(part_a)[0] is supervises


@pytest.mark.real_data
def test_the_duty_offered_for_each_candidate_is_one_typical_of_it(real_kb: KnowledgeBase) -> None:
    """Of the statements that tell a candidate from the others, the one offered says what that occupation does (it
    shares words with the occupation's own title or description), not a side task ("Hire, train, or supervise new
    employees or apprentices" for Sheet Metal Workers) or a work activity that hundreds of occupations share."""
    index = ProfileIndex.build(real_kb)
    analyse = index.vectorizer.build_analyzer()
    row_of = {text: i for i, text in enumerate(index.texts)}
    for codes in (("51-4121.00", "51-2041.00", "47-2211.00"),  # welders, structural metal fabricators, sheet metal
                  ("43-4051.00", "41-2031.00", "43-4171.00")):  # customer service, retail sales, receptionists
        top = weighed(real_kb, (codes[0], 0.4), (codes[1], 0.3), (codes[2], 0.3))
        q = choose_question(top, real_kb, PartA(supervision_given="no", education="high school"), [], index)
        assert q is not None and q.kind == "duties" and len(q.options) == 3
        for option in q.options:
            owner = next(code for code in codes if row_of[option] in set(index.duty_rows[code].tolist()))
            occ = real_kb.occupations[owner]
            assert set(analyse(option)) & set(analyse(f"{occ.title} {occ.description}")), (owner, option)
            assert index.spread[row_of[option]] <= 10, option


@pytest.mark.real_data
def test_the_tools_offered_are_mostly_ones_the_occupations_own_work_names(real_kb: KnowledgeBase) -> None:
    """A tool offered should be one a worker would recognise: O*NET's list holds rare commodity names ("Double
    deckers", "Autoscalars") as well as the tools an occupation's own tasks name. Before tools named in the tasks
    counted as typical, 12 of these 24 offered tools shared a word with their occupation's own text."""
    index = ProfileIndex.build(real_kb)
    analyse = index.vectorizer.build_analyzer()
    row_of = {text: i for i, text in enumerate(index.texts)}
    named = offered = 0
    for codes in (("53-7065.00", "53-7064.00", "45-2092.00"), ("51-4121.00", "51-4122.00", "51-9198.00"),
                  ("35-2014.00", "35-2021.00", "35-3023.00"), ("47-2111.00", "49-9071.00", "47-2152.00"),
                  ("31-9091.00", "29-1292.00", "43-6013.00"), ("53-3032.00", "53-3033.00", "53-7051.00"),
                  ("49-3023.00", "49-3031.00", "49-3021.00"), ("37-2011.00", "37-2012.00", "37-1011.00")):
        top = weighed(real_kb, (codes[0], 0.4), (codes[1], 0.3), (codes[2], 0.3))
        q = choose_question(top, real_kb, PartA(supervision_given="no", education="high school"),
                            ["duties", "duties"], index)
        assert q is not None and q.kind == "tools"
        for option in q.options:
            owner = real_kb.occupations[next(c for c in codes if row_of[option] in set(index.tool_rows[c].tolist()))]
            own = " ".join([t.text for t in owner.tasks] + list(owner.dwas) + [owner.title, owner.description or ""])
            named += bool(set(analyse(option)) & set(analyse(own)))
            offered += 1
    assert offered == 24
    assert named >= 18


@pytest.mark.parametrize(("example", "kind"), [
    ("Route planning software", True), ("Soil information databases", True),
    ("Computer aided design CAD software", True), ("Computer-aided inspection software", True),
    ("Geographic information system GIS databases", True),
    ("bMobile Technology Sales", False), ("Capital Codeworks MenuMax", False), ("Microsoft Excel", False),
    ("Online Computer Library Center (OCLC) databases", False), ("FreightDATA", False), ("Cooking e-books", False),
])
def test_a_kind_of_software_is_told_from_one_makers_product(example: str, kind: bool) -> None:
    assert names_a_kind(example) is kind


@pytest.mark.real_data
def test_a_tools_question_offers_no_product_few_customers_would_know(real_kb: KnowledgeBase) -> None:
    """Van, light-truck and tractor-trailer drivers: O*NET lists route-accounting products only their makers' customers
    know ("bMobile Technology Sales", "ddlsoftware.com drivers daily log program DDL"), which the question used to
    offer. It offers equipment, kinds of software and the products O*NET finds in many job postings (hot)."""
    index = ProfileIndex.build(real_kb)
    codes = ("53-3031.00", "53-3033.00", "53-3032.00")
    top = weighed(real_kb, (codes[0], 0.4), (codes[1], 0.3), (codes[2], 0.3))
    q = choose_question(top, real_kb, PartA(supervision_given="no", education="high school"), ["duties", "duties"],
                        index)
    assert q is not None and q.kind == "tools" and len(q.options) >= 2
    products = {t.example for c in codes for t in real_kb.occupations[c].technology
                if not t.hot and not names_a_kind(t.example)}
    assert products and not products & set(q.options), q.options
    equipment = {tool for c in codes for tool in real_kb.occupations[c].tools}
    assert equipment & set(q.options), q.options
