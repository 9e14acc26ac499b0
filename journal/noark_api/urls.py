from django.urls import path

from . import views as v

app_name = "noark5"

ID = "<uuid:system_id>"
urlpatterns = [
    path("", v.RootApi.as_view(), name="root"),
    path("arkivstruktur/", v.ArkivstrukturApi.as_view(), name="arkivstruktur"),
    path("arkivstruktur/arkiv/", v.ArkivListApi.as_view(), name="arkiv_list"),
    path(f"arkivstruktur/arkiv/{ID}/", v.ArkivDetailApi.as_view(), name="arkiv_detail"),
    path("arkivstruktur/arkivdel/", v.ArkivdelListApi.as_view(), name="arkivdel_list"),
    path(f"arkivstruktur/arkivdel/{ID}/", v.ArkivdelDetailApi.as_view(), name="arkivdel_detail"),
    path(
        f"arkivstruktur/dokumentbeskrivelse/{ID}/",
        v.DokumentbeskrivelseDetailApi.as_view(),
        name="dokumentbeskrivelse_detail",
    ),
    path(
        f"arkivstruktur/dokumentobjekt/{ID}/",
        v.DokumentobjektDetailApi.as_view(),
        name="dokumentobjekt_detail",
    ),
    path(
        f"arkivstruktur/dokumentobjekt/{ID}/referanseFil/",
        v.DokumentobjektFilApi.as_view(),
        name="dokumentobjekt_fil",
    ),
    path("sakarkiv/", v.SakarkivApi.as_view(), name="sakarkiv"),
    path("sakarkiv/saksmappe/", v.SaksmappeListApi.as_view(), name="saksmappe_list"),
    path(f"sakarkiv/saksmappe/{ID}/", v.SaksmappeDetailApi.as_view(), name="saksmappe_detail"),
    path(
        f"sakarkiv/saksmappe/{ID}/journalpost/",
        v.SaksmappeJournalpostApi.as_view(),
        name="saksmappe_journalpost",
    ),
    path("sakarkiv/journalpost/", v.JournalpostListApi.as_view(), name="journalpost_list"),
    path(f"sakarkiv/journalpost/{ID}/", v.JournalpostDetailApi.as_view(), name="journalpost_detail"),
    path(
        f"sakarkiv/journalpost/{ID}/dokumentbeskrivelse/",
        v.JournalpostDokumentbeskrivelseApi.as_view(),
        name="journalpost_dokumentbeskrivelse",
    ),
]
