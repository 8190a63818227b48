"""Parsers that keep source positions: JSONC (own tokenizer), TOML (tomllib + tomlkit), TypeScript."""
