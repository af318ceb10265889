"""The introduction of a portal: a safe subset of Markdown (paragraphs, emphasis, links,
lists), every character of the author's text escaped, raw HTML shown as text."""

from markdown_it import MarkdownIt

_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["emphasis", "link", "list", "newline"]
)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    # Web and e-mail links, and paths of this site: no javascript:, data: or "//host" tricks.
    url = url.strip().lower()
    return url.startswith(_SAFE_SCHEMES) or (url.startswith("/") and not url.startswith("//"))


_md.validateLink = _validate_link


def render_introduction(text: str) -> str:
    """HTML for `text` (safe to mark safe: markdown-it escapes text and refuses raw HTML)."""
    return _md.render(text or "")
