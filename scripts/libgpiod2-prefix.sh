#!/usr/bin/env bash
# Unpacks Debian bookworm-backports' libgpiod 2 (libgpiod3 + libgpiod-dev, 2.1.3 at the time of
# writing) into .cache/libgpiod2/ (git-ignored), so that smallbmsd can be built and tested against
# the libgpiod 2 API on Debian 12 WITHOUT replacing the system's libgpiod 1.6 and without touching
# the system's apt configuration: a private deb822 sources folder and apt's -o Dir::... options
# keep every list, cache and lock inside the prefix; the packages are `apt-get download`ed and
# `dpkg -x`ed, never installed. Root is not needed (as root, apt downloads without its _apt sandbox).
#
# Prints, on stdout, the two lines to eval:
#     eval "$(bash scripts/libgpiod2-prefix.sh)"
#     export PKG_CONFIG_PATH=".../.cache/libgpiod2/usr/lib/<triplet>/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
#     export LD_LIBRARY_PATH=".../.cache/libgpiod2/usr/lib/<triplet>${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# after which `pkg-config --modversion libgpiod` says 2.x and a binary built then finds libgpiod.so.3.
# Everything else goes to stderr.
#
# Idempotent: once unpacked it only re-checks the .pc file and prints (a few milliseconds).
# --refresh downloads again (e.g. after backports moved to a newer 2.x).
# Environment: SMALLBMSD_LIBGPIOD2_PREFIX (default <repo>/.cache/libgpiod2), SMALLBMSD_DEBIAN_MIRROR
# (default: the machine's own Debian mirror for bookworm, else http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/.."

suite=bookworm-backports
packages=(libgpiod3 libgpiod-dev)
prefix="${SMALLBMSD_LIBGPIOD2_PREFIX:-$PWD/.cache/libgpiod2}"
refresh=no
[ "${1:-}" = "--refresh" ] && refresh=yes

say() { echo "libgpiod2-prefix: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd)"
# Another build (the system test, a second shell) may run this at the same time: one at a time.
exec 9>"$prefix/.lock"
flock 9

# The unpacked tree's pkg-config file, with its prefix pointed at the tree; prints the two exports.
finish() {
    local pc libdir
    pc="$(find "$prefix/usr/lib" -name libgpiod.pc -path '*/pkgconfig/*' 2>/dev/null | head -n 1)"
    [ -n "$pc" ] || return 1
    libdir="$(dirname "$(dirname "$pc")")"
    [ -e "$libdir/libgpiod.so.3" ] || return 1
    # The packaged file says prefix=/usr; rewrite it (again, in case the folder moved).
    grep -qx "prefix=$prefix/usr" "$pc" || sed -i "s|^prefix=.*|prefix=$prefix/usr|" "$pc"
    # And link the library by its file name: SwiftPM passes every system library's -L in one list
    # (libsystemd.pc's -L/usr/lib/<triplet> comes first), and GNU ld applies all -L to all -l, so
    # a plain -lgpiod would find the system's 1.6 libgpiod.so there. Bookworm's /usr/lib has no
    # libgpiod.so.3 (unless backports' libgpiod3 is installed, the same library), so this one is used.
    grep -qx 'Libs: -L${libdir} -l:libgpiod.so.3' "$pc" || sed -i 's|^Libs:.*|Libs: -L${libdir} -l:libgpiod.so.3|' "$pc"
    local version
    version="$(PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_LIBDIR=/nonexistent pkg-config --modversion libgpiod 2>/dev/null \
        || sed -n 's/^Version: *//p' "$pc")"
    case "$version" in
        [2-9].*|[1-9][0-9]*.*) ;;
        *) die "the unpacked libgpiod is version '$version', not 2.x: run again with --refresh" ;;
    esac
    say "libgpiod $version in $prefix"
    echo "export PKG_CONFIG_PATH=\"$(dirname "$pc")\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}\""
    echo "export LD_LIBRARY_PATH=\"$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
}

