#!/usr/bin/env bash
# Set-up of everything the addon needs on a fresh machine, idempotently:
#   tools/setup.sh env        Debian packages, Odoo 19 (Debian's odoo-19 .deb, extracted),
#                             the venv, PostgreSQL, the Odoo configuration
#   tools/setup.sh testdb DB  a fresh database DB with amazon_seller installed
#   tools/setup.sh demodb DB  database DB with amazon_seller and l10n_de installed or updated (kept
#                             between runs)
#   tools/setup.sh test [PYTEST ARGS]
#                             all of the above with a fresh test database, then the whole suite
#   tools/setup.sh demo       all of the above with the database amazon_demo, the SP-API simulator
#                             on 127.0.0.1:8073 (real time; AMAZON_DEMO_TIME_SCALE=60 runs its
#                             clock 60 times faster), Odoo serving http://localhost:8069, and a
#                             CJK font for the PDFs of Japanese addresses
#   tools/setup.sh pot        regenerate the translation template i18n/amazon_seller.pot
#   tools/setup.sh odoo ARGS  run Odoo with the project's configuration
# Everything lands in the git-ignored .build/ folder of the checkout; downloads are cached in
# ${AMAZON_SELLER_CACHE:-~/.cache/amazon_seller} so that a new checkout does not fetch them again.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/.build"
CACHE="${AMAZON_SELLER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amazon_seller}"
ODOO_PACKAGE=odoo-19
ODOO_PREFERRED_VERSION="19.0.0+dfsg-1"
ODOO_PREFIX="$BUILD/odoo"
ODOO_PYTHONPATH="$ODOO_PREFIX/usr/lib/python3/dist-packages"
ODOO_ADDONS="$ODOO_PYTHONPATH/odoo/addons"
VENV="$BUILD/venv"
CONF="$BUILD/odoo.conf"
PG_DIR="$BUILD/pg"
DB_USER=odoo
BASE_MODULES="sale_management,sale_stock,stock_delivery,account"
APT_PACKAGES=(
    chromium postgresql libmagic1 wkhtmltopdf
    libjs-jquery libjs-underscore libjs-jquery-form
    fonts-font-awesome fonts-roboto-unhinted fonts-inconsolata fonts-ocr-b
)
# the demo's alone (the tests need none of them): Japanese addresses in wkhtmltopdf's PDFs
DEMO_APT_PACKAGES=(fonts-noto-cjk)
export DEBIAN_FRONTEND=noninteractive

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# PostgreSQL refuses to run as root: a private cluster belongs to the postgres system user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# === Debian packages === #

# install_apt_packages PACKAGES...: those not installed yet.
install_apt_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# === Odoo: Debian unstable's odoo-19 package, fetched through a private apt state === #

