"""Drawing the synthetic tree and its members, without touching the database.

`plan_units` lays out the whole unit tree (at most ~140,000 small objects) with ids, paths
and the number of members each grassroots unit will have; `iter_members` then yields the
members unit by unit, so they are never all in memory. Each unit draws from its own random
stream seeded by (seed, unit code): the same seed gives the same data whatever the batch
size or database, and a unit's members do not depend on how many came before.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from sangkien.orgs.models import UnitKind, encode_segment
from sangkien.text import clean_line, fold, person_sort_key, sort_key

from . import names as N

logger = logging.getLogger(__name__)

ROOT_FOUNDED = dt.date(1929, 7, 28)
LAST_JOIN = dt.date(2025, 6, 30)
BIRTH_FIRST = dt.date(1965, 1, 1).toordinal()
BIRTH_SPAN = dt.date(2004, 12, 31).toordinal() - BIRTH_FIRST + 1
ADULT_DAYS = 18 * 365 + 4


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: tuple[str, ...] | None  # None: all 34
    sectors: int  # how many of the sectoral unions
    upper: int
    grassroots: int
    members: int
    initiatives: int


SCALES: dict[str, Scale] = {
    "test": Scale("test", ("TH",), 0, 3, 8, 200, 400),
    "demo": Scale("demo", ("TH",), 0, 25, 400, 30_000, 20_000),
    "province": Scale("province", ("TH",), 0, 170, 3_655, 310_000, 600_000),
    "national": Scale("national", None, 20, 3_300, 135_000, 10_000_000, 3_000_000),
}
PUBLIC_SCALES = ["demo", "province", "national"]


class Picker:
    """Weighted choice by bisection over cumulative weights (faster than random.choices)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _zipf(words: list[str]) -> list[tuple[str, float]]:
    return [(w, 1.0 / (i + 6)) for i, w in enumerate(words)]


FAMILY_NORTH = Picker(N.FAMILY_NAMES)
FAMILY_SOUTH = Picker([(n, w * N.SOUTHERN_SWAP.get(n, 1.0)) for n, w in N.FAMILY_NAMES])
MIDDLE = {False: Picker(N.MIDDLE_MALE), True: Picker(N.MIDDLE_FEMALE)}
GIVEN = {False: Picker(_zipf(N.GIVEN_MALE)), True: Picker(_zipf(N.GIVEN_FEMALE))}
EMAIL_DOMAIN = Picker(N.EMAIL_DOMAINS)
JOBS = {key: (Picker(jobs), women) for key, (jobs, women) in N.PROFILES.items()}


# -- kinds of grassroots unit -----------------------------------------------------------------


@dataclass(frozen=True)
class GrassrootsType:
    profile: str  # jobs and share of women (names.PROFILES)
    median: float
    sigma: float
    low: int
    high: int
    elastic: bool  # sizes scaled so the scale's member total comes out right


TYPES: dict[str, GrassrootsType] = {
    "mn": GrassrootsType("school_mn", 28, 0.3, 12, 70, False),
    "th": GrassrootsType("school", 35, 0.3, 15, 80, False),
    "thcs": GrassrootsType("school", 35, 0.3, 15, 80, False),
    "thpt": GrassrootsType("school", 70, 0.25, 40, 130, False),
    "tyt": GrassrootsType("health_station", 10, 0.3, 5, 20, False),
    "office": GrassrootsType("office", 22, 0.3, 10, 45, False),
    "coop": GrassrootsType("coop", 14, 0.4, 6, 40, False),
    "hospital": GrassrootsType("hospital", 220, 0.7, 60, 2500, True),
    "company": GrassrootsType("company", 20, 0.8, 5, 400, True),
    "construction": GrassrootsType("construction", 60, 0.8, 10, 2000, True),
    "factory": GrassrootsType("factory", 90, 1.1, 15, 6000, True),
    "garment": GrassrootsType("garment", 350, 1.0, 40, 12000, True),
}
for _profile in {s[3] for s in N.SECTORS}:
    TYPES.setdefault("sector:" + _profile, GrassrootsType(_profile, 110, 0.9, 10, 5000, True))

