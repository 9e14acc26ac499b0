from django.urls import path

from . import guestbook_views

app_name = "guestbook"

urlpatterns = [
    path("<slug:slug>/", guestbook_views.guestbook_form, name="form"),
    path("<slug:slug>/takk/", guestbook_views.guestbook_thanks, name="thanks"),
]
