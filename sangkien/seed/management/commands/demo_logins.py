from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sangkien.accounts.models import RoleGrant, User
from sangkien.seed.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the address of the site and the demo logins made by `sangkien seed`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the site's address")

    def handle(self, *args: Any, **opts: Any) -> None:
        out = self.stdout
        out.write("")
        out.write(f"Sáng kiến: {opts['url']}")
        users = {u.username: u for u in User.objects.filter(
            username__in=[d.username for d in DEMO_LOGINS]
        )}  # fmt: skip
        if not users:
            out.write("Chưa có tài khoản thử (no demo logins): run `sangkien seed --scale demo`.")
            return
        grants = RoleGrant.objects.filter(user__in=users.values()).select_related("unit", "user")
        unit_of = {(g.user.username, g.role): g.unit for g in grants}
        rows = [("Vai trò (role)", "Tên đăng nhập", "Email", "Điện thoại", "Đơn vị (unit)")]
        for d in DEMO_LOGINS:
            user = users.get(d.username)
            if user is None:
                continue
            unit = unit_of.get((d.username, d.role))
            rows.append(
                (
                    f"{d.label} ({d.label_en})",
                    d.username,
                    user.email,
                    user.phone or "",
                    f"{unit.name} [{unit.code}]" if unit else "",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for i, row in enumerate(rows):
            out.write(
                "  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
            )
            if i == 0:
                out.write("  ".join("-" * w for w in widths) + "  " + "-" * len(row[4]))
        out.write(f"Mật khẩu chung (password for all): {DEMO_PASSWORD}")
        out.write("Đăng nhập bằng tên đăng nhập, email hoặc số điện thoại.")
        out.write("(Log in with the username, the email or the phone number.)")
        out.write("")