IN_COMMUNE = Picker(
    [("mn", 20), ("th", 20), ("thcs", 15), ("thpt", 4), ("tyt", 8), ("office", 7),
     ("coop", 6), ("company", 12), ("construction", 3), ("factory", 3), ("garment", 2)]
)  # fmt: skip
IN_ZONE = Picker([("garment", 35), ("factory", 45), ("company", 12), ("construction", 8)])
DIRECT = Picker(
    [("hospital", 25), ("garment", 15), ("factory", 30), ("company", 20), ("construction", 10)]
)
LEGAL_FORM = Picker(N.LEGAL_FORMS)
WOMEN_ONLY = {"Nữ hộ sinh", "Cô nuôi"}


# -- the plan -------------------------------------------------------------------------------


@dataclass(eq=False)
class PlannedUnit:
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent: PlannedUnit | None
    path: str
    depth: int
    founded_on: dt.date
    region: str = "N"
    type: str = ""  # grassroots type (TYPES key)
    size: int = 0  # members directly in the unit
    total: int = 0  # members in the unit and below
    name_folded: str = field(init=False)
    sort_key: str = field(init=False)

    def __post_init__(self) -> None:
        # Exactly what sangkien.orgs.services does when it names a unit.
        self.name = clean_line(self.name)
        self.short_name = clean_line(self.short_name)
        self.name_folded = fold(self.name + " " + self.short_name)[:255]
        self.sort_key = sort_key(self.name)


@dataclass
class Plan:
    scale: Scale
    seed: int
    units: list[PlannedUnit]

    @property
    def grassroots(self) -> list[PlannedUnit]:
        return [u for u in self.units if u.kind == UnitKind.GRASSROOTS]

    @property
    def members(self) -> int:
        return sum(u.size for u in self.units)


def split_count(total: int, weights: Sequence[float]) -> list[int]:
    """`total` shared out in proportion to `weights` (largest remainders), summing exactly."""
    if not weights:
        return []
    s = sum(weights) or 1.0
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return dt.date.fromordinal(
        first.toordinal() + rng.randrange(last.toordinal() - first.toordinal() + 1)
    )


