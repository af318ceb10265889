"""The introduction of a portal: a safe subset of Markdown (paragraphs, emphasis, links,
lists), every character of the author's text escaped, raw HTML shown as text."""

from markdown_it import MarkdownIt

_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["emphasis", "link", "list", "newline"]
)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    # Only web and e-mail links: no javascript:, data: or relative tricks.
    return url.strip().lower().startswith(_SAFE_SCHEMES)


_md.validateLink = _validate_link


def render_introduction(text: str) -> str:
    """HTML for `text` (safe to mark safe: markdown-it escapes text and refuses raw HTML)."""
    return _md.render(text or "")
