"""`dualworker check`: the blueprint's security checklist as lint rules for dual-worker projects.

The pipeline is discover (find configs, infer roles) -> parse (JSONC/TOML/TypeScript with
positions) -> rules (one module per rule) -> suppressions -> reporters. Nothing here imports
Copier; tree-sitter is imported only when a TypeScript file must be read.
"""