class _Builder:
    def __init__(self, scale: Scale, seed: int, id_base: int) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(f"sangkien:{seed}:{scale.name}")
        self.next_id = id_base
        self.units: list[PlannedUnit] = []
        self.used_names: set[tuple[str, str]] = set()

    def add(
        self,
        *,
        code: str,
        name: str,
        kind: str,
        parent: PlannedUnit | None,
        founded_on: dt.date,
        short_name: str = "",
        region: str = "N",
        type: str = "",  # noqa: A002
    ) -> PlannedUnit:
        pk = self.next_id
        self.next_id += 1
        unit = PlannedUnit(
            id=pk,
            code=code,
            name=name,
            short_name=short_name,
            kind=kind,
            parent=parent,
            path=(parent.path if parent else "") + encode_segment(pk),
            depth=(parent.depth + 1) if parent else 0,
            founded_on=founded_on,
            region=region,
            type=type,
        )
        self.units.append(unit)
        return unit

    def unique(self, make: Callable[[], str], scope: str) -> str:
        """A name not yet used in `scope` (a province or sector): redraw, then number it."""
        name = make()
        for _ in range(8):
            if (scope, name) not in self.used_names:
                break
            name = make()
        base, k = name, 2
        while (scope, name) in self.used_names:
            name = f"{base} số {k}"
            k += 1
        self.used_names.add((scope, name))
        return name

    def place(self) -> str:
        rng = self.rng
        while True:
            a, b = rng.choice(N.PLACE_FIRST), rng.choice(N.PLACE_SECOND)
            if a != b:
                return f"{a} {b}"

    def founded_after(self, parent: PlannedUnit, earliest: int, latest: int) -> dt.date:
        first = max(parent.founded_on, dt.date(earliest, 1, 1))
        return _date_between(self.rng, first, max(first, dt.date(latest, 12, 31)))

    # -- grassroots names --------------------------------------------------------------

    def company_name(self, kind: str, province: str) -> str:
        rng = self.rng
        legal = LEGAL_FORM.pick(rng)
        if kind == "garment":
            trade = rng.choice(N.GARMENT_TRADES)
        elif kind == "factory":
            trade = rng.choice(N.FACTORY_TRADES)
        elif kind == "construction":
            trade = rng.choice(["Xây dựng", "Xây lắp", "Đầu tư Xây dựng", "Xây dựng Công trình"])
        else:
            trade = rng.choice(N.SMALL_TRADES)
        r = rng.random()
        tail = province if r < 0.2 else self.place() if r < 0.45 else rng.choice(N.BRANDS)
        return f"{legal} {trade} {tail}"

    def grassroots_name(self, kind: str, area: str, area_word: str, province: str) -> str:
        rng = self.rng
        first = rng.random() < 0.5
        here = area if first else self.place()
        if kind == "mn":
            return f"Trường Mầm non {here}"
        if kind == "th":
            return f"Trường Tiểu học {here}"
        if kind == "thcs":
            return f"Trường THCS {here}"
        if kind == "thpt":
            return f"Trường THPT {rng.choice(N.NOTABLE_PEOPLE) if rng.random() < 0.6 else here}"
        if kind == "tyt":
            if first:
                return f"Trạm Y tế {area_word} {area}"
            return f"Phòng khám Đa khoa khu vực {here}"
        if kind == "office":
            return rng.choice(
                [
                    f"Cơ quan Ủy ban nhân dân {area_word} {area}",
                    f"Cơ quan Đảng ủy {area_word} {area}",
                    f"Trung tâm Phục vụ hành chính công {area_word} {area}",
                    f"Ban Quản lý dự án {area_word} {area}",
                ]
            )
        if kind == "coop":
            trade = rng.choice(["Nông nghiệp", "Dịch vụ Nông nghiệp", "Thủy sản"])
            return f"Hợp tác xã {trade} {here}"
        if kind == "hospital":
            return rng.choice(
                [
                    f"Bệnh viện Đa khoa khu vực {here}",
                    f"Bệnh viện Đa khoa {province}",
                    f"Bệnh viện Nhi {province}",
                    f"Bệnh viện Phụ sản {province}",
                    f"Bệnh viện Y học cổ truyền {province}",
                    f"Trung tâm Y tế khu vực {here}",
                ]
            )
        return self.company_name(kind, province)

    # -- levels ----------------------------------------------------------------------------

    def add_grassroots(
        self,
        parent: PlannedUnit,
        code: str,
        kind: str,
        *,
        scope: str,
        area: str,
        area_word: str,
        province: str,
    ) -> PlannedUnit:
        name = self.unique(lambda: self.grassroots_name(kind, area, area_word, province), scope)
        return self.add(
            code=code,
            name="Công đoàn " + name,
            kind=UnitKind.GRASSROOTS,
            parent=parent,
            founded_on=self.founded_after(parent, 1995, 2022),
            region=parent.region,
            type=kind,
        )

    def province(self, root: PlannedUnit, spec: tuple, upper: int, grassroots: int) -> None:
        code, pname, is_city, region, _weight, industrial = spec
        rng = self.rng
        word = "thành phố" if is_city else "tỉnh"
        full = f"Thành phố {pname}" if code == "HCM" else f"{word} {pname}"
        prov = self.add(
            code=code,
            name=f"Liên đoàn Lao động {full}",
            short_name=f"LĐLĐ {pname}",
            kind=UnitKind.PROVINCIAL,
            parent=root,
            founded_on=_date_between(rng, dt.date(1946, 1, 1), dt.date(1976, 12, 31)),
            region=region,
        )
        # Upper level: the industrial zones' union, economic zones, then communes and wards.
        zones: list[PlannedUnit] = []
        if upper >= 3:
            zone_names = [f"các Khu công nghiệp {full}"]
            if upper >= 10:
                zone_names += [f"Khu kinh tế {z}" for z in N.ECONOMIC_ZONES.get(code, [])]
            for i, zname in enumerate(zone_names, 1):
                zones.append(
                    self.add(
                        code=f"{code}-K{i:02d}",
                        name=f"Công đoàn {zname}",
                        short_name=f"CĐ {zname.replace('các Khu công nghiệp', 'các KCN')}",
                        kind=UnitKind.UPPER,
                        parent=prov,
                        founded_on=self.founded_after(prov, 1998, 2012),
                        region=region,
                    )
                )
        known = list(N.KNOWN_WARDS.get(code, []))
        ward_share = 0.55 if is_city else 0.15
        communes: list[tuple[PlannedUnit, str, str]] = []
        for i in range(1, upper - len(zones) + 1):
            if known:
                area, area_word = known.pop(0), "phường"
            else:
                area = self.unique(self.place, code + ":area")
                area_word = "phường" if rng.random() < ward_share else "xã"
            unit = self.add(
                code=f"{code}-X{i:03d}",
                name=f"Công đoàn {area_word} {area}",
                short_name=f"CĐ {area_word} {area}",
                kind=UnitKind.UPPER,
                parent=prov,
                founded_on=self.founded_after(prov, 1990, 2010),
                region=region,
            )
            communes.append((unit, area, area_word))
        # Grassroots: a few directly under the province, a share in the zones, the rest in
        # the communes and wards (more in wards).
        direct = max(1, round(grassroots * 0.08))
        in_zones = round(grassroots * industrial) if zones else 0
        if not communes:
            direct = grassroots - in_zones
        in_communes = grassroots - direct - in_zones
        for i in range(1, direct + 1):
            self.add_grassroots(
                prov, f"{code}-C{i:04d}", DIRECT.pick(rng), scope=code, area=pname,
                area_word=word, province=pname,
            )  # fmt: skip
        zone_counts = split_count(in_zones, [3.0] + [1.0] * (len(zones) - 1)) if zones else []
        for zone, n in zip(zones, zone_counts, strict=True):
            for i in range(1, n + 1):
                self.add_grassroots(
                    zone, f"{zone.code}-{i:03d}", IN_ZONE.pick(rng), scope=code, area=pname,
                    area_word=word, province=pname,
                )  # fmt: skip
        weights = [rng.uniform(1.2, 2.0) if w == "phường" else rng.uniform(0.5, 1.3)
                   for _u, _a, w in communes]  # fmt: skip
        for (unit, area, area_word), n in zip(
            communes, split_count(in_communes, weights), strict=True
        ):
            for i in range(1, n + 1):
                self.add_grassroots(
                    unit, f"{unit.code}-{i:03d}", IN_COMMUNE.pick(rng), scope=code, area=area,
                    area_word=area_word, province=pname,
                )  # fmt: skip

    def sector(self, root: PlannedUnit, spec: tuple, upper: int, grassroots: int) -> None:
        code, sname, short, profile, upper_tpl, gr_tpl = spec
        rng = self.rng
        sector = self.add(
            code=code,
            name=f"Công đoàn {sname}",
            short_name=short,
            kind=UnitKind.SECTORAL,
            parent=root,
            founded_on=_date_between(rng, dt.date(1950, 1, 1), dt.date(1995, 12, 31)),
        )
        provinces = [p[1] for p in N.PROVINCES]

        def fill(template: str) -> str:
            return template.format(place=rng.choice(provinces), n=rng.randint(1, 9))

        uppers = []
        for i in range(1, upper + 1):
            name = self.unique(lambda: fill(rng.choice(upper_tpl)), code)
            uppers.append(
                self.add(
                    code=f"{code}-T{i:02d}",
                    name=f"Công đoàn {name}",
                    kind=UnitKind.UPPER,
                    parent=sector,
                    founded_on=self.founded_after(sector, 1990, 2010),
                )
            )
        direct = grassroots // 3 if uppers else grassroots
        counts = split_count(grassroots - direct, [rng.uniform(0.5, 1.5) for _ in uppers])
        kind = "sector:" + profile
        for parent, n, prefix in [(sector, direct, f"{code}-C"), *[
            (u, c, f"{u.code}-") for u, c in zip(uppers, counts, strict=True)
        ]]:  # fmt: skip
            for i in range(1, n + 1):
                name = self.unique(lambda: fill(rng.choice(gr_tpl)), code)
                self.add(
                    code=f"{prefix}{i:03d}",
                    name=f"Công đoàn {name}",
                    kind=UnitKind.GRASSROOTS,
                    parent=parent,
                    founded_on=self.founded_after(parent, 1995, 2020),
                    type=kind,
                )


