"""The O*NET loader as its callers see it: what a release turns into, and what a broken one says."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.errors import OcaError, ReleaseError, UnknownCodeError
from retrieval.onet import KnowledgeBase, load_release, load_taxonomy, normalize_code

FIXTURES = Path(__file__).parents[1] / "fixtures"
ALL_OTHER = "29-1229.00"


def test_fixture_release_loads_every_occupation_and_its_records(fixture_kb: KnowledgeBase) -> None:
    occupations = fixture_kb.occupations.values()
    assert len(fixture_kb.occupations) == 13
    assert sum(len(o.alt_titles) for o in occupations) == 76
    assert sum(len(o.reported_titles) for o in occupations) == 36
    assert sum(len(o.tasks) for o in occupations) == 53  # 50 rated or unrated statements + 3 emerging
    assert sum(len(o.technology) for o in occupations) == 26
    assert sum(1 for o in occupations if o.has_data) == 12


def test_release_name_is_read_from_the_read_me(fixture_kb: KnowledgeBase) -> None:
    assert fixture_kb.release == "O*NET 29.9"


def test_occupation_carries_titles_description_and_related(fixture_kb: KnowledgeBase) -> None:
    nurse = fixture_kb.occupation("29-1141.00")
    assert nurse.title == "Registered Nurses"
    assert nurse.description.startswith("Assess patients")
    rn = next(a for a in nurse.alt_titles if a.title == "Registered Nurse (RN)")
    assert (rn.short_title, rn.sources) == ("RN", "02,04,08,10")
    assert "Staff Nurse" in [a.title for a in nurse.alt_titles]
    assert nurse.reported_titles == ["Staff Nurse", "Charge Nurse", "Registered Nurse (RN)"]
    assert nurse.tools == ["Infusion pumps", "Blood pressure cuffs", "Stethoscopes"]
    assert nurse.related == ["29-2061.00", "11-9111.00"]


def test_all_other_occupation_is_kept_without_data(fixture_kb: KnowledgeBase) -> None:
    occ = fixture_kb.occupation(ALL_OTHER)
    assert occ.title == "Physicians, All Other"
    assert not occ.has_data
    assert (occ.tasks, occ.alt_titles, occ.reported_titles, occ.dwas) == ([], [], [], [])
    assert occ.job_zone is None
    assert occ.typical_education is None


@pytest.mark.parametrize(
    ("code", "levels"),
    [
        (
            ALL_OTHER,
            [
                ("29-0000", "Healthcare Practitioners and Technical Occupations"),
                ("29-1000", "Healthcare Diagnosing or Treating Practitioners"),
                ("29-1210", "Physicians"),
                ("29-1229", "Physicians, All Other"),
            ],
        ),
        (
            "15-1252.00",
            [
                ("15-0000", "Computer and Mathematical Occupations"),
                ("15-1200", "Computer Occupations"),
                ("15-1250", "Software and Web Developers, Programmers, and Testers"),
                ("15-1252", "Software Developers"),
            ],
        ),
        (
            "41-2011.00",
            [
                ("41-0000", "Sales and Related Occupations"),
                ("41-2000", "Retail Sales Workers"),
                ("41-2010", "Cashiers"),
                ("41-2011", "Cashiers"),
            ],
        ),
    ],
)
def test_soc_hierarchy_names_major_minor_broad_and_detailed_groups(
    fixture_kb: KnowledgeBase, code: str, levels: list[tuple[str, str]]
) -> None:
    # Minor group 15-1200 and broad group 29-1210 do not follow the code pattern of their members.
    occ = fixture_kb.occupation(code)
    assert occ.soc_code == code[:7]
    groups = fixture_kb.taxonomy.hierarchy(occ.soc_code)
    assert [(g.code, g.title) for g in groups] == levels
    assert [g.level for g in groups] == ["major", "minor", "broad", "detailed"]


def test_detailed_group_has_its_definition(fixture_kb: KnowledgeBase) -> None:
    detailed = fixture_kb.taxonomy.groups["29-1141"]
    assert detailed.level == "detailed"
    assert detailed.definition.startswith("Assess patients")


def test_taxonomy_crosswalks_and_direct_match_titles(fixture_kb: KnowledgeBase) -> None:
    taxonomy = fixture_kb.taxonomy
    assert taxonomy.onetsoc2010_to_2019["15-1132.00"] == ["15-1252.00"]
    assert taxonomy.onetsoc2010_to_2019["29-1069.00"] == [ALL_OTHER]
    assert "Registered Nurse" in taxonomy.direct_match["29-1141"]
    assert taxonomy.onetsoc_to_soc["53-3032.00"] == "53-3032"


def test_tasks_are_core_supplemental_emerging_or_unrated(fixture_kb: KnowledgeBase) -> None:
    nurse = fixture_kb.occupation("29-1141.00")
    kinds = [t.kind for t in nurse.tasks]
    assert kinds.count("core") == 4
    assert kinds.count("supplemental") == 1
    emerging = [t for t in nurse.tasks if t.kind == "emerging"]
    assert [t.text for t in emerging] == ["Monitor patients at home using telehealth equipment."]
    assert emerging[0].task_id == ""
    assert nurse.tasks[0].task_id == "90401"

    chief = fixture_kb.occupation("11-1011.00")
    unrated = [t for t in chief.tasks if t.kind == ""]
    assert [t.text for t in unrated] == ["Negotiate the purchase or sale of business units."]


def test_hot_technology_is_flagged(fixture_kb: KnowledgeBase) -> None:
    nurse = fixture_kb.occupation("29-1141.00")
    hot = {t.example: t.hot for t in nurse.technology}
    assert hot == {"Epic Systems": True, "Microsoft Word": False, "MEDITECH software": False}
    assert nurse.technology[0].commodity == "Medical software"


def test_job_zone_and_typical_education(fixture_kb: KnowledgeBase) -> None:
    nurse = fixture_kb.occupation("29-1141.00")
    assert nurse.job_zone == 3
    assert fixture_kb.job_zone_names[3] == "Job Zone Three: Medium Preparation Needed"
    assert nurse.typical_education == 6
    assert fixture_kb.education_categories[6] == "Bachelor's Degree"
    assert fixture_kb.occupation("11-1011.00").typical_education == 8
    assert fixture_kb.occupation("41-2011.00").job_zone == 1


def test_education_reads_only_the_required_level_scale(fixture_kb: KnowledgeBase) -> None:
    # Each occupation also has a Related Work Experience row (category 11, 95%), which must not count.
    cashiers = fixture_kb.occupation("41-2011.00")
    assert cashiers.typical_education == 2
    assert set(cashiers.education) == set(range(1, 13))
    assert sum(cashiers.education.values()) == pytest.approx(100.0)
    assert set(fixture_kb.education_categories) == set(range(1, 13))


def test_dwas_are_deduplicated_per_occupation(fixture_kb: KnowledgeBase) -> None:
    nurse = fixture_kb.occupation("29-1141.00")
    monitor = "Monitor patient conditions during treatments, procedures, or activities."
    assert nurse.dwas.count(monitor) == 1
    assert len(nurse.dwas) == len(set(nurse.dwas)) == 6
    cashiers = fixture_kb.occupation("41-2011.00")
    assert cashiers.dwas.count("Process sales or other transactions.") == 1
    # The same activity still belongs to every occupation that performs it.
    assert "Process sales or other transactions." in fixture_kb.occupation("41-2031.00").dwas


def test_release_without_taxonomy_falls_back_to_the_code_prefix(fixture_release: Path) -> None:
    kb = load_release(fixture_release)
    assert kb.occupation(ALL_OTHER).soc_code == "29-1229"
    assert kb.taxonomy.groups == {}


def test_header_without_a_required_column_names_file_and_column() -> None:
    with pytest.raises(ReleaseError) as caught:
        load_release(FIXTURES / "onet_malformed")
    message = str(caught.value)
    assert "Task Statements.txt" in message
    assert "no column 'Task'" in message
    assert "O*NET-SOC Code, Task ID, Task, Task Type" in message


def test_short_row_names_file_line_and_expected_field_count() -> None:
    with pytest.raises(ReleaseError) as caught:
        load_release(FIXTURES / "onet_short_row")
    message = str(caught.value)
    assert "Occupation Data.txt" in message
    assert "line 3" in message
    assert "2 fields where at least 3 were expected" in message


def test_release_with_job_titles_instead_of_alternate_titles_loads() -> None:
    kb = load_release(FIXTURES / "onet_renamed")
    assert kb.release == "O*NET 30.0"
    nurse = kb.occupation("29-1141.00")
    assert "Staff Nurse" in [a.title for a in nurse.alt_titles]
    rn = next(a for a in nurse.alt_titles if a.title == "Registered Nurse (RN)")
    assert rn.short_title == "RN"
    assert [a.title for a in kb.occupation("41-2011.00").alt_titles][0] == "Check Out Clerk"


def test_csv_release_is_refused_with_a_pointer_to_the_text_release() -> None:
    with pytest.raises(ReleaseError) as caught:
        load_release(FIXTURES / "onet_csv")
    message = str(caught.value)
    assert "Occupation Data.txt" in message
    assert "CSV" in message
    assert "occupation_data.csv" in message
    assert "text release" in message


def test_missing_release_folder_says_to_set_oca_onet_dir(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="OCA_ONET_DIR"):
        load_release(tmp_path / "db_29_3_text")


def test_missing_taxonomy_folder_says_to_set_oca_taxonomy_dir(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="OCA_TAXONOMY_DIR"):
        load_taxonomy(tmp_path / "taxonomy")


def test_empty_release_folder_lists_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="has no Occupation Data.txt; found nothing"):
        load_release(tmp_path)


def test_release_errors_share_the_product_root() -> None:
    assert issubclass(ReleaseError, OcaError)
    assert issubclass(UnknownCodeError, OcaError)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("29-1141", "29-1141.00"), ("29-1141.00", "29-1141.00"), (" 41-2011 ", "41-2011.00"), ("29-1141.01", "29-1141.01")],
)
def test_normalize_code(given: str, expected: str) -> None:
    assert normalize_code(given) == expected


def test_occupation_accepts_a_soc_code(fixture_kb: KnowledgeBase) -> None:
    assert fixture_kb.occupation("29-1141").code == "29-1141.00"


def test_unknown_code_raises_and_names_the_release(fixture_kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownCodeError, match=r"'99-9999\.00'.*O\*NET 29\.9"):
        fixture_kb.occupation("99-9999.00")


@pytest.mark.real_data
class TestRealRelease:
    def test_has_every_occupation(self, real_kb: KnowledgeBase) -> None:
        assert real_kb.release == "O*NET 29.3"
        assert len(real_kb.occupations) == 1016

    def test_every_occupation_maps_to_a_detailed_soc_group(self, real_kb: KnowledgeBase) -> None:
        for occ in real_kb.occupations.values():
            groups = real_kb.taxonomy.hierarchy(occ.soc_code)
            assert groups, occ.code
            assert (groups[-1].code, groups[-1].level) == (occ.soc_code, "detailed"), occ.code

    def test_every_hierarchy_has_all_four_levels(self, real_kb: KnowledgeBase) -> None:
        incomplete = {
            occ.code: [g.code for g in real_kb.taxonomy.hierarchy(occ.soc_code)]
            for occ in real_kb.occupations.values()
            if [g.level for g in real_kb.taxonomy.hierarchy(occ.soc_code)] != ["major", "minor", "broad", "detailed"]
        }
        assert incomplete == {}

    def test_alternate_titles(self, real_kb: KnowledgeBase) -> None:
        assert sum(len(o.alt_titles) for o in real_kb.occupations.values()) == 56560

    def test_registered_nurses(self, real_kb: KnowledgeBase) -> None:
        nurse = real_kb.occupation("29-1141")
        assert nurse.job_zone is not None
        assert len(nurse.tasks) > 10
        assert nurse.typical_education is not None
