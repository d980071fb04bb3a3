"""Existing databases get their figures: the aggregates recounted from the initiatives
already there (nothing to do on a new database).

Frozen: this is the recount of `sangkien.stats.recount.rebuild` (and of the parts of
`stats.engine` it uses) as it stood when the aggregates were added, on the historical
models, so that later changes to the live code never change what this migration does."""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import migrations
from django.utils import timezone

COUNTERS = ("submitted", "valid", "invalid", "claimed", "benefit")
TREE_COUNTERS = (*COUNTERS, "members", "units")
SEGMENT = 6  # base-36 characters per level of a unit's path
GRASSROOTS = "grassroots"
IN_LIMIT = 900  # SQLite takes at most 999 parameters a statement
PENDING, VALID, INVALID = "pending", "valid", "invalid"
KIND_OF_STATUS = {"submitted": PENDING, "returned": PENDING, "valid": VALID, "invalid": INVALID}


@dataclass(frozen=True)
class State:
    kind: str | None = None
    claimed: int = 0
    benefit: int = 0
    members: tuple = ()

    @property
    def counted(self):
        return self.kind is not None

    def vector(self):
        if self.kind is None:
            return (0, 0, 0, 0, 0)
        valid = self.kind == VALID
        return (1, int(valid), int(self.kind == INVALID), self.claimed, self.benefit if valid else 0)


NOTHING = State()


def next_state(prev, to_status, claimed, benefit_valid, members):
    kind = KIND_OF_STATUS.get(to_status)
    if kind is None:
        return NOTHING
    if kind == VALID:
        benefit = int(benefit_valid) if benefit_valid is not None else prev.benefit
    else:
        benefit = 0
    claimed_vnd = int(claimed) if claimed is not None else prev.claimed
    return State(kind, claimed_vnd, benefit, tuple(sorted(int(m) for m in members or ())))


def phase_keys(phase_id):
    return (0, phase_id) if phase_id else (0,)


def decode_path(path):
    return [int(path[i : i + SEGMENT], 36) for i in range(0, len(path), SEGMENT)]


def in_chunks(ids, query):
    items = sorted(ids)
    for start in range(0, len(items), IN_LIMIT):
        yield from query(items[start : start + IN_LIMIT])


def chains(Unit, unit_ids):
    """For each unit: the ids from the root down to the unit that answers for it now, and
    the grassroots unit on that chain."""
    ids = set(unit_ids)
    if not ids:
        return {}

    def read(chunk):
        return Unit.objects.filter(pk__in=chunk).values_list("pk", "path", "successor_id")

    rows = {pk: (path, successor) for pk, path, successor in in_chunks(ids, read)}
    heirs = {s for _p, s in rows.values() if s is not None and s not in rows}
    for pk, path, successor in in_chunks(heirs, read):
        rows[pk] = (path, successor)
    paths = {}
    for pk in ids:
        path, successor = rows[pk]
        seen = {pk}
        while successor is not None and successor not in seen:
            seen.add(successor)
            if successor not in rows:
                rows[successor] = (
                    Unit.objects.filter(pk=successor).values_list("path", "successor_id").get()
                )
            path, successor = rows[successor]
        paths[pk] = decode_path(path)
    kinds = dict(
        in_chunks(
            {u for p in paths.values() for u in p},
            lambda chunk: Unit.objects.filter(pk__in=chunk).values_list("pk", "kind"),
        )
    )
    out = {}
    for pk, chain in paths.items():
        grassroots = None
        for u in chain:
            if kinds.get(u) == GRASSROOTS:
                grassroots = u
        out[pk] = (chain, grassroots)
    return out


class Days:
    """Local days of UTC timestamps as the database hands them back, memoised."""

    def __init__(self):
        self.tz = timezone.get_current_timezone()
        self.memo = {}

    def __call__(self, at):
        key = at[:16] if isinstance(at, str) else (at.year, at.month, at.day, at.hour, at.minute)
        day = self.memo.get(key)
        if day is None:
            if isinstance(at, str):
                moment = dt.datetime.fromisoformat(at[:19]).replace(tzinfo=dt.UTC)
            else:
                moment = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
            day = moment.astimezone(self.tz).date()
            self.memo[key] = day
        return day


