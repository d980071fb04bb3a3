"""List pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


my_initiatives = review_queue = queue_counts = unit_poster = _todo
