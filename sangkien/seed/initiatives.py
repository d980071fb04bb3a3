"""Drawing the campaigns' initiatives, without touching the database.

Two campaigns are seeded at every scale:

- ``1TRIEU``: the national campaign "1 triệu sáng kiến" (01/9/2021–01/9/2023; entry opened
  08/01/2022; phase 1 to 31/5/2022, phase 2 to 01/9/2023), owned by the root;
- ``TH-2026``: a campaign of the Thanh Hóa federation open through 2026–2027, so that entry
  works today.

Initiatives are shared out over the grassroots units in proportion to their members (with
some units keener than others); each unit draws from its own random streams, seeded by
(seed, unit code), so a seed gives the same rows whatever the batch size or database.

Ids follow the time of creation, as they do when people type initiatives in: a first pass
draws every initiative's creation time (one integer each), the ids are the ranks of those
times, and a second pass then writes the rows unit by unit. Every row is what the services
would have left: statuses reached through `TRANSITIONS` with one history row per step,
`submitted_at` the first submission, decision fields as the last decision left them,
`version` one more per step, authors' shares adding up to 100.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sangkien.initiatives.models import TRANSITIONS
from sangkien.text import fold

from . import ideas as I
from .generator import TYPES, Picker, Plan, PlannedUnit, person_name, split_count

# Vietnam keeps UTC+7 all year; times are drawn in local time and stored in UTC.
LOCAL_OFFSET = 7 * 3600
DAY = 86400
# The day the synthetic history stops (fixed, so a seed gives the same data on any day).
SEED_TODAY = dt.date(2026, 11, 20)


@dataclass(frozen=True)
class CampaignDef:
    code: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    phases: list[tuple[str, dt.date, dt.date]]
    fields: list[tuple[str, str]]
    requires_recognition: bool
    owner: str  # "root" or "province"
    # When entries were accepted in the synthetic history (first and last day).
    entry_from: dt.date
    entry_to: dt.date
    # Creation dates: (share, first day, last day) segments.
    seasons: list[tuple[float, dt.date, dt.date]]
    statuses: list[tuple[str, float]]
    description: str = ""


NATIONAL = CampaignDef(
    code="1TRIEU",
    name=("1 triệu sáng kiến – nỗ lực vượt khó, sáng tạo, quyết tâm chiến thắng đại dịch COVID-19"),
    starts_on=dt.date(2021, 9, 1),
    ends_on=dt.date(2023, 9, 1),
    phases=[
        ("Đợt 1", dt.date(2022, 1, 8), dt.date(2022, 5, 31)),
        ("Đợt 2", dt.date(2022, 6, 1), dt.date(2023, 9, 1)),
    ],
    fields=I.FIELDS,
    requires_recognition=True,
    owner="root",
    entry_from=dt.date(2022, 1, 8),
    entry_to=dt.date(2023, 8, 29),
    seasons=[
        (0.30, dt.date(2022, 1, 8), dt.date(2022, 5, 31)),
        (0.38, dt.date(2022, 6, 1), dt.date(2022, 12, 31)),
        (0.32, dt.date(2023, 1, 1), dt.date(2023, 8, 29)),
    ],
    statuses=[
        ("valid", 72),
        ("submitted", 10),
        ("returned", 5),
        ("invalid", 8),
        ("withdrawn", 3),
        ("draft", 2),
    ],  # fmt: skip
    description=(
        "Phong trào thi đua do Tổng Liên đoàn Lao động Việt Nam phát động: mỗi đoàn viên, "
        "người lao động có ít nhất một sáng kiến, giải pháp đã được công nhận, áp dụng lần đầu "
        "trong thời gian phong trào. Nhập trực tuyến từ 08/01/2022."
    ),
)
PROVINCE = CampaignDef(
    code="TH-2026",
    name="Lao động sáng tạo – Thanh Hóa phát triển 2026–2027",
    starts_on=dt.date(2026, 1, 1),
    ends_on=dt.date(2027, 12, 31),
    phases=[
        ("Năm 2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("Năm 2027", dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
    ],
    fields=I.PROVINCE_FIELDS,
    requires_recognition=False,
    owner="province",
    entry_from=dt.date(2026, 1, 5),
    entry_to=SEED_TODAY,
    seasons=[
        (0.45, dt.date(2026, 1, 5), dt.date(2026, 6, 30)),
        (0.55, dt.date(2026, 7, 1), SEED_TODAY),
    ],
    statuses=[
        ("valid", 35),
        ("submitted", 40),
        ("returned", 8),
        ("invalid", 6),
        ("withdrawn", 3),
        ("draft", 8),
    ],  # fmt: skip
    description=(
        "Phong trào của Liên đoàn Lao động tỉnh Thanh Hóa: sáng kiến, giải pháp áp dụng lần "
        "đầu từ 01/01/2026; khuyến khích nhưng không bắt buộc kèm quyết định công nhận."
    ),
)
CAMPAIGNS = [NATIONAL, PROVINCE]
# Share of a Thanh Hóa unit's initiatives entered in the provincial campaign.
PROVINCE_SHARE = 0.15
# The province whose federation runs the second campaign (and hosts the demo users).
PROVINCE_CODE = "TH"


def local_start(day: dt.date) -> int:
    """Seconds since the epoch (UTC) at local midnight starting `day`."""
    return (day.toordinal() - 719163) * DAY - LOCAL_OFFSET


def local_day(ts: int) -> int:
    """The local date of `ts`, as an ordinal."""
    return (ts + LOCAL_OFFSET) // DAY + 719163


@dataclass
class CampaignIds:
    """A seeded campaign as the rows need it."""

    spec: CampaignDef
    id: int
    owner_path: str
    phases: list[tuple[int, int, int]]  # (phase id, first second, first second after)
    fields: dict[str, int]  # code → id

    def phase_at(self, ts: int) -> int | None:
        for pk, start, end in self.phases:
            if start <= ts < end:
                return pk
        return None


@dataclass
class Actors:
    """The demo users the rows mention (ids), and where they work (paths)."""

    member_user: int | None = None
    member_id: int | None = None  # the demo member's member record
    member_unit: int | None = None
    support_user: int | None = None
    support_path: str = "~"
    # (path, user ids) deepest first: who decides initiatives of units under `path`.
    deciders: list[tuple[str, list[int]]] = field(default_factory=list)

    def decider(self, path: str, rng: random.Random) -> int | None:
        for prefix, users in self.deciders:
            if path.startswith(prefix):
                return users[0] if len(users) == 1 else rng.choice(users)
        return None


# What the demo member's unit holds first, in this order: the member's own initiatives in
# several statuses, then colleagues' pending ones for the grassroots officer's queue.
# (campaign index, status, path variant, authored by the demo member)
DEMO_SPECS: list[tuple[int, str, str, bool]] = [
    (0, "valid", "lower", True),
    (0, "valid", "after_return", True),
    (0, "invalid", "", True),
    (0, "withdrawn", "submitted", True),
    (1, "valid", "", True),
    (1, "submitted", "", True),
    (1, "returned", "", True),
    (1, "draft", "", True),
    (1, "submitted", "", False),
    (1, "submitted", "", False),
    (1, "submitted", "after_return", False),
    (1, "submitted", "", False),
]
DEMO_UNIT_MIN = 30

AUTHOR_COUNTS = Picker([("1", 55), ("2", 30), ("3", 15)])
SHARES: dict[int, list[tuple[int, ...]]] = {
    1: [(100,)],
    2: [(50, 50), (60, 40), (70, 30), (80, 20)],
    3: [(40, 30, 30), (50, 30, 20), (34, 33, 33), (60, 20, 20), (50, 25, 25)],
}
QUALIFICATION = Picker(I.QUALIFICATIONS)
FIELD_PICKERS = {
    profile: Picker(list(weights.items())) for profile, weights in I.PROFILE_FIELDS.items()
}
DEFAULT_FIELD_PICKER = Picker(list(I.DEFAULT_FIELDS.items()))
# Working hours weigh more; people also type in the evening.
HOURS = Picker([(str(h), w) for h, w in [
    (6, 1), (7, 4), (8, 9), (9, 10), (10, 10), (11, 7), (12, 3), (13, 6), (14, 10), (15, 10),
    (16, 9), (17, 5), (18, 3), (19, 4), (20, 5), (21, 4), (22, 2),
]])  # fmt: skip


@dataclass
class InitiativePlan:
    """Where the initiatives go and when each was created, before any row is drawn."""

    units: list[PlannedUnit]  # grassroots, in plan order
    counts: list[int]
    offsets: list[int]
    keys: array  # per initiative in generation order: created second × 2 + campaign index
    ids: array  # per initiative in generation order

    @property
    def total(self) -> int:
        return len(self.keys)


def share_out(plan: Plan, total: int, seed: int, demo_unit: int | None = None) -> list[int]:
    """Initiatives per grassroots unit (plan order): in proportion to members, some units
    keener than others; the demo member's unit gets at least DEMO_UNIT_MIN."""
    rng = random.Random(f"sangkien:{seed}:initiatives:share")
    units = plan.grassroots
    weights = [u.size * rng.lognormvariate(0, 0.5) for u in units]
    counts = split_count(total, weights)
    if demo_unit is not None and total >= DEMO_UNIT_MIN * 4:
        i = next((i for i, u in enumerate(units) if u.id == demo_unit), None)
        if i is not None and counts[i] < DEMO_UNIT_MIN:
            donor = max(range(len(counts)), key=counts.__getitem__)
            moved = DEMO_UNIT_MIN - counts[i]
            counts[donor] -= moved
            counts[i] += moved
    return counts