def changes(days):
    out = []
    previous = NOTHING
    for day, state in days:
        if state != previous:
            out.append((day, state))
            previous = state
    return out


def timelines(connection, Initiative, HistoryEntry, campaign_id, batch=5000):
    """(unit, phase key, [(day, state at the end of that day)]) for each initiative of the
    campaign that was ever submitted, with only the days on which its state changed."""
    from django.db.models import Max, Min

    ini, hist = Initiative._meta.db_table, HistoryEntry._meta.db_table
    bounds = Initiative.objects.filter(campaign_id=campaign_id).aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return
    sql = (
        "SELECT i.id, i.unit_id, i.phase_id, h.at, h.to_status, h.benefit_claimed_vnd, "  # noqa: S608
        f"h.benefit_valid_vnd, h.members FROM {ini} i JOIN {hist} h ON h.initiative_id = i.id "
        "WHERE i.campaign_id = %s AND i.submitted_at IS NOT NULL AND i.id >= %s AND i.id < %s"
        " ORDER BY i.id, h.at, h.id"
    )
    local = Days()
    for lo in range(bounds["lo"], bounds["hi"] + 1, batch):
        with connection.cursor() as cursor:
            cursor.execute(sql, [campaign_id, lo, lo + batch])
            rows = cursor.fetchall()
        current = None
        days = []
        state = NOTHING
        unit_id = key = 0
        for pk, unit, phase, at, status, claimed, benefit, members in rows:
            if pk != current:
                if current is not None:
                    yield unit_id, key, changes(days)
                current, unit_id, key = pk, unit, phase or 0
                days, state = [], NOTHING
            if isinstance(members, str):
                members = json.loads(members)
            state = next_state(state, status, claimed, benefit, members)
            day = local(at)
            if days and days[-1][0] == day:
                days[-1] = (day, state)
            else:
                days.append((day, state))
        if current is not None:
            yield unit_id, key, changes(days)


def presence_flips(steps):
    """Days on which a running count leaves 0 (+1) or returns to 0 (-1)."""
    out = []
    running = 0
    for day in sorted(steps):
        was = running > 0
        running += steps[day]
        now = running > 0
        if now != was:
            out.append((day, 1 if now else -1))
    return out


def spans_of(steps):
    """[start, end) of the days with a running count above 0; the open span keeps its count."""
    out = []
    running = 0
    start = None
    for day in sorted(steps):
        running += steps[day]
        if running > 0 and start is None:
            start = day
        elif running <= 0 and start is not None:
            out.append((start, day, 0))
            start = None
    if start is not None:
        out.append((start, None, running))
    return out


def count(connection, models, campaign_id):
    """The recount of one campaign: day rows of subtrees, of units' own initiatives, and
    members' spans."""
    Unit, Initiative, HistoryEntry = models["Unit"], models["Initiative"], models["HistoryEntry"]
    own = defaultdict(lambda: [0] * len(COUNTERS))
    member_steps = defaultdict(lambda: defaultdict(int))
    for unit_id, key, days in timelines(connection, Initiative, HistoryEntry, campaign_id):
        previous = NOTHING
        for day, state in days:
            before, after = previous.vector(), state.vector()
            vec = own[(unit_id, key, day)]
            for i in range(len(COUNTERS)):
                vec[i] += after[i] - before[i]
            was = set(previous.members) if previous.counted else set()
            now = set(state.members) if state.counted else set()
            for m in now - was:
                member_steps[(m, unit_id, key)][day] += 1
            for m in was - now:
                member_steps[(m, unit_id, key)][day] -= 1
            previous = state
    own = {k: v for k, v in own.items() if any(v)}
    spans = {}
    info = chains(Unit, {u for u, _k, _d in own} | {u for _m, u, _k in member_steps})
    kept = {unit: chain for unit, (chain, _g) in info.items()}
    tree = defaultdict(lambda: [0] * len(TREE_COUNTERS))
    grassroots_series = defaultdict(lambda: defaultdict(int))
    for (unit_id, key, day), vec in own.items():
        grassroots = info[unit_id][1]
        for tree_key in phase_keys(key or None):
            for node in kept[unit_id]:
                row = tree[(tree_key, node, day)]
                for i, v in enumerate(vec):
                    row[i] += v
            if grassroots is not None and vec[0]:
                grassroots_series[(tree_key, grassroots)][day] += vec[0]
    grassroots_chains = {g: c[: c.index(g) + 1] for c, g in info.values() if g is not None}
    for (tree_key, grassroots), steps in grassroots_series.items():
        chain = grassroots_chains[grassroots]
        for day, flip in presence_flips(steps):
            for node in chain:
                tree[(tree_key, node, day)][6] += flip
    by_member = defaultdict(list)
    for (member, unit_id, key), steps in member_steps.items():
        by_member[member].append((unit_id, key, steps))
        member_spans = spans_of(steps)
        if member_spans:
            spans[(member, unit_id, key)] = member_spans
    for leaves in by_member.values():
        if len(leaves) == 1:
            unit_id, key, steps = leaves[0]
            flips = presence_flips(steps)
            for tree_key in phase_keys(key or None):
                for node in kept[unit_id]:
                    for day, flip in flips:
                        tree[(tree_key, node, day)][5] += flip
            continue
        for tree_key in {0} | {k for _u, k, _s in leaves if k}:
            presence = defaultdict(lambda: defaultdict(int))
            for unit_id, key, steps in leaves:
                if tree_key and key != tree_key:
                    continue
                leaf_flips = presence_flips(steps)
                for node in kept[unit_id]:
                    for day, flip in leaf_flips:
                        presence[node][day] += flip
            for node, node_steps in presence.items():
                for day, flip in presence_flips(node_steps):
                    tree[(tree_key, node, day)][5] += flip
    tree = {k: v for k, v in tree.items() if any(v)}
    return tree, own, spans


