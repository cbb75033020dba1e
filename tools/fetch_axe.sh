#!/usr/bin/env bash
# Refresh the vendored axe-core used by the accessibility tests, from the npm registry.
#   bash tools/fetch_axe.sh            # latest 4.x
#   bash tools/fetch_axe.sh 4.14.1     # a given version
# Writes tests/vendor/axe-core/{axe.min.js,LICENSE,LICENSE-3RD-PARTY.txt} and prints
# the version; commit them together.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-4}"
dest=tests/vendor/axe-core
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@${version}" >/dev/null && tar xzf axe-core-*.tgz)
mkdir -p "$dest"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$work/package/LICENSE-3RD-PARTY.txt" "$dest/"
got="$(node -p "require('$work/package/package.json').version")"
sed -i "s/axe-core\` [0-9][0-9.]*/axe-core\` ${got}/" "$dest/README.md" || true
echo "axe-core ${got} -> ${dest}/axe.min.js"