def _draw_created(rng: random.Random, spec: CampaignDef) -> int:
    r = rng.random()
    acc = 0.0
    season = spec.seasons[-1]
    for s in spec.seasons:
        acc += s[0]
        if r < acc:
            season = s
            break
    _share, first, last = season
    day = first.toordinal() + rng.randrange(last.toordinal() - first.toordinal() + 1)
    hour = int(HOURS.pick(rng))
    if day == spec.entry_to.toordinal():
        hour = min(hour, 17)
    return (day - 719163) * DAY - LOCAL_OFFSET + hour * 3600 + rng.randrange(3600)


def plan_initiatives(
    plan: Plan,
    total: int,
    seed: int,
    *,
    first_id: int,
    province_path: str | None,
    demo_unit: int | None = None,
) -> InitiativePlan:
    """Counts per unit, creation times and ids (in creation order) of every initiative."""
    units = plan.grassroots
    counts = share_out(plan, total, seed, demo_unit)
    offsets = []
    keys = array("q")
    for unit, n in zip(units, counts, strict=True):
        offsets.append(len(keys))
        if not n:
            continue
        rng = random.Random(f"sangkien:{seed}:initiatives:when:{unit.code}")
        in_province = province_path is not None and unit.path.startswith(province_path)
        for k in range(n):
            if unit.id == demo_unit and k < len(DEMO_SPECS):
                which = DEMO_SPECS[k][0]
            else:
                which = 1 if in_province and rng.random() < PROVINCE_SHARE else 0
            keys.append(_draw_created(rng, CAMPAIGNS[which]) * 2 + which)
    # Ids in order of creation; ties (same second) in generation order.
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ids = array("q", bytes(8 * len(keys)))
    for rank, g in enumerate(order):
        ids[g] = first_id + rank
    return InitiativePlan(units=units, counts=counts, offsets=offsets, keys=keys, ids=ids)