def bulk(connection, table, columns, rows):
    """Append rows: COPY on PostgreSQL, batched executemany elsewhere."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def write_tree(connection, models, campaign_id, tree):
    bulk(
        connection,
        models["TreeDay"]._meta.db_table,
        ["campaign_id", "phase_key", "unit_id", "day", *TREE_COUNTERS],
        ((campaign_id, key, unit, day, *vec) for (key, unit, day), vec in tree.items()),
    )
    totals = defaultdict(lambda: [0] * len(TREE_COUNTERS))
    for (key, unit, _day), vec in tree.items():
        total = totals[(key, unit)]
        for i, v in enumerate(vec):
            total[i] += v
    bulk(
        connection,
        models["TreeTotal"]._meta.db_table,
        ["campaign_id", "phase_key", "unit_id", *TREE_COUNTERS],
        ((campaign_id, key, unit, *vec) for (key, unit), vec in totals.items()),
    )


def rebuild(apps, connection):
    """Replace every aggregate of every campaign by the recount."""
    models = {
        "Unit": apps.get_model("orgs", "Unit"),
        "Initiative": apps.get_model("initiatives", "Initiative"),
        "HistoryEntry": apps.get_model("initiatives", "HistoryEntry"),
        **{name: apps.get_model("stats", name) for name in ("TreeDay", "TreeTotal", "OwnDay", "MemberSpan")},
    }
    Campaign = apps.get_model("campaigns", "Campaign")
    for campaign_id in Campaign.objects.order_by("pk").values_list("pk", flat=True):
        tree, own, spans = count(connection, models, campaign_id)
        for name in ("TreeDay", "TreeTotal", "OwnDay", "MemberSpan"):
            models[name].objects.filter(campaign_id=campaign_id).delete()
        write_tree(connection, models, campaign_id, tree)
        bulk(
            connection,
            models["OwnDay"]._meta.db_table,
            ["campaign_id", "phase_key", "unit_id", "day", *COUNTERS],
            ((campaign_id, key, unit, day, *vec) for (unit, key, day), vec in own.items()),
        )
        bulk(
            connection,
            models["MemberSpan"]._meta.db_table,
            ["campaign_id", "phase_key", "member_id", "unit_id", "start", "end", "n"],
            (
                (campaign_id, key, member, unit, start, end, n)
                for (member, unit, key), member_spans in spans.items()
                for start, end, n in member_spans
            ),
        )


def build(apps, schema_editor):
    Initiative = apps.get_model("initiatives", "Initiative")
    if not Initiative.objects.exists():
        return
    rebuild(apps, schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_aggregates"),
        ("initiatives", "0004_history_snapshot"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
