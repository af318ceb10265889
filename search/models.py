"""The search index: one SearchDocument per sheet, and the words it contains (typo suggestions).

The backend-specific parts live outside the models, created by migration 0002: on SQLite the
FTS5 table `search_fts` (rowid = sheet id); on PostgreSQL the weighted `vector` column of
`search_searchdocument` with its GIN index and a trigram index on `search_searchword.word`.
"""

from django.db import models

from catalogue.models import ActionSheet


class SearchDocument(models.Model):
    sheet = models.OneToOneField(
        ActionSheet, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    # Weight A: title; A: keywords; B: structure name, commune, département; C: summary; D: long texts.
    title = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    structure = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "document indexé"
        verbose_name_plural = "documents indexés"

    def __str__(self) -> str:
        return self.title


class SearchWord(models.Model):
    """A folded word (no accents, lower case) seen in the index: the dictionary of suggestions."""

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        verbose_name = "mot indexé"
        verbose_name_plural = "mots indexés"

    def __str__(self) -> str:
        return self.word


class IndexState(models.Model):
    """One row: a token that changes on every write that can change a search result, so each
    worker knows when its in-memory index (search.fast) is stale."""

    generation = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "état de l'index"

    def __str__(self) -> str:
        return self.generation