def plan_units(scale: Scale, seed: int, id_base: int = 1) -> Plan:
    """The whole unit tree of a scale, ids from `id_base`, with planned member counts."""
    b = _Builder(scale, seed, id_base)
    root = b.add(
        code="VN",
        name="Tổng Liên đoàn Lao động Việt Nam",
        short_name="Tổng LĐLĐ Việt Nam",
        kind=UnitKind.NATIONAL,
        parent=None,
        founded_on=ROOT_FOUNDED,
    )
    provinces = [p for p in N.PROVINCES if scale.provinces is None or p[0] in scale.provinces]
    sectors = N.SECTORS[: scale.sectors]
    # Sectoral unions take ~5 % of the upper level and ~7 % of the grassroots.
    sector_upper = round(scale.upper * 0.05) if sectors else 0
    sector_gr = round(scale.grassroots * 0.07) if sectors else 0
    p_weights = [p[4] for p in provinces]
    for spec, up, gr in zip(
        provinces,
        split_count(scale.upper - sector_upper, p_weights),
        split_count(scale.grassroots - sector_gr, p_weights),
        strict=True,
    ):
        b.province(root, spec, up, gr)
    s_weights = [3.0 if s[0] in {"CDGD", "CDYT"} else 1.0 for s in sectors]
    for sector_spec, up, gr in zip(
        sectors, split_count(sector_upper, s_weights), split_count(sector_gr, s_weights),
        strict=True,
    ):  # fmt: skip
        b.sector(root, sector_spec, up, gr)
    _size_units(b.units, scale, b.rng)
    return Plan(scale=scale, seed=seed, units=b.units)