# -- rows ----------------------------------------------------------------------------------

INITIATIVE_COLUMNS = [
    "id", "campaign_id", "unit_id", "phase_id", "title", "title_folded", "field_id",
    "problem", "description", "conditions", "first_applied_on", "benefit_claimed_vnd",
    "benefit_method", "benefit_valid_vnd", "confidential", "investor",
    "first_application_people", "recognition_body", "recognition_number", "recognition_date",
    "status", "entered_by_id", "on_behalf", "created_at", "updated_at", "submitted_at",
    "decided_at", "decided_by_id", "decision_reason", "version",
]  # fmt: skip
AUTHOR_COLUMNS = [
    "id", "initiative_id", "member_id", "name", "share", "birth_date", "workplace", "position",
    "qualification", "position_in_list",
]  # fmt: skip
HISTORY_COLUMNS = [
    "id", "initiative_id", "action", "from_status", "to_status", "actor_id", "at", "note",
    "benefit_valid_vnd", "changed_fields", "benefit_claimed_vnd", "members",
]  # fmt: skip

# Member rows as the loader reads them: (id, full name, birth date, position).
MemberInfo = tuple[int, str, object, str]


class _Folds(dict):
    def __missing__(self, part: str) -> str:
        value = fold(part)
        self[part] = value
        return value


_FOLDS = _Folds()


def _fill(rng: random.Random, text: str, most: int = 30) -> str:
    if "#" in text:
        return text.replace("#", str(rng.randint(1, most)))
    return text


