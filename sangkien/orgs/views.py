from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sangkien.accounts.permissions import top_units_for, units_visible_to

from .models import Unit, UnitStatus
from .permissions import get_unit_for_user


@login_required
def unit_index(request: HttpRequest) -> HttpResponse:
    tops = top_units_for(request.user).ordered()
    return render(request, "orgs/unit_index.html", {"units": tops})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    visible_ancestors = units_visible_to(request.user).filter(pk__in=unit.ancestor_ids)
    children = Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE).ordered()
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "breadcrumbs": list(visible_ancestors.order_by("depth")),
            "children": children,
        },
    )
