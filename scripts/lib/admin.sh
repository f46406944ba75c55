# The embedded admin: TypeScript checked, built by Vite into backend/admin/dist (which the
# seglink binary compiles in), and its first page's own JavaScript and CSS held to a budget.
# Polaris and App Bridge come from Shopify's CDN and do not count.

ADMIN_BUDGET_GZIP_BYTES=61440

build_admin() {
  npm run --silent build:admin
  node scripts/admin-size.mjs "$ADMIN_BUDGET_GZIP_BYTES"
}

# Debian's Chromium for the admin's browser tests (playwright-core drives it; no browser download).
install_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
  chromium --version
}
