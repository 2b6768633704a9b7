#!/usr/bin/env bash
# Proves that a workflow is one folder. Takes the example of docs/defining-a-workflow.md out of
# the page, drops it into workflows/complaint/ and proto/wijkflow/ as a new workflow, builds it
# in BUILD_DIR (default build/), and checks that nothing but the new files changed, that the
# generated registry registered it, and that its own test passes. The files are removed again on
# exit; the next build of BUILD_DIR drops the example from it.
#   tools/check-workflow-folder.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
folder=workflows/complaint
proto=proto/wijkflow/complaint.proto
if [[ -e $folder || -e $proto ]]; then
  echo "check-workflow-folder: $folder or $proto exists already" >&2
  exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$folder" "$proto" "$scratch"' EXIT

cmake --build "$build" --target doc_extract >/dev/null
"$build"/bin/doc_extract docs/defining-a-workflow.md "$scratch"
before=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
cp -r "$scratch/$folder" "$folder"
cp "$scratch/$proto" "$proto"
after=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
added=$(diff <(echo "$before") <(echo "$after") | grep '^>' | sed 's/^> //' || true)
expected=$(printf '?? %s\n' "$proto" $(cd "$scratch" && find "$folder" -type f | sort) | sort)
if command -v git >/dev/null && [[ $(echo "$added" | sort) != "$expected" ]]; then
  echo "check-workflow-folder: the example changed more than its own files:" >&2
  echo "$added" >&2
  exit 1
fi

cmake --build "$build" --target complaint_test wijkflow
"$build"/bin/complaint_test --gtest_brief=1
"$build"/bin/wijkflow diagrams --out "$scratch/diagrams" | grep -q complaints || {
  echo "check-workflow-folder: wijkflow does not list the complaints workflow" >&2
  exit 1
}
echo "check-workflow-folder: the example of docs/defining-a-workflow.md builds and registers" \
  "as a folder of its own"
