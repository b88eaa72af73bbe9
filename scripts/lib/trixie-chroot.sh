# shellcheck shell=bash
# Debian 13 (trixie) chroots for scripts/test-package.sh and scripts/build-deb.sh: sourced, not run.
#
# Everything lives under .cache/debian/ (git-ignored), so a second run reuses it:
#   trixie-ARCH-minbase.tar   debootstrap --variant=minbase, packed once (arm64: under qemu-user)
#   debs-ARCH/                the .debs apt and debootstrap downloaded (shared by every chroot)
#   trixie-ARCH-build/        the build chroot: minbase + debian/control's Build-Depends + lintian
# Mounts are made for one command and removed after it (trixie_run), so a failed run leaves no
# bind mount of /dev behind, and trixie_remove refuses to delete a tree that still has one.
# Needs root, debootstrap, and for arm64 on another machine qemu-user-static + binfmt-support.

trixie_mirror="${SMALLBMSD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
trixie_cache="${SMALLBMSD_CACHE:-$PWD/.cache}/debian"
# The Swift packages' mirror on these machines; bind-mounted at the same path inside a chroot.
trixie_swift_mirror="${SMALLBMSD_SWIFT_MIRROR:-/opt/swift-packages}"

trixie_log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Makes sure a foreign architecture's binaries run here (qemu-user through binfmt_misc).
trixie_foreign_ready() {
    local arch="$1"
    [ "$arch" = "$(dpkg --print-architecture)" ] && return 0
    local qemu_name
    case "$arch" in
        arm64) qemu_name=qemu-aarch64 ;;
        armhf) qemu_name=qemu-arm ;;
        *) echo "trixie-chroot: no qemu-user mapping for $arch" >&2; return 1 ;;
    esac
    command -v update-binfmts >/dev/null && [ -e "/usr/libexec/qemu-binfmt/${qemu_name#qemu-}-binfmt-P" ] \
        || { echo "trixie-chroot: $arch needs qemu-user-static and binfmt-support (apt-get install qemu-user-static binfmt-support)" >&2; return 1; }
    mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    [ -e "/proc/sys/fs/binfmt_misc/$qemu_name" ] || update-binfmts --enable "$qemu_name"
    # F (fix binary): the kernel holds the interpreter open, so it works inside a chroot too.
    grep -q '^flags: .*F' "/proc/sys/fs/binfmt_misc/$qemu_name" \
        || { echo "trixie-chroot: binfmt entry $qemu_name lacks the F flag; chroots cannot use it" >&2; return 1; }
}

# Prints the path of the packed minbase tree for ARCH, making it first if missing.
trixie_minbase() {
    local arch="$1" tarball="$trixie_cache/trixie-$1-minbase.tar"
    if [ ! -s "$tarball" ]; then
        trixie_foreign_ready "$arch"
        mkdir -p "$trixie_cache/debs-$arch"
        local tree="$trixie_cache/minbase-$arch.partial"
        trixie_remove "$tree"
        trixie_log "debootstrap --variant=minbase --arch=$arch trixie (once; cached in $tarball)"
        local started=$SECONDS
        if [ "$arch" = "$(dpkg --print-architecture)" ]; then
            debootstrap --variant=minbase --arch="$arch" --cache-dir="$trixie_cache/debs-$arch" \
                trixie "$tree" "$trixie_mirror" >"$trixie_cache/debootstrap-$arch.log" 2>&1 \
                || { tail -20 "$trixie_cache/debootstrap-$arch.log" >&2; return 1; }
        else
            debootstrap --foreign --variant=minbase --arch="$arch" --cache-dir="$trixie_cache/debs-$arch" \
                trixie "$tree" "$trixie_mirror" >"$trixie_cache/debootstrap-$arch.log" 2>&1 \
                || { tail -20 "$trixie_cache/debootstrap-$arch.log" >&2; return 1; }
            chroot "$tree" /debootstrap/debootstrap --second-stage >>"$trixie_cache/debootstrap-$arch.log" 2>&1 \
                || { tail -20 "$trixie_cache/debootstrap-$arch.log" >&2; return 1; }
        fi
        # No daemon may start inside a chroot (postinsts call deb-systemd-invoke / invoke-rc.d).
        printf '#!/bin/sh\nexit 101\n' > "$tree/usr/sbin/policy-rc.d"
        chmod 755 "$tree/usr/sbin/policy-rc.d"
        printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAPT::Keep-Downloaded-Packages "true";\n' \
            > "$tree/etc/apt/apt.conf.d/90smallbmsd"
        # The Swift packages come from the local mirror, never from github (system-wide: debhelper moves HOME).
        printf '[url "%s/"]\n\tinsteadOf = https://github.com/\n' "$trixie_swift_mirror" > "$tree/etc/gitconfig"
        rm -rf "$tree/var/cache/apt/archives/"*.deb
        tar -C "$tree" -cf "$tarball.partial" .
        mv "$tarball.partial" "$tarball"
        trixie_remove "$tree"
        trixie_log "minbase $arch ready in $((SECONDS - started)) s"
    fi
    echo "$tarball"
}

