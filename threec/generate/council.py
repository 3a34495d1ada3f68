"""The fixed parts of the fictional council: teams, localities, postcodes, hospitals.

Nothing here is random. Everything that varies from run to run (people, journeys,
costs) lives in the simulation modules and draws on these tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

COUNCIL_NAME = "Fernwell City Council"

# Localities and the postcode districts (outward codes FW1..FW15) that make them up.
LOCALITIES = ("Central", "North", "South", "East", "West")
LOCALITY_WEIGHTS = (0.18, 0.22, 0.22, 0.20, 0.18)
POSTCODE_AREA = "FW"
# district numbers per locality, index-aligned with LOCALITIES
LOCALITY_DISTRICTS = ((1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12), (13, 14, 15))
# letters a UK inward code may end with (no C, I, K, M, O, V)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    team_type: str
    locality: str | None
    go_live: date | None
    # Share of direct C1/C1A -> C3 escalations left unexplained once live on 3Cs;
    # before go-live (old model) every team uses OLD_MODEL_UNEXPLAINED.
    unexplained: float
    # Share of escalations with no peer challenge (huddle) once live.
    unchallenged: float
    # Share of escalating first conversations closed within two days once live.
    quick_escalation: float
    # Multiplier on the chance a first conversation goes straight on to a C3.
    c3_bias: float = 1.0
    workers: int = 20  # nominal team size at the default 4,000 people


TEAMS: tuple[Team, ...] = (
    Team("T-FD", "Adult Social Care Front Door", "FRONT_DOOR", "Citywide", date(2023, 5, 2),
         unexplained=0.27, unchallenged=0.30, quick_escalation=0.15, workers=24),
    Team("T-CN", "Community Team North", "COMMUNITY", "North", date(2023, 5, 2),
         unexplained=0.05, unchallenged=0.08, quick_escalation=0.04),
    Team("T-CS", "Community Team South", "COMMUNITY", "South", date(2023, 11, 6),
         unexplained=0.24, unchallenged=0.18, quick_escalation=0.12),
    Team("T-CE", "Community Team East", "COMMUNITY", "East", date(2024, 4, 8),
         unexplained=0.12, unchallenged=0.12, quick_escalation=0.06),
    Team("T-CW", "Community Team West", "COMMUNITY", "West", None,
         unexplained=0.40, unchallenged=0.70, quick_escalation=0.12),
    Team("T-HG", "Hospital Social Work Team, Fernwell General", "HOSPITAL", "Central", date(2023, 9, 4),
         unexplained=0.09, unchallenged=0.15, quick_escalation=0.10, c3_bias=1.2),
    Team("T-HR", "Hospital Team (Riverside & Ashby community hospitals)", "HOSPITAL", "South", None,
         unexplained=0.38, unchallenged=0.65, quick_escalation=0.15, c3_bias=1.2, workers=10),
    Team("T-RV", "Reviewing Team", "REVIEW", "Citywide", date(2024, 7, 1),
         unexplained=0.15, unchallenged=0.20, quick_escalation=0.05),
    Team("T-LD", "Learning Disability Team", "SPECIALIST", "Citywide", None,
         unexplained=0.30, unchallenged=0.60, quick_escalation=0.06, workers=12),
    Team("T-MH", "Mental Health Social Work Team", "SPECIALIST", "Citywide", date(2024, 2, 5),
         unexplained=0.11, unchallenged=0.14, quick_escalation=0.05, workers=12),
    Team("T-EAB", "Enhanced Assessment Beds Team", "ENHANCED_ASSESSMENT_BEDS", "Central", date(2023, 7, 3),
         unexplained=0.06, unchallenged=0.10, quick_escalation=0.06, c3_bias=2.2, workers=8),
)

TEAM_INDEX = {t.team_id: i for i, t in enumerate(TEAMS)}
FRONT_DOOR = TEAM_INDEX["T-FD"]
COMMUNITY_BY_LOCALITY = (TEAM_INDEX["T-CN"], TEAM_INDEX["T-CN"], TEAM_INDEX["T-CS"],
                         TEAM_INDEX["T-CE"], TEAM_INDEX["T-CW"])  # Central is covered by North
HOSPITAL_GENERAL = TEAM_INDEX["T-HG"]
HOSPITAL_RIVERSIDE = TEAM_INDEX["T-HR"]
REVIEW = TEAM_INDEX["T-RV"]
LEARNING_DISABILITY = TEAM_INDEX["T-LD"]
MENTAL_HEALTH = TEAM_INDEX["T-MH"]
EAB = TEAM_INDEX["T-EAB"]

OLD_MODEL_UNEXPLAINED = 0.42
OLD_MODEL_UNCHALLENGED = 0.75
OLD_MODEL_QUICK = 0.10

# Day the team records were first keyed into the case system.
TEAMS_CREATED = date(2021, 1, 4)


@dataclass(frozen=True)
class Hospital:
    code: str  # ODS-like site code
    name: str
    bed_type: str
    team: int  # the hospital social work team that covers it
    weight: float


HOSPITALS: tuple[Hospital, ...] = (
    Hospital("RFW01", "Fernwell General Hospital", "ACUTE", HOSPITAL_GENERAL, 0.50),
    Hospital("RFW02", "Fernwell General Hospital, Elderly Care Unit", "ACUTE", HOSPITAL_GENERAL, 0.14),
    Hospital("RFX10", "Riverside Community Hospital", "NON_ACUTE", HOSPITAL_RIVERSIDE, 0.16),
    Hospital("RFX11", "Ashby Community Hospital", "NON_ACUTE", HOSPITAL_RIVERSIDE, 0.08),
    Hospital("RQW05", "Northbrook University Hospital", "ACUTE", HOSPITAL_GENERAL, 0.07),
    Hospital("NFW3A", "Fernwell Rehabilitation Unit (independent sector)", "NON_ACUTE", HOSPITAL_RIVERSIDE, 0.05),
)

PROVIDERS_PER_KIND = 40  # provider ids PRV0001.. are drawn from a pool this size per service kind
