"""Entry, detail and workflow pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


initiative_create = initiative_detail = initiative_edit = initiative_submit = _todo
initiative_decide = initiative_withdraw = initiative_reopen = attachment_add = _todo
attachment_download = attachment_remove = entry_for_unit = _todo