def _size_units(units: list[PlannedUnit], scale: Scale, rng: random.Random) -> None:
    """Members per grassroots unit: skewed by type, elastic types scaled to hit the total."""
    grassroots = [u for u in units if u.kind == UnitKind.GRASSROOTS]
    raw = [rng.lognormvariate(0, TYPES[u.type].sigma) * TYPES[u.type].median for u in grassroots]
    fixed = sum(r for u, r in zip(grassroots, raw, strict=True) if not TYPES[u.type].elastic)
    elastic = sum(raw) - fixed
    factor = (scale.members - fixed) / elastic if elastic else 1.0
    factor = min(8.0, max(0.2, factor))
    logger.debug("elastic size factor %.2f", factor)
    for u, r in zip(grassroots, raw, strict=True):
        t = TYPES[u.type]
        u.size = round(min(t.high, max(t.low, r * factor if t.elastic else r)))
    for u in grassroots:
        node: PlannedUnit | None = u
        while node is not None:
            node.total += u.size
            node = node.parent


# -- members ----------------------------------------------------------------------------------


@dataclass(slots=True)
class MemberRow:
    code: str
    full_name: str
    name_folded: str
    sort_key: str
    birth_date: dt.date
    gender: str
    position: str
    phone: str
    email: str
    unit_id: int
    joined_on: dt.date


class _NameKeys(dict):
    """full name → (folded, sort key); a few hundred thousand distinct names at most."""

    def __missing__(self, full_name: str) -> tuple[str, str]:
        value = (fold(full_name)[:255], person_sort_key(full_name))
        self[full_name] = value
        return value


def person_name(rng: random.Random, female: bool, region: str = "N") -> str:
    family = (FAMILY_SOUTH if region == "S" else FAMILY_NORTH).pick(rng)
    return f"{family} {MIDDLE[female].pick(rng)} {GIVEN[female].pick(rng)}"


def phone_number(rng: random.Random) -> str:
    return rng.choice(N.PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


def iter_members(plan: Plan, first_number: int = 1) -> Iterator[MemberRow]:
    """Every member of the plan, unit by unit; member codes are DV + 8 digits, numbered in
    that order from `first_number`."""
    keys = _NameKeys()
    number = first_number
    last_join = LAST_JOIN.toordinal()
    for unit in plan.units:
        if not unit.size:
            continue
        rng = random.Random(f"sangkien:{plan.seed}:{unit.code}")
        jobs, women = JOBS[TYPES[unit.type].profile]
        founded = unit.founded_on.toordinal()
        region = unit.region
        for _ in range(unit.size):
            female = rng.random() < women
            full_name = person_name(rng, female, region)
            folded, skey = keys[full_name]
            born = BIRTH_FIRST + rng.randrange(BIRTH_SPAN)
            first = max(founded, born + ADULT_DAYS)
            joined = (
                first + rng.randrange(last_join - first + 1) if first < last_join else last_join
            )
            position = jobs.pick(rng)
            if not female and position in WOMEN_ONLY:
                position = jobs.items[0]
            phone = phone_number(rng) if rng.random() < 0.85 else ""
            email = ""
            if rng.random() < 0.3:
                parts = folded.split(" ")
                local = parts[-1] + "." + "".join(p[0] for p in parts[:-1])
                email = f"{local}{rng.randrange(100)}@{EMAIL_DOMAIN.pick(rng)}"
            yield MemberRow(
                code=f"DV{number:08d}",
                full_name=full_name,
                name_folded=folded,
                sort_key=skey,
                birth_date=dt.date.fromordinal(born),
                gender="female" if female else "male",
                position=position,
                phone=phone,
                email=email,
                unit_id=unit.id,
                joined_on=dt.date.fromordinal(joined),
            )
            number += 1
