# Shared set-up steps for scripts/demo and scripts/test. Idempotent: fast when done already.

# LibreOffice (PDF/A conversion), python3-uno (warm converters), DejaVu fonts (embedded in
# the PDFs), poppler-utils (pdftoppm: page previews in docs/), chromium (browser tests).
# redis-server: the shared cache of the production settings (tests count rate limits in it).
# wrk: the HTTP load generator of bench/client_page.py.
# nodejs: runs npm for the test-only packages of package.json (axe-core, accessibility tests).
APT_PACKAGES="gettext libreoffice-writer-nogui python3-uno fonts-dejavu poppler-utils chromium redis-server wrk nodejs"

install_system_packages() {
  local missing=()
  for pkg in $APT_PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== Installing system packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

install_python_env() {
  if [ ! -x .venv/bin/python ]; then
    echo "== Creating .venv"
    python3 -m venv .venv
  fi
  if ! cmp -s requirements.lock .venv/.installed-lock 2>/dev/null; then
    echo "== Installing Python packages (requirements.lock)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements.lock
    .venv/bin/python -m pip install -q --no-deps -e .
    cp requirements.lock .venv/.installed-lock
  fi
}

# Test-only npm packages (package.json, pinned by package-lock.json): axe-core, which the
# accessibility browser tests inject (tests/e2e/accessibility.py). Reinstalled when the lock
# changes, like the Python packages.
install_node_packages() {
  # Debian ships npm as its own package; other nodejs builds (NodeSource) bundle it and
  # refuse Debian's, so it is installed only when no npm answers.
  if ! command -v npm >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends npm
  fi
  if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
    echo "== Installing npm packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock
  fi
}

# Background workers the demo needs (document conversion tasks); stopped with the demo.
start_background_workers() {
  # PDF documents are made by the django-tasks database worker, never in a web request.
  echo "== Starting the task worker (documents): manage.py db_worker"
  .venv/bin/python manage.py db_worker --no-reload &
  local worker=$! server=$$
  # The server replaces this shell (exec): stop the worker when that process ends.
  ( while kill -0 "$server" 2>/dev/null; do sleep 2; done; kill "$worker" 2>/dev/null ) &
}

# A demo made before terms-kit's files became private kept them in var/media/terms_kit/ (public
# at /media/ with DEBUG on): move them to the private folder, where the records now look.
move_files_to_private_storage() {
  if [ -d var/media/terms_kit ] && [ ! -e var/private/terms_kit ]; then
    echo "== Moving var/media/terms_kit/ to var/private/terms_kit/ (private storage)"
    mkdir -p var/private
    mv var/media/terms_kit var/private/terms_kit
  fi
}

# The demo's self-signed seal certificate (TERMS_KIT['SEAL_CERTIFICATE'] in base settings).
ensure_demo_seal() {
  [ -f var/seal/seal-cert.pem ] || .venv/bin/python manage.py termskit make-seal-certificate --out var/seal
}

# Redis at 127.0.0.1:6379 (the production settings' cache; the rate-limit tests use db 2).
# The project's machines run it already; start one when nothing answers there.
ensure_redis() {
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "== Starting Redis on 127.0.0.1:6379"
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" >/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
      sleep 0.5
    done
    echo "Redis did not start on 127.0.0.1:6379" >&2
    return 1
  fi
}
