#!/usr/bin/env python3
"""Builds a git repository that replays the ShopCo sample as eight years of dated history.

Usage: python build_history.py DEST

DEST must not exist or be empty. The result is deterministic (same commits, same hashes for
the same git version): every commit sets its author, committer and dates explicitly, and the
user's git configuration is ignored. Standard library only, Python >= 3.11.

How the history is made: every file of the sample (except this script, README.md and
reference.toml, which describe the sample) starts as a prefix of its final text, cut at a
top-level `def`/`class`/SQL statement, and grows commit by commit until it equals the sample
byte for byte. On top of that:

* before the "Reformat with black" commit (2020), Python files carry unformatted variants
  (single quotes, trailing whitespace), so that commit touches most of the code base;
* `shop/notifications/mailer.py` was `shop/notifications/smtp.py` until 2020 (`git mv`);
* the refunds feature lives on a `feature/refunds` branch merged with `--no-ff` (2018).
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent
META_FILES = frozenset({"build_history.py", "README.md", "reference.toml"})
IGNORED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".git", ".ruff_cache"})
IGNORED_SUFFIXES = (".pyc", ".pyo", ".db", ".sqlite", ".sqlite3")

PY2_FILES = frozenset({"shop/reporting/legacy_export.py", "shop/inventory/legacy_sync.py"})
RENAME_OLD = "shop/notifications/smtp.py"
RENAME_NEW = "shop/notifications/mailer.py"
BRANCH = "feature/refunds"

AUTHORS = {
    "marta": ("Marta Kowalski", "marta.kowalski@shopco.example.com"),
    "dave": ("Dave Okafor", "dave.okafor@shopco.example.com"),
    "lars": ("Lars Eriksen", "lars.eriksen@shopco.example.com"),
    "sofia": ("Sofia Alvarez", "sofia.alvarez@shopco.example.com"),
    "tom": ("Tom Becker", "tom.becker@shopco.example.com"),
    "priya": ("Priya Raman", "priya.raman@shopco.example.com"),
    "chen": ("Chen Wei", "chen.wei@shopco.example.com"),
}

Changes = dict[str, float]
"""Glob pattern (relative to the sample) -> how much of the file exists after the commit."""


@dataclass(frozen=True)
class Commit:
    """One step of the history: a commit, a branch switch or a merge."""

    date: str
    author: str
    message: str
    changes: Changes = field(default_factory=dict)
    kind: str = "commit"  # commit | branch | main | merge | black | rename


def cp(date: str, author: str, message: str, changes: Changes, kind: str = "commit") -> Commit:
    return Commit(date, author, message, changes, kind)


N = "shop/notifications/"
O = "shop/orders/"  # noqa: E741
P = "shop/payments/"
I = "shop/inventory/"  # noqa: E741
S = "shop/shipping/"
C = "shop/catalog/"
K = "shop/customers/"
R = "shop/reporting/"

HISTORY: tuple[Commit, ...] = (
    # ---------------------------------------------------------------- 2016: the prototype
    cp("2016-03-14 09:12", "marta", "Initial Flask prototype", {
        "shop/__init__.py": 1, "shop/app.py": 0.5, "shop/config.py": 0.5, "shop/db.py": 0.5,
        "shop/models.py": 0.3, "shop/utils.py": 0.4, "requirements.txt": 0.4, "schema.sql": 0.3,
    }),
    cp("2016-03-15 17:40", "marta", "Product pages", {
        C + "__init__.py": 1, C + "repository.py": 0.5, C + "service.py": 0.5, C + "views.py": 0.5,
    }),
    cp("2016-03-18 11:05", "marta", "Vendor simplejson_compat (no PyPI on the build box)", {
        "shop/vendor/*": 1, "shop/utils.py": 0.45,
    }),
    cp("2016-03-22 22:31", "marta", "Cart and checkout, first version", {
        O + "__init__.py": 1, O + "repository.py": 0.5, O + "cart.py": 0.5, O + "service.py": 0.4,
        O + "views.py": 0.4, "shop/models.py": 0.45,
    }),
    cp("2016-03-24 10:02", "dave", "Customer accounts and login", {
        K + "__init__.py": 1, K + "repository.py": 0.5, K + "auth.py": 0.6, K + "service.py": 0.4,
        K + "views.py": 0.5, K + "validators.py": 0.6, "shop/models.py": 0.5,
    }),
    cp("2016-03-29 16:20", "dave", "Order totals and coupons", {
        O + "totals.py": 0.6, O + "validators.py": 0.6, C + "pricing.py": 0.5,
    }),
    cp("2016-04-01 13:13", "marta", "Order confirmation mails over SMTP", {
        N + "__init__.py": 1, RENAME_NEW: 0.6, N + "templates.py": 0.6, N + "service.py": 0.4,
    }),
    cp("2016-04-02 08:00", "marta", "Go live!", {
        "shop/app.py": 0.7, "shop/config.py": 0.7, "schema.sql": 0.45, "requirements.txt": 0.6,
    }),
    cp("2016-04-12 19:47", "dave", "PayPal checkout", {
        P + "__init__.py": 1, P + "gateway.py": 0.5, P + "service.py": 0.4,
        P + "repository.py": 0.4, P + "views.py": 0.4, "shop/models.py": 0.6,
    }),
    cp("2016-05-03 09:30", "marta", "Monthly export for the accountants", {
        R + "__init__.py": 1, R + "legacy_export.py": 0.6,
    }),
    cp("2016-06-20 14:55", "dave", "Fix rounding of tax on order lines", {
        C + "pricing.py": 0.7, O + "totals.py": 0.8,
    }),
    cp("2016-08-09 21:10", "marta", "ERP stock sync over FTP", {
        I + "__init__.py": 1, I + "legacy_sync.py": 1, "shop/models.py": 0.65, "schema.sql": 0.55,
    }),
    cp("2016-09-12 10:44", "marta", "Product search", {C + "search.py": 0.6, C + "views.py": 0.7}),
    cp("2016-10-25 15:03", "dave", "Invoices (txt for now)", {
        P + "invoices.py": 1, P + "repository.py": 0.6,
    }),
    cp("2016-11-21 23:58", "dave", "Black Friday: sale prices", {
        C + "pricing.py": 0.85, "shop/models.py": 0.7, O + "cart.py": 0.7,
    }),
    cp("2016-12-05 11:11", "marta", "utils: caching decorator", {
        "shop/utils.py": 0.6, C + "service.py": 0.7,
    }),
    # ---------------------------------------------------------------- 2017: warehouse, PSP
    cp("2017-01-16 09:05", "lars", "Warehouses and stock items", {
        I + "queries.py": 0.5, I + "service.py": 0.5, I + "views.py": 0.5, "shop/models.py": 0.75,
    }),
    cp("2017-02-02 17:17", "lars", "Reserve stock at checkout", {
        I + "reservations.py": 0.6, O + "service.py": 0.55, "shop/models.py": 0.8,
        "schema.sql": 0.65,
    }),
    cp("2017-02-20 08:41", "lars", "Release expired reservations (cron)", {
        I + "tasks.py": 0.6, I + "reservations.py": 0.8,
    }),
    cp("2017-03-08 12:00", "dave", "Switch PSP to PayFast", {
        P + "gateway.py": 0.8, P + "service.py": 0.6, "shop/config.py": 0.8,
    }),
    cp("2017-03-30 18:22", "dave", "PayFast webhook marks orders paid", {
        P + "service.py": 0.75, P + "views.py": 0.7, O + "service.py": 0.65,
    }),
    cp("2017-04-18 10:10", "lars", "Shipping: carriers and shipments", {
        S + "__init__.py": 1, S + "queries.py": 0.5, S + "carriers.py": 0.5, S + "service.py": 0.5,
        S + "views.py": 0.5, "shop/models.py": 0.85,
    }),
    cp("2017-05-10 15:36", "lars", "Dispatch updates the order status", {
        S + "service.py": 0.7, O + "service.py": 0.7,
    }),
    cp("2017-06-14 11:25", "marta", "Order history for customers", {
        O + "views.py": 0.6, O + "repository.py": 0.7,
    }),
    cp("2017-07-04 09:59", "marta", "Add v_order_summary view (was created by hand on prod)", {
        "schema.sql": 0.75, O + "repository.py": 0.8,
    }),
    cp("2017-08-22 14:14", "dave", "Customer addresses with postcode validation", {
        K + "validators.py": 0.8, K + "service.py": 0.6, K + "views.py": 0.7,
    }),
    cp("2017-09-19 16:48", "lars", "Poll carriers for tracking updates", {
        S + "tracking.py": 0.6, S + "tasks.py": 0.5,
    }),
    cp("2017-10-30 10:30", "marta", "Category tree", {
        C + "repository.py": 0.75, C + "service.py": 0.85,
    }),
    cp("2017-11-06 10:20", "dave", "Cancel unpaid orders after 24h", {O + "tasks.py": 0.6}),
    cp("2017-11-24 06:15", "dave", "Black Friday hotfix: PSP timeout 15s", {P + "gateway.py": 0.9}),
    cp("2017-12-11 13:37", "lars", "Low stock alert mail", {
        I + "tasks.py": 0.8, N + "service.py": 0.6,
    }),
    # ---------------------------------------------------------------- 2018: growth team
    cp("2018-01-22 10:00", "sofia", "Email templates in the database", {
        N + "repository.py": 0.6, N + "templates.py": 0.8, N + "views.py": 0.5,
        "shop/models.py": 0.9,
    }),
    cp("2018-02-12 14:20", "lars", "Stock take screen", {
        I + "service.py": 0.75, I + "views.py": 0.7, I + "queries.py": 0.7,
    }),
    cp("2018-03-05 11:45", "sofia", "Customer notes and loyalty points (own models module)", {
        K + "models.py": 1, K + "repository.py": 0.75, K + "service.py": 0.75,
    }),
    cp("2018-04-09 09:20", "dave", "Refunds: model and PSP call", {
        P + "refunds.py": 0.6, P + "gateway.py": 1,
    }, kind="branch"),
    cp("2018-04-16 17:05", "dave", "Refunds: admin endpoint", {
        P + "refunds.py": 1, P + "views.py": 0.85,
    }, kind="branch"),
    cp("2018-04-11 15:30", "sofia", "Welcome mail job", {
        N + "tasks.py": 0.5, N + "service.py": 0.75,
    }, kind="main"),
    cp("2018-04-13 12:12", "lars", "Shipping labels for the Zebra printers", {
        S + "labels.py": 1,
    }, kind="main"),
    cp("2018-04-20 10:00", "dave", "Merge branch 'feature/refunds'", {}, kind="merge"),
    cp("2018-04-23 16:40", "dave", "Refund paid orders on cancellation", {
        O + "service.py": 0.8, P + "service.py": 0.85,
    }),
    cp("2018-05-24 18:30", "sofia", "GDPR: data export and erasure", {
        K + "export.py": 1, K + "service.py": 0.9, K + "views.py": 0.85,
    }),
    cp("2018-06-18 09:15", "sofia", "Newsletter in batches", {
        N + "tasks.py": 0.8, K + "repository.py": 0.85,
    }),
    cp("2018-07-09 13:00", "marta", "One-page admin dashboard", {
        R + "admin.py": 0.5, "shop/app.py": 0.8,
    }),
    cp("2018-09-03 10:27", "lars", "Return parcels to stock", {I + "service.py": 0.9}),
    cp("2018-10-15 15:55", "sofia", "Password reset tokens", {
        K + "auth.py": 0.85, K + "views.py": 0.9,
    }),
    cp("2018-11-26 09:01", "dave", "Switch off PayPal", {
        "shop/config.py": 0.85, P + "service.py": 0.9,
    }),
    cp("2018-12-10 11:11", "marta", "CSV product import for the buying team", {
        C + "importer.py": 0.6, C + "validators.py": 0.7,
    }),
    # ---------------------------------------------------------------- 2019: data team, alembic
    cp("2019-01-14 14:44", "marta", "Audit log for admin actions", {
        R + "admin.py": 0.75, "shop/models.py": 0.95,
    }),
    cp("2019-02-25 17:30", "marta", "Document the session helpers before I leave", {
        "shop/db.py": 0.8, "shop/utils.py": 0.75,
    }),
    cp("2019-03-11 10:02", "tom", "Alembic baseline", {"migrations/env.py": 1,
                                                       "migrations/versions/0001_*": 1}),
    cp("2019-03-25 16:16", "tom", "Run report queries on the read replica", {
        R + "queries.py": 0.6, R + "service.py": 0.5, "shop/db.py": 1, "shop/config.py": 0.9,
    }),
    cp("2019-04-15 09:45", "tom", "Daily sales report", {
        R + "service.py": 0.8, R + "views.py": 0.6, R + "tasks.py": 0.6,
    }),
    cp("2019-05-06 11:30", "priya", "Returns (RMA): restock and refund", {
        O + "returns.py": 0.7, I + "service.py": 1,
    }),
    cp("2019-05-27 17:50", "priya", "Fix double refund on returns", {
        O + "returns.py": 1, P + "service.py": 1,
    }),
    cp("2019-06-03 12:40", "sofia", "Passwords: at least 8 characters (pentest finding)", {
        K + "validators.py": 1,
    }),
    cp("2019-06-17 08:30", "lars", "GLS contract ended", {S + "carriers.py": 0.8}),
    cp("2019-07-08 15:00", "dave", "Tests for totals and pricing", {
        "tests/__init__.py": 1, "tests/conftest.py": 1, "tests/test_orders.py": 1,
        "tests/test_pricing.py": 1,
    }),
    cp("2019-08-05 10:10", "tom", "Refunds in the accountants export", {
        R + "legacy_export.py": 0.8,
    }),
    cp("2019-09-09 09:00", "priya", "Purge abandoned orders after 30 days", {O + "tasks.py": 1}),
    cp("2019-09-30 16:40", "sofia", "Gift cards, part 1 (table only)", {
        "migrations/versions/0002_*": 1, "schema.sql": 0.85,
    }),
    cp("2019-10-21 13:13", "tom", "Reconcile payments against the PayFast settlement", {
        P + "reconciliation.py": 0.7, P + "repository.py": 0.8,
    }),
    cp("2019-11-18 09:12", "sofia", "Remove the wishlist feature", {
        "migrations/versions/0003_*": 1, K + "service.py": 1,
    }),
    cp("2019-12-02 14:02", "priya", "Coupon validation edge cases", {
        O + "validators.py": 1, O + "totals.py": 0.9,
    }),
    # ---------------------------------------------------------------- 2020: re-org
    cp("2020-01-13 11:00", "sofia", "Rename notifications.smtp to notifications.mailer", {},
       kind="rename"),
    cp("2020-02-03 09:40", "lars", "Auto-create DHL shipments for small orders", {
        S + "tasks.py": 1, S + "queries.py": 0.8,
    }),
    cp("2020-03-16 12:25", "priya", "Merge anonymous cart after login", {
        O + "cart.py": 0.9, O + "views.py": 0.8,
    }),
    cp("2020-04-06 10:05", "tom", "Stock value and shipping performance reports", {
        R + "queries.py": 0.85, R + "service.py": 1,
    }),
    cp("2020-05-11 16:00", "dave", "Free shipping from 49 EUR", {
        "shop/config.py": 0.95, O + "totals.py": 1,
    }),
    cp("2020-06-22 08:50", "lars", "Second warehouse in Hamburg", {
        "schema.sql": 0.9, I + "queries.py": 0.85,
    }),
    cp("2020-07-13 18:00", "priya", "Reformat with black", {}, kind="black"),
    cp("2020-08-17 10:30", "chen", "Transfers between warehouses", {
        I + "views.py": 0.85, I + "queries.py": 1,
    }),
    cp("2020-09-01 09:00", "tom", "Add CODEOWNERS after the re-org", {".github/CODEOWNERS": 1}),
    cp("2020-09-07 14:45", "sofia", "Retry failed notifications", {
        N + "tasks.py": 1, N + "repository.py": 0.85,
    }),
    cp("2020-10-19 11:20", "tom", "Customer lifetime value report", {
        R + "queries.py": 1, R + "views.py": 0.85,
    }),
    cp("2020-11-23 07:30", "priya", "Black Friday: capture stuck payments", {
        P + "tasks.py": 0.8, P + "repository.py": 1,
    }),
    cp("2020-12-14 15:15", "chen", "Pick list as plain text", {
        S + "views.py": 0.8, S + "queries.py": 1,
    }),
    # ---------------------------------------------------------------- 2021-2022
    cp("2021-01-11 09:09", "chen", "Brexit: surcharge for GB parcels", {S + "carriers.py": 1}),
    cp("2021-02-15 13:30", "chen", "Reorder suggestions", {
        I + "forecast.py": 1, I + "views.py": 1,
    }),
    cp("2021-03-22 10:45", "priya", "Reconciliation upload endpoint", {
        P + "views.py": 1, P + "reconciliation.py": 1,
    }),
    cp("2021-04-19 16:20", "tom", "Report downloads", {R + "views.py": 1, R + "tasks.py": 1}),
    cp("2021-05-10 11:50", "sofia", "Template preview in the admin", {
        N + "views.py": 1, N + "templates.py": 1,
    }),
    cp("2021-06-14 17:59", "dave", "Document the checkout flow (last day, thanks all!)", {
        O + "service.py": 0.9, P + "tasks.py": 1,
    }),
    cp("2021-08-30 10:00", "chen", "Tracking: DPD API v1", {
        S + "tracking.py": 1, S + "service.py": 0.9,
    }),
    cp("2021-10-04 14:30", "sofia", "Catalog import: accept latin-1 files", {
        C + "importer.py": 1, C + "validators.py": 1,
    }),
    cp("2021-11-22 09:35", "priya", "Keep the v1 checkout endpoint for the old app", {
        O + "views.py": 0.9, O + "service.py": 1,
    }),
    cp("2022-01-17 11:11", "lars", "Inventory tests", {
        "tests/test_inventory.py": 1, I + "reservations.py": 1, I + "tasks.py": 1,
    }),
    cp("2022-03-07 15:40", "tom", "Admin: GDPR erase endpoint", {
        R + "admin.py": 1, K + "views.py": 1,
    }),
    cp("2022-05-16 10:20", "sofia", "Customer jobs: dormant accounts, points expiry", {
        K + "tasks.py": 1, K + "repository.py": 1,
    }),
    cp("2022-06-27 16:45", "lars", "Shipping: last cleanups before handover to Chen", {
        S + "service.py": 1, S + "views.py": 1,
    }),
    cp("2022-09-12 09:25", "chen", "Hide products that cannot be sold", {
        C + "tasks.py": 1, C + "repository.py": 1,
    }),
    cp("2022-11-21 13:00", "priya", "Coupons on anonymous carts", {
        O + "cart.py": 1, O + "repository.py": 1, O + "views.py": 1,
    }),
    # ---------------------------------------------------------------- 2023-2024
    cp("2023-02-06 10:40", "sofia", "Search suggestions", {
        C + "search.py": 1, C + "views.py": 0.85,
    }),
    cp("2023-03-13 14:00", "tom", "Schema dumps from production (SQLite and PostgreSQL)", {
        "schema.sql": 1, "schema.*.sql": 1,
    }),
    cp("2023-05-22 11:30", "priya", "Bump Flask to 2.0", {"requirements.txt": 1}),
    cp("2023-07-10 09:50", "chen", "Reorder level per stock item", {
        "shop/models.py": 1, K + "auth.py": 1,
    }),
    cp("2023-09-18 15:15", "sofia", "Bestsellers page", {
        C + "views.py": 1, C + "service.py": 1, C + "pricing.py": 1,
    }),
    cp("2023-11-20 10:10", "priya", "Money formatting for SEK and PLN", {
        "shop/utils.py": 1, "shop/app.py": 1, "shop/config.py": 1,
    }),
    cp("2024-01-15 08:45", "tom", "Accountants export: storno rows", {
        R + "legacy_export.py": 1, R + "tasks.py": 1,
    }),
    cp("2024-02-26 16:30", "chen", "Team map for the strangler planner", {"planner.toml": 1}),
    cp("2024-03-04 11:00", "priya", "BCC the order archive on confirmations", {
        N + "*": 1,
    }),
)

SWEEP = Commit("2024-03-11 09:30", "tom", "Sync with production (hotfixes applied on the server)")


# ---------------------------------------------------------------------------- file contents


def sample_files(root: Path = SAMPLE) -> list[str]:
    """The files replayed into the repository, as sorted posix paths relative to the sample."""
    found = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if not path.is_file() or IGNORED_PARTS.intersection(rel.parts):
            continue
        if rel.as_posix() in META_FILES or path.name.endswith(IGNORED_SUFFIXES):
            continue
        found.append(rel.as_posix())
    return sorted(found)


_PY_CUT = re.compile(r"^(def |class |@|# -{10,})")
_SQL_CUT = re.compile(r"^(CREATE |INSERT |-- -{10,})")


def cut_points(rel: str, lines: list[str]) -> list[int]:
    """Line indexes where a prefix of the file still reads as a complete earlier version."""
    if rel.endswith(".py"):
        pattern = _PY_CUT
        cuts = [
            i for i, line in enumerate(lines)
            if i > 0 and pattern.match(line) and not lines[i - 1].strip()
        ]
    elif rel.endswith(".sql"):
        cuts = [
            i for i, line in enumerate(lines)
            if i > 0 and _SQL_CUT.match(line) and not lines[i - 1].strip()
        ]
    else:
        cuts = [i for i, line in enumerate(lines) if i > 0 and line.strip()]
    floor = 0.3 * len(lines)
    return [i for i in cuts if i >= floor]


def prefix(rel: str, text: str, level: float) -> str:
    """The first `level` of the file, cut at the nearest cut point at or below it."""
    if level >= 1:
        return text
    lines = text.splitlines(keepends=True)
    cuts = cut_points(rel, lines)
    below = [i for i in cuts if i <= level * len(lines)]
    if below:
        end = below[-1]
    elif cuts:
        end = cuts[0]
    else:
        return text
    kept = "".join(lines[:end]).rstrip("\n")
    return kept + "\n"


def unblack(text: str) -> str:
    """A plausible pre-black version: single quotes where safe and trailing whitespace."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        newline = line[len(body):]
        if '"' in body and "'" not in body and "\\" not in body and '"""' not in body:
            body = body.replace('"', "'")
        if body.rstrip().endswith((":", ",", "(")):
            body += " "
        out.append(body + newline)
    return "".join(out)