def make_title(rng: random.Random, field_code: str, seen: set[str]) -> tuple[str, str]:
    """A title for `field_code` whose folded form is not in `seen` (and is added to it)."""
    templates = I.PARSED[field_code]
    parts: list[str] = []
    for attempt in range(20):
        if attempt < 4:
            parts = []
            for is_slot, text in rng.choice(templates):
                if is_slot:
                    text = _fill(rng, rng.choice(I.SLOTS[text]))
                    if not text:
                        continue
                parts.append(text)
            candidate = parts
        else:  # a busy unit: the same idea again, somewhere else
            candidate = [*parts, _fill(rng, rng.choice(I.EXTRA_PLACES), 99 * attempt)]
        folded = " ".join(_FOLDS[p] for p in candidate)
        if folded not in seen:
            seen.add(folded)
            return " ".join(candidate), folded
    raise RuntimeError("no free title")  # pragma: no cover (10^4 places tried)


def _round_money(amount: float) -> int:
    """Benefits as people write them: two or three significant digits."""
    if amount < 1_000_000:
        return int(round(amount / 50_000) * 50_000)
    step = 10 ** (len(str(int(amount))) - 3)
    if amount >= 100_000_000:
        step *= 10
    return int(round(amount / step) * step)


def draw_benefit(rng: random.Random) -> int:
    """Claimed benefit in VND: many initiatives have none that money measures; the rest
    log-normal around 5 million with a tail reaching billions."""
    if rng.random() < 0.38:
        return 0
    return min(20_000_000_000, _round_money(rng.lognormvariate(15.4, 1.5)))


def validated_benefit(rng: random.Random, claimed: int, lower: bool = False) -> int:
    r = 0.0 if lower else rng.random()
    if claimed == 0 or 0.25 <= r < 0.98:
        return claimed
    if r < 0.25:  # the council accepted less than claimed
        return _round_money(claimed * rng.uniform(0.3, 0.95))
    return _round_money(claimed * rng.uniform(1.05, 1.4))


# Plain strings (the values of Action and Status) keep the drawing fast and the rows plain.
CREATED, SUBMITTED, RESUBMITTED = "created", "submitted", "resubmitted"
RETURNED, VALIDATED, INVALIDATED = "returned", "validated", "invalidated"
WITHDRAWN, REOPENED = "withdrawn", "reopened"
DRAFT, PENDING, VALID, INVALID = "draft", "submitted", "valid", "invalid"
S_RETURNED, S_WITHDRAWN = "returned", "withdrawn"


def _paths(status: str, rng: random.Random, variant: str) -> list[str]:
    """The steps from creation that end in `status`."""
    created = [CREATED]
    sub = [CREATED, SUBMITTED]
    again = [RETURNED, RESUBMITTED]
    r = rng.random()
    if status == DRAFT:
        return created
    if status == S_WITHDRAWN:
        if variant == "submitted" or (not variant and r < 0.65):
            return [*sub, WITHDRAWN]
        return [*created, WITHDRAWN]
    if status == S_RETURNED:
        return [*sub, RETURNED]
    if status == PENDING:
        return [*sub, *again] if variant == "after_return" or r < 0.08 else sub
    if status == INVALID:
        return [*sub, *again, INVALIDATED] if r < 0.06 else [*sub, INVALIDATED]
    # valid
    if variant == "after_return" or (not variant and r < 0.08):
        return [*sub, *again, VALIDATED]
    if not variant and r < 0.09:
        return [*sub, INVALIDATED, REOPENED, VALIDATED]
    return [*sub, VALIDATED]


