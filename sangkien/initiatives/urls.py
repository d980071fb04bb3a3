from django.urls import path

from . import lists, views

app_name = "initiatives"
urlpatterns = [
    path("", lists.my_initiatives, name="mine"),
    path("new/", views.initiative_create, name="create"),
    path("new/author-row/", views.author_row, name="author_row"),
    path("new/members/", views.author_lookup, name="author_lookup"),
    path("review/", lists.review_queue, name="queue"),
    path("review/counts/", lists.queue_counts, name="queue_counts"),
    path("review/decide/", lists.queue_decide, name="queue_decide"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("<int:pk>/submit/", views.initiative_submit, name="submit"),
    path("<int:pk>/decide/", views.initiative_decide, name="decide"),
    path("<int:pk>/withdraw/", views.initiative_withdraw, name="withdraw"),
    path("<int:pk>/reopen/", views.initiative_reopen, name="reopen"),
    path("<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/files/<int:file_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/files/<int:file_id>/remove/", views.attachment_remove, name="attachment_remove"),
    # The address printed on a unit's QR poster: opens the entry form for that unit.
    path("for/<str:code>/", views.entry_for_unit, name="entry"),
    path("units/<str:code>/poster/", lists.unit_poster, name="poster"),
]