if [ "$refresh" = no ] && [ -e "$prefix/.complete" ] && finish; then
    exit 0
fi

command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "needs apt-get and dpkg (Debian or Raspberry Pi OS)"
command -v pkg-config >/dev/null || say "note: pkg-config is missing; the build needs it (apt-get install pkg-config)"
if [ -r /etc/os-release ]; then
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    if [ -n "$codename" ] && [ "$codename" != bookworm ]; then
        say "note: this is $codename, not bookworm: its own libgpiod-dev may already be 2.x (pkg-config --modversion libgpiod)"
    fi
fi

# The machine's own Debian mirror (a snapshot or a local proxy keeps working), from its deb822
# .sources stanzas or one-line sources.list entries that carry the suite bookworm.
mirror="${SMALLBMSD_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
    mirror="$(
        for file in /etc/apt/sources.list.d/*.sources; do
            [ -r "$file" ] || continue
            awk 'BEGIN { RS = ""; FS = "\n" }
                {
                    uris = ""; ok = 0; off = 0
                    for (i = 1; i <= NF; i++) {
                        if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
                        if ($i ~ /^Suites:/ && (" " $i " ") ~ /[ \t]bookworm[ \t]/) ok = 1
                        if ($i ~ /^Enabled:[ \t]*no/) off = 1
                    }
                    if (ok && !off && uris != "") print uris
                }' "$file"
        done
        for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -r "$file" ] || continue
            sed -E 's/\[[^]]*\]//' "$file" | awk '$1 == "deb" && $3 == "bookworm" { print $2 }'
        done
    )"
    # Not the security archive, not Raspberry Pi's own archive (it has no bookworm-backports).
    mirror="$(printf '%s\n' "$mirror" | grep -v -e '-security' -e 'raspberrypi' | head -n 1 || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring is missing (apt-get install debian-archive-keyring)"

state="$prefix/apt"
mkdir -p "$state/sources.list.d" "$state/lists/partial" "$state/archives/partial" "$prefix/debs"
cat >"$state/sources.list.d/$suite.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Signed-By: $keyring
EOF
# The machine's apt.conf.d may hook commands onto every update (docker-clean empties the system's
# archive cache, appstream and packagekit refresh theirs): none of them is about this private list.
cat >"$state/apt.conf" <<'EOF'
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
EOF
apt_options=(
    -c "$state/apt.conf"
    -o Acquire::Languages=none
    -o Dir::Etc::sourcelist=/dev/null
    -o "Dir::Etc::sourceparts=$state/sources.list.d"
    -o "Dir::State::Lists=$state/lists"
    -o "Dir::Cache::pkgcache=$state/pkgcache.bin"
    -o "Dir::Cache::srcpkgcache=$state/srcpkgcache.bin"
    -o "Dir::Cache::archives=$state/archives"
)
# The prefix belongs to whoever runs this; as root, apt would otherwise try (and fail) to let its
# unprivileged _apt user write there, and warn.
[ "$(id -u)" -eq 0 ] && apt_options+=(-o APT::Sandbox::User=root)

say "fetching the $suite package list from $mirror"
apt-get "${apt_options[@]}" -qq update >&2 || die "apt-get update of $suite failed (network? mirror $mirror?)"

rm -f "$prefix/debs/"*.deb
say "downloading ${packages[*]} from $suite"
(cd "$prefix/debs" && apt-get "${apt_options[@]}" -qq download "${packages[@]/%//$suite}" >&2) \
    || die "apt-get download failed"

rm -rf "$prefix/usr" "$prefix/.complete"
for deb in "$prefix/debs/"*.deb; do
    version="$(dpkg-deb -f "$deb" Version)"
    case "$version" in
        [2-9].*|[1-9][0-9]*.*) ;;
        *) die "$(basename "$deb") is version $version, not 2.x" ;;
    esac
    dpkg -x "$deb" "$prefix"
done
finish || die "the unpacked packages have no libgpiod.pc and libgpiod.so.3 side by side"
touch "$prefix/.complete"