def _submit_delay(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.5:
        return rng.randint(120, 3600)
    if r < 0.85:
        return rng.randint(3600, DAY)
    return rng.randint(DAY, 10 * DAY)


def _decision_delay(rng: random.Random) -> int:
    return int(min(90 * DAY, rng.expovariate(1 / (12 * DAY)))) + rng.randint(1800, 4 * 3600)


class UnitRows:
    """Draws the rows of one grassroots unit's initiatives."""

    def __init__(
        self,
        *,
        seed: int,
        campaigns: list[CampaignIds | None],
        actors: Actors,
        stamp: Callable[[int], object],
        day: Callable[[int], object],
    ) -> None:
        self.seed = seed
        self.campaigns = campaigns
        self.actors = actors
        self.stamp = stamp
        self.day = day
        self.transitions = {(str(a), str(b)): str(c) for (a, b), c in TRANSITIONS.items()}
        self.limits = [
            local_start(c.spec.entry_to) + 22 * 3600 if c is not None else 0 for c in campaigns
        ]

    def rows(
        self,
        unit: PlannedUnit,
        keys: list[int],
        ids: list[int],
        members: list[MemberInfo],
        author_id: int,
        history_id: int,
    ) -> tuple[list[tuple], list[tuple], list[tuple]]:
        rng = random.Random(f"sangkien:{self.seed}:initiatives:{unit.code}")
        actors = self.actors
        stamp, day = self.stamp, self.day
        profile = TYPES[unit.type].profile
        fields = FIELD_PICKERS.get(profile, DEFAULT_FIELD_PICKER)
        employer = unit.name.removeprefix("Công đoàn ")
        decision_suffix = I.DECISION_SUFFIX.get(profile) or rng.choice(["QĐ-GĐ", "QĐ-HĐSK"])
        body_prefix = {
            "school_mn": "Hiệu trưởng", "school": "Hội đồng sáng kiến", "hospital": "Giám đốc",
            "office": "Chủ tịch",
        }.get(profile, "Hội đồng sáng kiến")  # fmt: skip
        in_support = unit.path.startswith(actors.support_path)
        is_demo = unit.id == actors.member_unit
        # The demo member authors only what DEMO_SPECS gives them.
        pool = members[1:] if is_demo and len(members) > 1 else members
        seen: set[str] = set()
        initiatives: list[tuple] = []
        authors: list[tuple] = []
        history: list[tuple] = []
        for k, key in enumerate(keys):
            which = key & 1
            created = key >> 1
            campaign = self.campaigns[which]
            assert campaign is not None
            spec = campaign.spec
            limit = self.limits[which]
            pk = ids[k]
            variant = ""
            by_member = False
            if is_demo and k < len(DEMO_SPECS):
                _c, status, variant, by_member = DEMO_SPECS[k]
            else:
                status = _STATUS_PICKERS[which].pick(rng)
                if (
                    which == 1
                    and status in _DECIDED
                    and created > limit - 14 * DAY
                    and rng.random() < 0.75
                ):
                    status = PENDING
            field_code = fields.pick(rng)
            if field_code not in campaign.fields:
                field_code = "QLDH" if field_code == "CCHC" else "KTCN"
            if field_code == "COVID" and which == 1:
                field_code = "YT" if profile in ("hospital", "health_station") else "ATLD"
            title, folded = make_title(rng, field_code, seen)
            # Authors: 1–3 members of the unit, shares summing to 100.
            n = min(int(AUTHOR_COUNTS.pick(rng)), max(1, len(pool)))
            picked = rng.sample(pool, n) if pool else []
            if by_member and members:
                picked = [members[0], *picked[: n - 1]]
            shares = rng.choice(SHARES[len(picked)]) if picked else ()
            outsider = len(picked) > 1 and rng.random() < 0.03
            for pos, (m, share) in enumerate(zip(picked, shares, strict=True)):
                row: tuple[object, ...]
                if outsider and pos == len(picked) - 1:
                    name = person_name(rng, rng.random() < 0.4, unit.region)
                    row = (author_id, pk, None, name, share, None, "", "Kỹ sư tư vấn", "Kỹ sư", pos)
                else:
                    row = (
                        author_id, pk, m[0], m[1], share, m[2], employer, m[3],
                        QUALIFICATION.pick(rng), pos,
                    )  # fmt: skip
                authors.append(row)
                author_id += 1
            # Who typed it in.
            entered_by = None
            on_behalf = False
            if by_member:
                entered_by = actors.member_user
            elif in_support and rng.random() < 0.25:
                entered_by, on_behalf = actors.support_user, True
            elif rng.random() < 0.10:
                on_behalf = True  # a support team without an account in the demo data
            decider = actors.decider(unit.path, rng)
            # The form.
            created_day = local_day(created)
            start = spec.starts_on.toordinal()
            first_applied = max(start, created_day - rng.randint(1, 300))
            first_applied = min(first_applied, created_day)
            recognised = spec.requires_recognition or rng.random() < 0.6
            if status == DRAFT and rng.random() < 0.5:
                recognised = False
            claimed = draw_benefit(rng)
            method = rng.choice(I.BENEFIT_METHODS if claimed else I.NO_BENEFIT_METHODS)
            steps = rng.sample(I.STEPS, 3)
            # What every history row records for the statistics: the members among the
            # authors (the list the services write, sorted ids as JSON).
            snapshot = json.dumps(sorted(r[2] for r in authors[-len(picked) :] if r[2]))
            if not picked:
                snapshot = "[]"
            # The steps, in time, as the services record them.
            path = _paths(status, rng, variant)
            t = created
            current = ""
            submitted_at = decided_at = decided_by = None
            benefit_valid = None
            reason = ""
            phase_id = None
            for action in path:
                if action == CREATED:
                    to = DRAFT
                    actor = entered_by
                    note = ""
                else:
                    if action in (SUBMITTED, WITHDRAWN):
                        gap = _submit_delay(rng)
                    elif action == RESUBMITTED:
                        gap = rng.randint(DAY // 2, 15 * DAY)
                    else:
                        gap = _decision_delay(rng)
                    t = t + gap if t + gap < limit else t + max(1, (limit - t) // 2)
                    to = self.transitions[(current, action)]
                    actor = entered_by
                    note = ""
                    if action == SUBMITTED:
                        submitted_at = t
                        phase_id = campaign.phase_at(t)
                    elif action == RESUBMITTED:
                        decided_at = decided_by = None
                    elif action == REOPENED:
                        actor = decider
                        note = rng.choice(I.REOPEN_REASONS)
                        benefit_valid = decided_at = decided_by = None
                        reason = ""
                    elif action == WITHDRAWN:
                        note = rng.choice(I.WITHDRAW_NOTES)
                    else:  # a decision
                        actor = decider
                        if action == VALIDATED:
                            benefit_valid = validated_benefit(rng, claimed, variant == "lower")
                            note = (
                                rng.choice(I.LOWER_BENEFIT_REASONS)
                                if benefit_valid < claimed
                                else ""
                            )
                        elif action == RETURNED:
                            note = rng.choice(I.RETURN_REASONS)
                        else:
                            note = rng.choice(I.INVALID_REASONS)
                        reason = note
                        decided_at, decided_by = t, decider
                history.append(
                    (
                        history_id, pk, action, current, to, actor, stamp(t), note,
                        benefit_valid if action == VALIDATED else None, "[]", claimed,
                        snapshot,
                    )
                )  # fmt: skip
                history_id += 1
                current = to
            assert current == status, (current, status)
            recognition_day = (
                first_applied + rng.randint(0, max(0, created_day - first_applied))
                if recognised
                else None
            )
            initiatives.append(
                (
                    pk, campaign.id, unit.id, phase_id, title, folded,
                    campaign.fields[field_code],
                    rng.choice(I.PROBLEMS[field_code]),
                    f"Nội dung giải pháp: {steps[0]}; {steps[1]}; {steps[2]}.",
                    rng.choice(I.CONDITIONS),
                    day(first_applied), claimed, method, benefit_valid,
                    rng.choice(I.CONFIDENTIAL) if rng.random() < 0.08 else "",
                    employer[:255] if rng.random() < 0.1 else "",
                    rng.choice(I.FIRST_APPLICATION) if rng.random() < 0.5 else "",
                    f"{body_prefix} {employer}"[:255] if recognised else "",
                    f"{rng.randint(1, 250)}/{decision_suffix}" if recognised else "",
                    day(recognition_day) if recognition_day is not None else None,
                    status, entered_by, on_behalf, stamp(created), stamp(t),
                    stamp(submitted_at) if submitted_at is not None else None,
                    stamp(decided_at) if decided_at is not None else None,
                    decided_by, reason, len(path),
                )
            )  # fmt: skip
        return initiatives, authors, history


_STATUS_PICKERS = [Picker(NATIONAL.statuses), Picker(PROVINCE.statuses)]
_DECIDED = {VALID, INVALID, S_RETURNED}


def iter_unit_batches(
    ip: InitiativePlan,
) -> Iterator[tuple[PlannedUnit, list[int], list[int]]]:
    """(unit, creation keys, ids) per grassroots unit with initiatives, in plan order."""
    for unit, n, offset in zip(ip.units, ip.counts, ip.offsets, strict=True):
        if n:
            yield unit, ip.keys[offset : offset + n].tolist(), ip.ids[offset : offset + n].tolist()
