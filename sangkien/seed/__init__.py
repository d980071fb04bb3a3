"""Deterministic synthetic data: `sangkien seed --scale demo|province|national [--seed N]`.

Scales (see `generator.SCALES`; `test` is a tiny hidden one for the test suite):

=========  ==========================  =====  ==========  ==========
scale      level 1                     upper  grassroots  members
=========  ==========================  =====  ==========  ==========
test       Thanh Hóa                       3           8        ~200
demo       Thanh Hóa                      25         400     ~30,000
province   Thanh Hóa                     170       3,655    ~310,000
national   34 provinces + 20 sectoral  3,300     135,000  ~10,000,000
=========  ==========================  =====  ==========  ==========

Codes are stable for a given seed and readable; they are unique at every scale because
each level adds a typed suffix to its parent's code:

- ``VN``                      the national root (Tổng Liên đoàn Lao động Việt Nam);
- ``TH``, ``HN``, ``HCM`` …   the 34 provincial federations after the 2025 merger (fixed
                              table in `names.PROVINCES`, 2–3 letters, no two alike);
- ``CDGD``, ``CDDL`` …        the 20 sectoral unions ("CD" + the sector's initials);
- ``TH-K01``                  upper-level unions of industrial and economic zones;
- ``TH-X012``                 upper-level unions of communes and wards (xã/phường);
- ``CDDL-T02``                upper-level units of a sectoral union (general corporations);
- ``TH-X012-034``             the 34th grassroots union under ``TH-X012`` (likewise under
                              ``TH-K01`` or ``CDDL-T02``);
- ``TH-C0007``, ``CDGD-C012`` grassroots unions directly under a province or a sector;
- ``DV00000001`` …            members: "DV" and 8 digits, numbered in generation order
                              (room for 100 million).

Every unit gets a UnitVersion from its founding date, every member a Membership from the
date they joined, and `members_total` is computed while planning. Emails use the reserved
example.com/.net/.org domains. The demo users and their shared password are in `demo`.
"""
