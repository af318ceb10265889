from django.urls import path

from contrib import views

app_name = "contrib"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("fiches/nouvelle/", views.new_sheet, name="new-sheet"),
    path("fiches/<int:pk>/modifier/", views.edit_sheet, name="edit-sheet"),
    path("fiches/<int:pk>/brouillon-auto/", views.autosave_sheet, name="autosave-sheet"),
    path(
        "fiches/<int:pk>/brouillon-auto/abandonner/",
        views.discard_autosave,
        name="discard-autosave",
    ),
    path("fiches/<int:pk>/apercu/", views.preview_sheet, name="preview-sheet"),
    path("fiches/<int:pk>/soumettre/", views.submit_sheet, name="submit-sheet"),
    path("fiches/<int:pk>/fichiers/", views.upload_attachment, name="upload-attachment"),
    path(
        "fiches/<int:pk>/fichiers/<int:attachment_pk>/retirer/",
        views.remove_attachment,
        name="remove-attachment",
    ),
    path("fichiers/<int:attachment_pk>/", views.download_attachment, name="download-attachment"),
    path("fiches/<int:pk>/historique/", views.sheet_history, name="sheet-history"),
    path(
        "fiches/<int:pk>/historique/<int:revision_pk>/",
        views.sheet_revision,
        name="sheet-revision",
    ),
    path(
        "fiches/<int:pk>/historique/<int:revision_pk>/restaurer/",
        views.restore_revision,
        name="restore-revision",
    ),
    path("relecture/", views.review_queue, name="review-queue"),
    path("relecture/<int:pk>/", views.review_sheet, name="review-sheet"),
    path("relecture/<int:pk>/publier/", views.publish_sheet, name="publish-sheet"),
    path("relecture/<int:pk>/renvoyer/", views.return_sheet, name="return-sheet"),
    path("relecture/<int:pk>/archiver/", views.archive_sheet, name="archive-sheet"),
    path("relecture/<int:pk>/fusionner/", views.merge_sheet, name="merge-sheet"),
    path("fiches/<int:pk>/rattacher/", views.attach_structure, name="attach-structure"),
    path("structures/<int:structure_pk>/ecrire/", views.relay_message, name="relay-message"),
    path("vocabulaire/", views.vocabulary, name="vocabulary"),
    path("vocabulaire/thesaurus/", views.thesaurus, name="thesaurus"),
    path("vocabulaire/thesaurus/<int:pk>/", views.thesaurus_entry, name="thesaurus-entry"),
    path(
        "vocabulaire/thesaurus/<int:pk>/supprimer/",
        views.delete_thesaurus_entry,
        name="delete-thesaurus-entry",
    ),
    path(
        "vocabulaire/<slug:model>/<int:pk>/<slug:action>/",
        views.vocabulary_action,
        name="vocabulary-action",
    ),
    path("structures/rejoindre/", views.join_structure, name="join-structure"),
    path("structures/<int:structure_pk>/rejoindre/", views.request_join, name="request-join"),
    path(
        "structures/<int:structure_pk>/membres/",
        views.structure_members,
        name="structure-members",
    ),
    path(
        "structures/<int:structure_pk>/coordonnees/",
        views.structure_contact,
        name="structure-contact",
    ),
    path("demandes/<int:pk>/<slug:decision>/", views.decide_join, name="decide-join"),
]
