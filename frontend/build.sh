#!/usr/bin/env bash
# Builds the respondent pages' assets from GOV.UK Frontend into src/consulta/web/static/respond/.
# The outputs are committed: CI and installs never run npm. Run after changing respond.scss or
# upgrading govuk-frontend:  cd frontend && npm ci && ./build.sh
set -euo pipefail
cd "$(dirname "$0")"

OUT=../src/consulta/web/static/respond
GOVUK=node_modules/govuk-frontend/dist/govuk
mkdir -p "$OUT"

# GOV.UK Frontend 5 still uses @import; its deprecation warnings are not ours to fix.
npx sass --no-source-map --style=compressed --load-path=node_modules \
  --silence-deprecation=import --silence-deprecation=global-builtin --quiet-deps \
  respond.scss "$OUT/respond.css"

# The GDS Transport font is licensed for gov.uk only, and the crown and crest belong to the
# Crown: refuse to ship a stylesheet that refers to any of them.
if grep -Eiq 'gds-transport|@font-face|govuk-crest|crown|\.woff' "$OUT/respond.css"; then
  echo "respond.css refers to GOV.UK fonts or images; check respond.scss" >&2
  exit 1
fi

# The script only enhances (character count, error summary focus); pages work without it.
cp "$GOVUK/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
cp govuk-frontend-LICENSE.txt "$OUT/govuk-frontend-LICENSE.txt"
VERSION=$(node -p 'require("./node_modules/govuk-frontend/package.json").version')
echo "Built $OUT/respond.css and copied govuk-frontend.min.js (GOV.UK Frontend $VERSION)."