debian_mirror() {
    local uri
    uri=$(grep -hoE '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -v security | head -1 | awk '{print $2}')
    echo "${uri:-http://deb.debian.org/debian}"
}

# private_apt TOOL ARGS: apt-get / apt-cache on the private state, leaving the system's apt alone.
private_apt() {
    local tool=$1; shift
    "$tool" -o APT::Sandbox::User=root -o Dir::Etc::SourceList="$CACHE/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$CACHE/apt/lists" -o Dir::Cache="$CACHE/apt/cache" \
        -o Debug::NoLocking=1 "$@"
}

fetch_odoo_deb() {
    local deb version
    deb=$(ls "$CACHE"/${ODOO_PACKAGE}_*.deb 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$deb" ]; then echo "$deb"; return; fi
    mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) sid main" \
        >"$CACHE/apt/sources.list"
    log "fetching the $ODOO_PACKAGE package list from Debian unstable (private apt state)"
    private_apt apt-get update -q >&2
    version=$(private_apt apt-cache madison "$ODOO_PACKAGE" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' \
        | grep -Fx "$ODOO_PREFERRED_VERSION" || true)
    if [ -z "$version" ]; then
        version=$(private_apt apt-cache madison "$ODOO_PACKAGE" | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -V | tail -1)
        [ -n "$version" ] || die "Debian unstable has no $ODOO_PACKAGE package"
        log "note: $ODOO_PREFERRED_VERSION is gone from Debian; using $ODOO_PACKAGE $version"
    fi
    (cd "$CACHE" && private_apt apt-get -q download "$ODOO_PACKAGE=$version" >&2)
    ls "$CACHE"/${ODOO_PACKAGE}_*.deb | sort -V | tail -1
}

install_odoo() {
    local deb stamp
    deb=$(fetch_odoo_deb)
    stamp="$ODOO_PREFIX/.installed-from"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$(basename "$deb")" ]; then
        log "extracting $(basename "$deb")"
        rm -rf "$ODOO_PREFIX"
        mkdir -p "$ODOO_PREFIX" && dpkg -x "$deb" "$ODOO_PREFIX"
        basename "$deb" >"$stamp"
    fi
    # Debian's repack dropped this bundled file; without it every page logs an asset error.
    local selfie="$ODOO_ADDONS/mail/static/lib/selfie_segmentation/selfie_segmentation.js"
    mkdir -p "$(dirname "$selfie")" && touch "$selfie"
    # Web fonts/JS are symlinks into <prefix>/usr/share, where Debian's font/JS packages live:
    # point each dangling one at the system's copy (a missing Montserrat font is cosmetic).
    local link target
    while IFS= read -r link; do
        target=$(readlink -m "$link")
        target="${target#"$ODOO_PREFIX"}"
        if [ -e "$target" ]; then ln -sfn "$target" "$link"; fi
    done < <(find "$ODOO_PREFIX" -xtype l)
}

# === Python === #

install_venv() {
    local stamp="$VENV/.requirements.sha1" want
    want=$(sha1sum "$ROOT/tools/requirements.txt" | cut -d' ' -f1)
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return
    log "creating the venv with Odoo's requirements and the addon's"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    # (the machine's pip configuration may name local indexes that are absent: silence that noise)
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/tools/requirements.txt" \
        2> >(grep -v "is ignored: it is neither" >&2)
    echo "$want" >"$stamp"
}

# === PostgreSQL === #

# Writes DB_HOST and DB_PORT: the server named by the PG* variables when one answers,
# otherwise a private cluster of this checkout (unix socket + 127.0.0.1 only).
setup_postgres() {
    if [ -n "${PGHOST:-}${PGPORT:-}" ] && pg_isready -q -t 3; then
        DB_HOST="${PGHOST:-}"; DB_PORT="${PGPORT:-5432}"; DB_USER="${PGUSER:-$DB_USER}"
        log "using the PostgreSQL server at ${DB_HOST:-default socket}:$DB_PORT"
        return
    fi
    local pgbin port
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    mkdir -p "$PG_DIR/run"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR" "$PG_DIR/run"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        log "creating a private PostgreSQL cluster in $PG_DIR"
        as_pg "$pgbin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    [ -f "$PG_DIR/port" ] || free_port 54320 >"$PG_DIR/port"
    port=$(cat "$PG_DIR/port")
    if ! pg_isready -q -h "$PG_DIR/run" -p "$port"; then
        log "starting PostgreSQL on $PG_DIR/run and 127.0.0.1:$port"
        as_pg "$pgbin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -s start \
            -o "-k $PG_DIR/run -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    DB_HOST="$PG_DIR/run"; DB_PORT="$port"
    psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -d postgres -tAqc \
        "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" | grep -q 1 \
        || psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -d postgres -qc "CREATE ROLE $DB_USER SUPERUSER LOGIN" >&2
}

free_port() {
    python3 - "$1" <<'EOF'
import socket, sys
port = int(sys.argv[1])
while True:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            break
        except OSError:
            port += 1
print(port)
EOF
}

write_config() {
    mkdir -p "$BUILD/addons" "$BUILD/data"
    ln -sfn "$ROOT" "$BUILD/addons/amazon_seller"
    cat >"$CONF" <<EOF
[options]
addons_path = $ODOO_ADDONS,$BUILD/addons
data_dir = $BUILD/data
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
admin_passwd = admin
http_interface = 127.0.0.1
http_port = 8069
EOF
}

# === Commands === #

# odoo [COMMAND] ARGS: Odoo's CLI wants its sub-command (shell, i18n, ...) before any option.
odoo() {
    local command=()
    if [ -n "${1:-}" ] && [[ "$1" != -* ]]; then command=("$1"); shift; fi
    PYTHONPATH="$ODOO_PYTHONPATH" "$VENV/bin/python" -m odoo "${command[@]}" -c "$CONF" "$@"
}
psql_odoo() { psql -h "$(conf db_host)" -p "$(conf db_port)" -U "$(conf db_user)" -d postgres "$@"; }
conf() { sed -n "s/^$1 = //p" "$CONF"; }
db_exists() { psql_odoo -tAqc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1; }

cmd_env() {
    install_apt_packages "${APT_PACKAGES[@]}"
    install_odoo
    install_venv
    setup_postgres
    write_config
}

# A database with Odoo's modules that the addon depends on, kept as a template: a fresh
# test database is then a copy plus the install of amazon_seller alone.
base_template() {
    local key name
    key=$(printf '%s %s' "$(cat "$ODOO_PREFIX/.installed-from")" "$BASE_MODULES" | sha1sum | cut -c1-8)
    name="amazon_seller_base_$key"
    if ! db_exists "$name"; then
        log "creating the template database $name ($BASE_MODULES)"
        odoo -d "$name" -i "$BASE_MODULES" --stop-after-init --log-level=warn \
            || { psql_odoo -qc "DROP DATABASE IF EXISTS \"$name\""; die "could not create $name"; }
    fi
    echo "$name"
}

copy_database() {
    local from=$1 to=$2 filestore="$BUILD/data/filestore"
    psql_odoo -qc "DROP DATABASE IF EXISTS \"$to\""
    rm -rf "${filestore:?}/$to"
    psql_odoo -qc "CREATE DATABASE \"$to\" TEMPLATE \"$from\""
    [ -d "$filestore/$from" ] && cp -r "$filestore/$from" "$filestore/$to"
    return 0
}

cmd_testdb() {
    local db=$1
    copy_database "$(base_template)" "$db"
    log "installing amazon_seller and Germany's accounting (l10n_de, for SKR03/SKR04 companies) in $db"
    odoo -d "$db" -i amazon_seller,l10n_de --stop-after-init --log-level=warn
}

# The demo database also holds Germany's accounting (the demo company's SKR03 chart, VAT and
# fiscal positions); test databases hold the module for the tests' own German companies.
DEMO_MODULES="amazon_seller,l10n_de"

cmd_demodb() {
    local db=$1
    if db_exists "$db"; then
        log "updating amazon_seller in $db"
        odoo -d "$db" -i "$DEMO_MODULES" -u amazon_seller --stop-after-init --log-level=warn
    else
        copy_database "$(base_template)" "$db"
        log "installing $DEMO_MODULES in $db"
        odoo -d "$db" -i "$DEMO_MODULES" --stop-after-init --log-level=warn
    fi
}

# The addon's Odoo tests (pytest-odoo, HttpCase included) and the simulator's plain tests, run
# from the addons link so that the module is imported as odoo.addons.amazon_seller.
cmd_test() {
    local db=amazon_seller_test
    cmd_testdb "$db"
    cd "$BUILD/addons/amazon_seller"
    log "running the test suite"
    ODOO_RC="$CONF" PYTHONPATH="$ODOO_PYTHONPATH" "$VENV/bin/python" -m pytest \
        -p no:cacheprovider -W ignore::DeprecationWarning --rootdir="$PWD" --odoo-database="$db" --odoo-http "$PWD/tests" "$PWD/tools" "$@"
}

# Regenerate i18n/amazon_seller.pot from the test database (after a make test). Odoo's exporter
# walks the addons path following links, and .build/ sits inside the addon: export from a clean
# copy of the tracked files instead of the .build/addons link.
cmd_pot() {
    local export_dir="$BUILD/pot-addons"
    rm -rf "$export_dir" && mkdir -p "$export_dir/amazon_seller"
    (cd "$ROOT" && git ls-files -z -co --exclude-standard | xargs -0 tar cf -) | tar xf - -C "$export_dir/amazon_seller"
    PYTHONPATH="$ODOO_PYTHONPATH" "$VENV/bin/python" -m odoo --addons-path="$ODOO_ADDONS,$export_dir" \
        i18n export -c "$CONF" -d "${POT_DB:-amazon_seller_test}" -o "$ROOT/i18n/amazon_seller.pot" amazon_seller
    rm -rf "$export_dir"
}

SIMULATOR_PORT=8073
# Simulated seconds per real second: real time unless asked (60: dates run days ahead within an
# hour, deliveries turn late). The simulator's rate limits are off: its token buckets are one
# per operation for all three demo accounts, where Amazon keeps them per seller and region.
DEMO_TIME_SCALE="${AMAZON_DEMO_TIME_SCALE:-1}"

start_simulator() {
    log "starting the SP-API simulator on http://127.0.0.1:$SIMULATOR_PORT, time scale $DEMO_TIME_SCALE (log: $BUILD/simulator.log)"
    (cd "$ROOT" && exec "$VENV/bin/python" -m tools.spapi_simulator --host 127.0.0.1 \
        --port "$SIMULATOR_PORT" --orders 300 --time-scale "$DEMO_TIME_SCALE" --no-rate-limits) \
        >"$BUILD/simulator.log" 2>&1 &
    SIMULATOR_PID=$!
    trap 'kill "$SIMULATOR_PID" 2>/dev/null || true' EXIT
    local tries
    for tries in $(seq 50); do
        if "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$SIMULATOR_PORT/_simulator/health', timeout=1)" 2>/dev/null; then
            return
        fi
        kill -0 "$SIMULATOR_PID" 2>/dev/null || die "the simulator stopped: $(tail -5 "$BUILD/simulator.log")"
        sleep 0.2
    done
    die "the simulator did not answer on port $SIMULATOR_PORT"
}

cmd_demo() {
    local db=amazon_demo
    install_apt_packages "${DEMO_APT_PACKAGES[@]}"
    cmd_demodb "$db"
    start_simulator
    odoo shell -d "$db" --no-http --log-level=warn <"$ROOT/tools/demo_setup.py"
    log "the demo shop: http://localhost:8069 (admin / admin; also manager, sales, warehouse, accountant: password = login), database $db; Ctrl-C stops"
    odoo -d "$db" --db-filter="^$db\$" --log-level=info
}

case "${1:-}" in
    env) cmd_env ;;
    testdb) cmd_env; cmd_testdb "${2:?database name}" ;;
    demodb) cmd_env; cmd_demodb "${2:?database name}" ;;
    test) shift; cmd_env; cmd_test "$@" ;;
    demo) cmd_env; cmd_demo ;;
    pot) cmd_pot ;;
    odoo) shift; odoo "$@" ;;
    *) die "usage: $0 env | testdb DB | demodb DB | odoo ARGS..." ;;
esac
