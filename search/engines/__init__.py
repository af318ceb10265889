"""The two search engines behind search.service: `memory` (per-worker in-memory index) and
`database` (plain ORM). Both implement search.engines.base.Engine."""