def is_black_target(rel: str) -> bool:
    return (
        rel.endswith(".py")
        and rel.startswith(("shop/", "tests/"))
        and rel not in PY2_FILES
        and not rel.startswith("shop/vendor/")
    )


@dataclass
class State:
    """What the history has written so far: file levels and the two one-off switches."""

    finals: dict[str, str]
    levels: dict[str, float] = field(default_factory=dict)
    blackened: bool = False
    renamed: bool = False

    def disk_path(self, rel: str) -> str:
        if rel == RENAME_NEW and not self.renamed:
            return RENAME_OLD
        return rel

    def render(self, rel: str) -> str:
        text = prefix(rel, self.finals[rel], self.levels[rel])
        if not self.renamed and rel.startswith("shop/notifications/"):
            text = re.sub(r"\bmailer\b", "smtp", text)
        if not self.blackened and is_black_target(rel):
            text = unblack(text)
        return text


# ---------------------------------------------------------------------------- git plumbing


class Git:
    """Runs git in the destination with a fixed identity and no user configuration."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C",
            "TZ": "UTC",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
        }

    def run(self, *args: str, author: str = "marta", date: str = "") -> str:
        name, email = AUTHORS[author]
        env = dict(self.env)
        if date:
            stamp = _git_date(date)
            env.update(
                GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE=stamp,
                GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email, GIT_COMMITTER_DATE=stamp,
            )
        command = [
            "git", "-c", f"user.name={name}", "-c", f"user.email={email}",
            "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.autocrlf=false",
            "-c", "core.hooksPath=" + os.devnull, "-c", "init.defaultBranch=main",
            "-C", str(self.dest), *args,
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout


def _git_date(date: str) -> str:
    """`2016-03-14 09:12` -> an ISO date with the Berlin offset of that season."""
    month = int(date[5:7])
    offset = "+0200" if 4 <= month <= 10 else "+0100"
    return f"{date}:00 {offset}"


# ---------------------------------------------------------------------------- replay


def _matches(changes: Changes, files: list[str]) -> dict[str, float]:
    chosen: dict[str, float] = {}
    for pattern, level in changes.items():
        for rel in files:
            if fnmatch.fnmatchcase(rel, pattern):
                chosen[rel] = max(chosen.get(rel, 0.0), level)
    return chosen


def _write(dest: Path, state: State, rel: str) -> None:
    target = dest / state.disk_path(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(state.render(rel).encode("utf-8"))


def _commit(git: Git, step: Commit) -> None:
    git.run("add", "-A", date=step.date, author=step.author)
    git.run(
        "commit", "-q", "--no-verify", "--allow-empty", "-m", step.message,
        date=step.date, author=step.author,
    )


def _apply(git: Git, dest: Path, state: State, step: Commit) -> None:
    for rel, level in sorted(_matches(step.changes, list(state.finals)).items()):
        state.levels[rel] = max(state.levels.get(rel, 0.0), level)
        _write(dest, state, rel)
    _commit(git, step)


def planned_steps(files: list[str]) -> list[Commit]:
    """The steps that will run for these files, including the final sweep if one is needed."""
    levels: dict[str, float] = {}
    for step in HISTORY:
        for rel, level in _matches(step.changes, files).items():
            levels[rel] = max(levels.get(rel, 0.0), level)
    steps = list(HISTORY)
    if any(levels.get(rel, 0.0) < 1 for rel in files):
        steps.append(SWEEP)
    return steps


def planned_commit_count(root: Path = SAMPLE) -> int:
    """How many commits `build` makes (branch and merge commits included)."""
    return len(planned_steps(sample_files(root)))


def build(dest: Path, root: Path = SAMPLE) -> int:
    """Replays the sample at `root` into a new repository at `dest`; returns the commit count."""
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"error: {dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    files = sample_files(root)
    state = State(finals={rel: (root / rel).read_bytes().decode("utf-8") for rel in files})
    git = Git(dest)
    git.run("init", "-q")
    on_branch = False
    for step in planned_steps(files):
        if step.kind == "branch" and not on_branch:
            git.run("checkout", "-q", "-b", BRANCH)
            on_branch = True
        elif step.kind in ("main", "merge") and on_branch:
            git.run("checkout", "-q", "main")
            on_branch = False
        if step.kind == "merge":
            git.run("merge", "-q", "--no-ff", "-m", step.message, BRANCH,
                    date=step.date, author=step.author)
            git.run("branch", "-q", "-d", BRANCH)
        elif step.kind == "black":
            state.blackened = True
            for rel in sorted(state.levels):
                if is_black_target(rel):
                    _write(dest, state, rel)
            _commit(git, step)
        elif step.kind == "rename":
            git.run("mv", RENAME_OLD, RENAME_NEW)
            state.renamed = True
            for rel in sorted(state.levels):
                if rel.startswith("shop/notifications/"):
                    _write(dest, state, rel)
            _commit(git, step)
        elif step is SWEEP:
            for rel in files:
                state.levels[rel] = 1.0
                _write(dest, state, rel)
            _commit(git, step)
        else:
            _apply(git, dest, state, step)
    return int(git.run("rev-list", "--count", "HEAD").strip())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python build_history.py DEST", file=sys.stderr)
        return 2
    dest = Path(argv[1]).resolve()
    try:
        count = build(dest)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"built {count} commits in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
