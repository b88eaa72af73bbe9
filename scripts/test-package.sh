#!/usr/bin/env bash
# The Debian package on a real Debian 13 (trixie) tree, with trixie's own Swift (swiftlang 6.0.3):
#  1. the test suite: `swift build --build-tests` and `swift test` in the build chroot, no network;
#  2. the package: scripts/build-deb.sh (dpkg-buildpackage -b in the same chroot, no network);
#  3. lintian: no errors, no warnings (each one fixed or overridden with its reason);
#  4. a second, clean trixie chroot: `apt-get install ./smallbmsd_*.deb`, then every file where it
#     belongs, the conffile, the user and groups, the unit enabled, check-config valid on the
#     installed conffile, the postinst refusing to start on a bad config, systemd-analyze verify
#     and security (exposure 1.0 or lower), man -l of both pages, and `apt-get purge` leaving
#     nothing but the user and group (Debian policy keeps system users).
# Chroots and downloads are cached under .cache/debian/ (git-ignored): the first run makes them
# (about 1.5 min), later runs reuse them. Needs root (or sudo) and debootstrap (installed if missing).
# SMALLBMSD_PACKAGE_SKIP_TESTS=1 skips step 1 (for a quick package-only iteration; CI never sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || exec sudo -E bash "$0" "$@"
command -v debootstrap >/dev/null || SMALLBMSD_BUILD_ONLY=1 bash scripts/install-deps.sh debootstrap
# shellcheck source=lib/trixie-chroot.sh
source scripts/lib/trixie-chroot.sh

arch="$(dpkg --print-architecture)"
version="$(sh scripts/version.sh)"
started=$SECONDS
step() { trixie_log "== test-package: $*"; }
fail() { echo "test-package: FAILED: $*" >&2; exit 1; }

step "build chroot (trixie, $arch)"
build_chroot="$(trixie_build_chroot "$arch")"
echo "swiftlang $(chroot "$build_chroot" dpkg-query -W -f='${Version}' swiftlang)"

# 1. The tests with Swift 6.0.3. The source is unpacked afresh each run; the scratch folder is kept
#    beside it, so a second run recompiles only what changed (tar keeps the files' times).
if [ "${SMALLBMSD_PACKAGE_SKIP_TESTS:-}" = 1 ]; then
    echo "test-package: SKIPPING the swift test run with trixie's Swift (SMALLBMSD_PACKAGE_SKIP_TESTS=1)"
else
    step "swift build --build-tests && swift test, Swift 6.0.3, no network"
    rm -rf "$build_chroot/work/src"
    # What earlier test runs left in the chroot's /tmp (daemon folders, fake libraries).
    rm -rf --one-file-system "$build_chroot/tmp/"smallbmsd-*
    mkdir -p "$build_chroot/work/src"
    git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$build_chroot/work/src" -xf -
    # The tests read the shared test vectors beside the repository (../shared/vectors), as on the host.
    rm -rf "$build_chroot/work/shared"
    if [ -d ../shared/vectors ]; then
        mkdir -p "$build_chroot/work/shared"
        cp -r ../shared/vectors "$build_chroot/work/shared/"
    fi
    tests_started=$SECONDS
    # Resolving needs no network either: the mirror is a local path. As root, the tests that need a
    # non-root user (TIOCEXCL, permissions) skip themselves and print why.
    TRIXIE_NETWORK=off trixie_run "$build_chroot" sh -c '
        set -e
        cd /work/src
        swift build --build-tests --scratch-path /work/scratch 2>&1 | grep -v "^\[[0-9]*/[0-9]*\] " || exit 1
        swift test --skip-build --disable-xctest --scratch-path /work/scratch 2>&1 | tee /work/test.log | grep -E "^(✘|✔ Test run|.*skipped)" || true
        grep -q "^✔ Test run with .* passed" /work/test.log' \
        || { grep -E "✘|error" "$build_chroot/work/test.log" 2>/dev/null | head -40; fail "swift test with trixie's Swift"; }
    echo "tests with Swift 6.0.3: $((SECONDS - tests_started)) s"
fi

# 2. The package.
step "scripts/build-deb.sh ($arch)"
deb="$(bash scripts/build-deb.sh --arch "$arch" | tail -1)"
out="$(dirname "$deb")"
dpkg-deb -I "$deb" | sed -n '/Package:/,$p'
echo "-- dpkg -c $(basename "$deb")"
dpkg-deb -c "$deb" | awk '{ print $1, $6, $7, $8 }'

# 3. lintian, trixie's, on the .changes (binary packages and buildinfo).
step "lintian"
cp "$out"/smallbmsd*_"$version"_* "$build_chroot/tmp/"
lintian_status=0
trixie_run "$build_chroot" lintian --display-info --info --fail-on error,warning \
    "/tmp/smallbmsd_${version}_${arch}.changes" > "$out/lintian.txt" 2>&1 || lintian_status=$?
(cd "$out" && for file in smallbmsd*_"$version"_*; do rm -f "$build_chroot/tmp/$file"; done)
cat "$out/lintian.txt"
[ -s "$out/lintian.txt" ] || echo "(lintian printed nothing: no tags at all)"
[ "$lintian_status" = 0 ] || fail "lintian reports errors or warnings (above)"

# 4. A clean trixie: install, check, purge.
step "install into a clean trixie chroot"
install_chroot="$trixie_cache/trixie-$arch-install"
trixie_new "$arch" "$install_chroot"
cp "$deb" "$install_chroot/tmp/"
install_started=$SECONDS
# The package's dependencies first (the first of each alternative), so that the snapshot the purge
# is compared with already has them: what purge must remove is exactly what the .deb brought.
depends="$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/([^)]*)//g' | tr -d ' ' | tr '\n' ' ')"
trixie_run "$install_chroot" sh -c "apt-get update -qq && apt-get install -y -qq systemd man-db $depends >/dev/null 2>&1 \
    && find / -xdev -path /proc -prune -o -print | sort > /tmp/before.txt \
    && apt-get install -y ./tmp/$(basename "$deb")" > "$out/install.log" 2>&1 \
    || { tail -30 "$out/install.log"; fail "apt-get install of the .deb"; }
echo "installed in $((SECONDS - install_started)) s; the postinst said:"
sed -n '/^Setting up smallbmsd/,/^Processing triggers/p' "$out/install.log" | sed 's/^/  | /'
grep -q "smallbmsd: /etc/smallbmsd/smallbmsd.toml is valid; smallbmsd.service is enabled" "$out/install.log" \
    || fail "the postinst did not say the shipped config is valid and the unit enabled"
cp scripts/lib/installed-checks.sh "$install_chroot/tmp/"
trixie_run "$install_chroot" sh /tmp/installed-checks.sh "$version" || fail "the installed package (above)"

rm -f "$install_chroot/tmp/"*.deb
trixie_remove "$install_chroot"
trixie_log "test-package: all passed in $((SECONDS - started)) s"