# Unpacks a fresh minbase tree for ARCH into DIR (replacing what was there).
trixie_new() {
    local arch="$1" dir="$2" tarball
    tarball="$(trixie_minbase "$arch")"
    trixie_remove "$dir"
    mkdir -p "$dir"
    tar -C "$dir" -xf "$tarball"
}

# Runs a command in the chroot DIR with /proc, /sys, /dev, /dev/pts, the Swift mirror and the
# shared .deb cache mounted; unmounts everything afterwards, whatever the command's status.
# TRIXIE_NETWORK=off runs it in a new network namespace with only loopback up: a build that tries
# to reach the network fails instead of quietly downloading. (Loopback must be up: Foundation's
# run loop wakes itself through it, and without it Process.waitUntilExit never returns.)
trixie_run() {
    local dir="$1"; shift
    local arch
    arch="$(chroot "$dir" dpkg --print-architecture)"
    local mounts=()
    _trixie_mount() { mkdir -p "$dir$2"; mount "${@:3}" "$1" "$dir$2"; mounts=("$dir$2" "${mounts[@]}"); }
    _trixie_mount proc /proc -t proc
    _trixie_mount sysfs /sys -t sysfs -o ro
    _trixie_mount /dev /dev --bind
    _trixie_mount /dev/pts /dev/pts --bind
    _trixie_mount tmpfs /dev/shm -t tmpfs
    [ -d "$trixie_swift_mirror" ] && _trixie_mount "$trixie_swift_mirror" "$trixie_swift_mirror" --bind -o ro
    mkdir -p "$trixie_cache/debs-$arch"
    _trixie_mount "$trixie_cache/debs-$arch" /var/cache/apt/archives --bind
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
    local status=0 isolate=()
    [ "${TRIXIE_NETWORK:-on}" = off ] && isolate=(unshare --net sh -c 'ip link set lo up && exec "$@"' sh)
    "${isolate[@]}" chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive SWIFT_BACKTRACE=enable=no TERM=dumb "$@" || status=$?
    local m
    for m in "${mounts[@]}"; do umount "$m" || umount -l "$m"; done
    return $status
}

# Deletes a chroot tree, but only once nothing is mounted inside it.
trixie_remove() {
    local dir="$1"
    [ -e "$dir" ] || return 0
    if findmnt -rn -o TARGET | grep -q "^$(realpath "$dir")/"; then
        echo "trixie-chroot: $dir still has mounts (findmnt | grep $dir); not deleting it" >&2
        return 1
    fi
    rm -rf --one-file-system "$dir"
}

# Prints the build chroot for ARCH: minbase + the Build-Depends of debian/control + build-essential,
# and on this machine's own architecture also lintian and what the tests need (the list of
# scripts/install-deps.sh: libfaketime, mosquitto, Prometheus' parser, dbusmock ...); kept between
# runs and made again only when that package list changes.
trixie_build_chroot() {
    local arch="$1"; shift
    set -- build-essential "$@"
    # shellcheck disable=SC2046
    [ "$arch" = "$(dpkg --print-architecture)" ] && set -- "$@" lintian $(bash scripts/install-deps.sh --print)
    local dir="$trixie_cache/trixie-$arch-build"
    local build_depends
    build_depends="$(sed -n '/^Build-Depends:/,/^[A-Z]/p' debian/control | sed '1s/^Build-Depends://; /^[A-Z]/d' \
        | tr ',' '\n' | sed 's/([^)]*)//g; s/\[[^]]*\]//g; s/<[^>]*>//g; s/|.*//' | tr -d ' \t' | grep -v '^$' | sort -u)"
    local wanted
    wanted="$(printf '%s\n' $build_depends "$@" | sort -u | tr '\n' ' ')"
    if [ "$(cat "$dir/.smallbmsd-packages" 2>/dev/null)" != "$wanted" ]; then
        trixie_new "$arch" "$dir"
        trixie_log "build chroot $arch: apt-get install $wanted"
        local started=$SECONDS
        trixie_run "$dir" sh -c "apt-get update -qq && apt-get install -y -qq $wanted" \
            >"$trixie_cache/build-chroot-$arch.log" 2>&1 \
            || { tail -30 "$trixie_cache/build-chroot-$arch.log" >&2; return 1; }
        echo "$wanted" > "$dir/.smallbmsd-packages"
        trixie_log "build chroot $arch ready in $((SECONDS - started)) s"
    fi
    echo "$dir"
}
