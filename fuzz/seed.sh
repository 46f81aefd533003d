#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository (nothing of it is committed):
#   corpus/template_load/      every real and fixture template (YAML and JSON);
#   corpus/annotation_grammar/ the argument text of every #[event_producer(...)],
#                              #[event_consumer(...)] and #[event(...)] in the fixtures and the
#                              annotations crate's tests.
# Run from anywhere; safe to run again (files are named by content hash).
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/template_load corpus/annotation_grammar

find "$root/tests/corpus" "$root/tests/fixtures" "$root/pipeline" -type f \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) \
    -not -path '*/target/*' -print0 |
    while IFS= read -r -d '' file; do
        # Only templates: the fixtures also hold configs and expected outputs.
        if grep -qE 'AWSTemplateFormatVersion|Resources' "$file"; then
            cp "$file" "corpus/template_load/$(sha1sum "$file" | cut -c1-40)"
        fi
    done

python3 - "$root" <<'PY'
import hashlib, pathlib, re, sys
root = pathlib.Path(sys.argv[1])
out = pathlib.Path("corpus/annotation_grammar")
start = re.compile(r"#\[\s*(?:[\w:]*::)?(event_producer|event_consumer|event)\s*\(")
seen = set()
for folder in ("tests/fixtures", "annotations/tests", "pipeline", "examples"):
    for path in sorted((root / folder).rglob("*.rs")):
        if "target" in path.parts:
            continue
        text = path.read_text(errors="replace")
        for match in start.finditer(text):
            # Up to the parenthesis that closes the attribute's arguments (roughly: strings
            # are not skipped, which is fine for seeds).
            depth, i = 1, match.end()
            while i < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            args = text[match.end():i - 1]
            if args not in seen:
                seen.add(args)
                name = hashlib.sha1(args.encode()).hexdigest()
                (out / name).write_text(args)
PY
echo "template_load: $(ls corpus/template_load | wc -l) seeds; annotation_grammar: $(ls corpus/annotation_grammar | wc -l) seeds"
