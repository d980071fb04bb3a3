"""Spreadsheet imports of units, members and initiatives (decision record 0017).

`run_import` reads a table (`reading.open_table`), checks every row, and then writes all of
the accepted rows, or nothing:
- a **dry run** checks and writes nothing; the outcomes are what the real run does (units,
  which go through the unit services one by one, are written and rolled back);
- **all or nothing** (the default) writes nothing when any row is rejected;
- **accept valid** writes the accepted rows and leaves the rejected ones out.

Members and initiatives never hold the database while they are checked (decision record
0019): every row is read, matched and checked with no write lock held, and what is to be
written is kept as batches of about 2,000 rows (`models.ImportBatch`, each kept in a
transaction of a few milliseconds). Only once the whole file is checked, and the import is
to be written, are the batches written, each in one short transaction that also records
that it is written; an import cut short (a killed worker, a database busy for too long) is
finished by running it again with the same job (`job=`): written batches are left alone,
the others are written, and nothing is written twice. Units (a province has a few thousand)
are still created through the unit services in one transaction.

Every row gets one outcome: imported, updated, skipped (already there as the file says, or a
total row, a signature block, a numbering row) or rejected, with the reason naming the
column as the file heads it. Rejected rows go back to the user as an .xlsx with their
original cells and a reason column (`errors_xlsx`). Importing the same file again finds
every row already there and creates nothing.

Members and initiatives are written in batches (bulk inserts, the statistics moved once per
batch by `stats.engine.add_new`), so that 100,000 rows take seconds, not hours; units go
through `orgs.services` row by row (a province has a few thousand).

The modules: `run` (the run), `common` (outcomes, summary, digest, audit record), `base`
(what every kind of row shares), `units`, `members`, `initiatives` (one importer each) and
`rejected` (the rejected rows as .xlsx)."""

from ..reading import SpreadsheetError
from .base import (
    Importer,
    Problems,
)
from .common import (
    BATCH,
    IMPORTED,
    KINDS,
    REJECTED,
    SKIPPED,
    UPDATED,
    ImportRefused,
    Outcome,
    Progress,
    Summary,
    outcome_json,
    outcome_of,
    source_digest,
)
from .initiatives import (
    InitiativeImporter,
)
from .members import (
    MemberImporter,
)
from .rejected import (
    errors_xlsx,
)
from .run import (
    run_import,
)
from .units import (
    UnitImporter,
    unit_kind,
)

__all__ = [
    "BATCH",
    "IMPORTED",
    "ImportRefused",
    "Importer",
    "InitiativeImporter",
    "KINDS",
    "MemberImporter",
    "Outcome",
    "Problems",
    "Progress",
    "REJECTED",
    "SKIPPED",
    "SpreadsheetError",
    "Summary",
    "UPDATED",
    "UnitImporter",
    "errors_xlsx",
    "outcome_json",
    "outcome_of",
    "run_import",
    "source_digest",
    "unit_kind",
]
