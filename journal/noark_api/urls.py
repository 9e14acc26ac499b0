from django.urls import path, re_path

from . import views as v

app_name = "noark5"

ID = "<uuid:system_id>"
urlpatterns = [
    path("", v.RootApi.as_view(), name="root"),
    path("metadata/", v.MetadataApi.as_view(), name="metadata"),
    path("metadata/<str:kodeliste>/", v.MetadataListApi.as_view(), name="metadata_list"),
    # Every create template (.../ny-saksmappe, .../ny-journalpost, ...): read-only API, 405.
    re_path(r"^(?:.+/)?ny-[A-Za-z]+/?$", v.NyTemplateApi.as_view(), name="ny_template"),
    path("arkivstruktur/", v.ArkivstrukturApi.as_view(), name="arkivstruktur"),
    path("arkivstruktur/arkiv/", v.ArkivListApi.as_view(), name="arkiv_list"),
    path(f"arkivstruktur/arkiv/{ID}/", v.ArkivDetailApi.as_view(), name="arkiv_detail"),
    path("arkivstruktur/arkivdel/", v.ArkivdelListApi.as_view(), name="arkivdel_list"),
    path(
        "arkivstruktur/klassifikasjonssystem/",
        v.KlassifikasjonssystemListApi.as_view(),
        name="klassifikasjonssystem_list",
    ),
    path(
        f"arkivstruktur/klassifikasjonssystem/{ID}/",
        v.KlassifikasjonssystemDetailApi.as_view(),
        name="klassifikasjonssystem_detail",
    ),
    path("arkivstruktur/klasse/", v.KlasseListApi.as_view(), name="klasse_list"),
    path(f"arkivstruktur/klasse/{ID}/", v.KlasseDetailApi.as_view(), name="klasse_detail"),
    path("arkivstruktur/mappe/", v.SaksmappeListApi.as_view(), name="mappe_list"),
    path("arkivstruktur/registrering/", v.JournalpostListApi.as_view(), name="registrering_list"),
    path(
        "arkivstruktur/korrespondansepart/",
        v.KorrespondansepartListApi.as_view(),
        name="korrespondansepart_list",
    ),
    path(
        f"arkivstruktur/korrespondansepart/{ID}/",
        v.KorrespondansepartDetailApi.as_view(),
        name="korrespondansepart_detail",
    ),
    path(
        "arkivstruktur/dokumentbeskrivelse/",
        v.DokumentbeskrivelseListApi.as_view(),
        name="dokumentbeskrivelse_list",
    ),
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
