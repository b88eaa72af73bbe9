#!/usr/bin/env bash
# Builds smallbmsd_<version>_<arch>.deb with Debian 13's own Swift (swiftlang), in a trixie chroot
# under .cache/debian/ (made on the first run and kept), without network access: the Swift packages
# come from /opt/swift-packages, bind-mounted (debian/README.source).
#
#   bash scripts/build-deb.sh                 this machine's architecture
#   bash scripts/build-deb.sh --arch arm64    a Raspberry Pi's, under qemu-user emulation (slow:
#                                             measured on 2 shared cores, see the note at the end)
#   bash scripts/build-deb.sh --here          no chroot: on this machine, which must be Debian 13 /
#                                             Pi OS trixie with the Build-Depends installed (a Pi)
# The .deb lands in .cache/debian/out-<arch>/ (path printed last). Needs root for the chroot.
#
# Times measured on these 2-core machines are in debian/README.source (amd64 a few minutes; arm64
# under qemu-user about 32 min, too long beside CI's, so it runs on demand only).
set -euo pipefail
cd "$(dirname "$0")/.."

arch="$(dpkg --print-architecture)"
here=0
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch="$2"; shift 2 ;;
        --here) here=1; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "build-deb: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

version="$(sh scripts/version.sh)"
out="${SMALLBMSD_CACHE:-$PWD/.cache}/debian/out-$arch"

# The source tree as git knows it (committed or not, never ignored files), with debian/changelog
# stamped with scripts/version.sh's version.
export_source() {
    local target="$1"
    rm -rf "$target"
    mkdir -p "$target"
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$target" -xf -
    else
        tar --exclude=./.build --exclude=./.cache --exclude='./.build-*' -cf - . | tar -C "$target" -xf -
    fi
    local top
    top="$(sed -n '1s/^smallbmsd (\([^)]*\)).*/\1/p' debian/changelog)"
    if [ "$top" != "$version" ]; then
        local maintainer when
        maintainer="$(sed -n 's/^ -- \(.*>\)  .*/\1/p' debian/changelog | head -1)"
        when="$(git log -1 --format=%cD 2>/dev/null || date -R)"
        { printf 'smallbmsd (%s) unstable; urgency=medium\n\n' "$version"
          printf '  * Built from %s by scripts/build-deb.sh.\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo "a tree without git")"
          printf ' -- %s  %s\n\n' "$maintainer" "$when"
          cat debian/changelog; } > "$target/debian/changelog"
    fi
}

started=$SECONDS
mkdir -p "$out"
rm -f "$out"/smallbmsd*.deb "$out"/smallbmsd*.changes "$out"/smallbmsd*.buildinfo

if [ "$here" = 1 ]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    export_source "$work/smallbmsd-$version"
    (cd "$work/smallbmsd-$version" && dpkg-buildpackage -b -us -uc)
    cp "$work"/smallbmsd*_"$version"_* "$out"/
else
    [ "$(id -u)" = 0 ] || exec sudo -E bash "$0" --arch "$arch"
    command -v debootstrap >/dev/null || bash scripts/install-deps.sh debootstrap
    if [ "$arch" != "$(dpkg --print-architecture)" ]; then
        SMALLBMSD_BUILD_ONLY=1 bash scripts/install-deps.sh qemu-user-static binfmt-support
    fi
    # shellcheck source=lib/trixie-chroot.sh
    source scripts/lib/trixie-chroot.sh
    chroot_dir="$(trixie_build_chroot "$arch")"
    export_source "$chroot_dir/build/smallbmsd-$version"
    trixie_log "dpkg-buildpackage -b ($arch, Swift $(chroot "$chroot_dir" dpkg-query -W -f='${Version}' swiftlang), no network)"
    build_started=$SECONDS
    TRIXIE_NETWORK=off trixie_run "$chroot_dir" sh -c "cd /build/smallbmsd-$version && dpkg-buildpackage -b -us -uc" \
        > "$out/build.log" 2>&1 || { tail -40 "$out/build.log" >&2; echo "build-deb: failed; the whole log: $out/build.log" >&2; exit 1; }
    trixie_log "dpkg-buildpackage took $((SECONDS - build_started)) s"
    mv "$chroot_dir/build/"smallbmsd*_"$version"_* "$out"/
    rm -rf "$chroot_dir/build"

    # The packaged binary, run where it was built ($arch: under qemu-user for a foreign one):
    # check-config on the shipped conffile, a replay of a recorded discharge, safe-state on
    # simulated lines. Unpacked, not installed: the build chroot has no systemd for the postinst.
    smoke="$chroot_dir/tmp/smoke"
    rm -rf "$smoke" && mkdir -p "$smoke"
    dpkg-deb -x "$out/smallbmsd_${version}_$arch.deb" "$smoke/root"
    cp Tests/Fuzz/corpus/replay/discharge "$smoke/discharge.log"
    printf '[gpio]\nchip = "simulated"\n' > "$smoke/simulated.toml"
    trixie_log "smoke test of the $arch binary (file: $(file -b "$smoke/root/usr/bin/smallbmsd" | cut -d, -f1-2))"
    smoke_started=$SECONDS
    trixie_run "$chroot_dir" sh -c '
        set -e
        cd /tmp/smoke
        bin=./root/usr/bin/smallbmsd
        echo "\$ smallbmsd --version"; $bin --version
        echo "\$ smallbmsd check-config --config /etc/smallbmsd/smallbmsd.toml (the packaged conffile)"
        $bin check-config --config root/etc/smallbmsd/smallbmsd.toml | head -1
        echo "\$ smallbmsd replay discharge.log --config (the conffile)"
        $bin replay discharge.log --config root/etc/smallbmsd/smallbmsd.toml > replay.txt
        cat replay.txt
        grep -q "LOAD off: battery 1 cell 1 2.75 V < 2.80 V, pre-alarm raised 30 s ago" replay.txt
        echo "\$ smallbmsd safe-state --config simulated.toml   ([gpio] chip = \"simulated\")"
        $bin safe-state --config simulated.toml' 2>&1 | tee "$out/smoke-$arch.txt" >&2 \
        || { echo "build-deb: the $arch binary failed its smoke test (above)" >&2; exit 1; }
    rm -rf "$smoke"
    trixie_log "smoke test passed in $((SECONDS - smoke_started)) s"
fi
trixie_log "build-deb: $arch done in $((SECONDS - started)) s"
ls "$out"/smallbmsd_"$version"_"$arch".deb
