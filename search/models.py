"""The search index: one SearchDocument per sheet, and the words it contains (typo suggestions).

The text itself is stored once, in the catalogue (snippets are cut from the sheets). The index
holds only the analysed terms (search.analysis), outside the models (migration 0006): on SQLite
the table `search_terms` (id = sheet id, one column of terms per field) and the external-content
FTS5 table `search_fts` over it (its inverted index only); on PostgreSQL the weighted tsvector
column `vector` of `search_searchdocument` with its GIN index.
"""

from django.db import models

from catalogue.models import ActionSheet


class SearchDocument(models.Model):
    sheet = models.OneToOneField(
        ActionSheet, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    indexed_at = models.DateTimeField(auto_now=True)
    # Terms per field class (title, keywords and "who", summary, long texts): BM25F's length
    # normalisation (search.scoring).
    title_length = models.PositiveIntegerField(default=0)
    who_length = models.PositiveIntegerField(default=0)
    summary_length = models.PositiveIntegerField(default=0)
    body_length = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "document indexé"
        verbose_name_plural = "documents indexés"

    def __str__(self) -> str:
        return str(self.sheet_id)


class SearchWord(models.Model):
    """A folded word (no accents, lower case) seen in the index: the dictionary of typo
    corrections, with its spelling as written (`display`, accents kept) for suggestions."""

    word = models.CharField(max_length=60, unique=True)
    display = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = "mot indexé"
        verbose_name_plural = "mots indexés"

    def __str__(self) -> str:
        return self.word


class IndexState(models.Model):
    """One row: a token that changes on every write that can change a search result, so each
    worker knows when its in-memory index (search.engines.memory) is stale."""

    generation = models.CharField(max_length=32, blank=True)
    # The analyser version the index was built with (search.indexing.ANALYSER_VERSION).
    analyser = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "état de l'index"

    def __str__(self) -> str:
        return self.generation


class IndexChange(models.Model):
    """One published sheet whose public values changed (created, edited, published, archived,
    deleted): every worker reads the rows past the last one it applied and updates its in-memory
    index for those sheets only (search.engines.memory). A full rebuild (new
    IndexState.generation) empties the log. `stamp` tells a row from one that reused its id
    after a rollback."""

    id = models.BigAutoField(primary_key=True)
    sheet_id = models.IntegerField()
    stamp = models.CharField(max_length=8)

    class Meta:
        verbose_name = "changement indexé"
        verbose_name_plural = "changements indexés"

    def __str__(self) -> str:
        return f"{self.pk}: {self.sheet_id}"


class ThesaurusEntry(models.Model):
    """A group of expressions that mean the same thing in the field, or derived forms of one word,
    or a partner's old and new names, or a broader term and its narrower ones ("spectacle >
    théâtre, concert": search.thesaurus). Read at query time: an edit needs no reindexing."""

    class Kind(models.TextChoices):
        SYNONYMS = "synonymes", "Synonymes"
        FAMILY = "famille", "Famille de mots"
        NAME = "nom", "Ancien et nouveau nom"
        ACRONYM = "sigle", "Sigle et développement"
        HIERARCHY = "générique", "Terme générique et termes spécifiques"

    kind = models.CharField("type", max_length=12, choices=Kind.choices, default=Kind.SYNONYMS)
    expressions = models.TextField(
        "expressions", help_text="Séparées par des virgules, par exemple : jardin, potager."
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "entrée du thésaurus"
        verbose_name_plural = "thésaurus"
        ordering = ["kind", "expressions"]

    def __str__(self) -> str:
        return self.expressions

    @property
    def expression_list(self) -> list[str]:
        return [e.strip() for e in self.expressions.replace(">", ",").split(",") if e.strip()]
