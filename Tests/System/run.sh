#!/usr/bin/env bash
# System test of smallbmsd on a real Linux kernel: gpio-sim GPIO lines and an 8250 UART, in qemu (TCG).
# Single entry point. Prints one line per scenario and libgpiod variant, then "N passed, M failed" over
# all of them; exit status non-zero on any failure. See Tests/System/README.md.
#
#   bash Tests/System/run.sh [--libgpiod 1|2|both]     (default: both)
#
# --libgpiod 1: the daemon built against the system's libgpiod 1.6 (libgpiod.so.2); 2: against
# bookworm-backports' libgpiod 2.x (libgpiod.so.3, unpacked by scripts/libgpiod2-prefix.sh); both: the
# two binaries in one guest, every scenario with each (one boot).
#
# Environment:
#   SMALLBMSD_SYSTEM_TEST_CACHE  cache folder (default: <repo>/.cache/system-test)
#   SMALLBMSD_BINARY             use this smallbmsd binary instead of building one (development; needs
#                                --libgpiod 1 or 2, and the binary must link that variant's library)
#   SYSTEM_TEST_LIBGPIOD=1|2|both  the variant, when no --libgpiod is given
#   SYSTEM_TEST_VERBOSE=1        show every guest command and its output (on stderr)
#   SYSTEM_TEST_ONLY=a,b         run only these scenarios (development)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${SMALLBMSD_SYSTEM_TEST_CACHE:-$repo/.cache/system-test}"
mkdir -p "$cache"
t0=$(date +%s)

log() { echo "system-test: $*" >&2; }
die() { echo "system-test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
step_time() { log "$1 ($(( $(date +%s) - t0 )) s)"; }
usage() { echo "usage: $0 [--libgpiod 1|2|both]" >&2; exit 2; }

which="${SYSTEM_TEST_LIBGPIOD:-both}"
while [ $# -gt 0 ]; do
    case "$1" in
        --libgpiod) [ $# -ge 2 ] || usage; which="$2"; shift 2 ;;
        --libgpiod=*) which="${1#--libgpiod=}"; shift ;;
        -h|--help) usage ;;
        *) echo "system-test: unknown argument '$1'" >&2; usage ;;
    esac
done
case "$which" in
    1) variants=(1) ;;
    2) variants=(2) ;;
    both) variants=(1 2) ;;
    *) echo "system-test: --libgpiod takes 1, 2 or both, not '$which'" >&2; usage ;;
esac
if [ -n "${SMALLBMSD_BINARY:-}" ] && [ ${#variants[@]} -ne 1 ]; then
    echo "system-test: SMALLBMSD_BINARY is one binary: say which libgpiod it links (--libgpiod 1 or 2)" >&2
    usage
fi

export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- host packages
# The kernel ABI version: taken from the metapackage so image, headers and source always match.
kver() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1; }
KVER="$(kver)"
if [ -z "$KVER" ]; then
    log "apt-get update (no package lists yet)"
    apt-get update -qq >&2
    KVER="$(kver)"
fi
[ -n "$KVER" ] || die "cannot find the Debian kernel version (apt-cache depends linux-image-amd64)"

host_packages=(qemu-system-x86 busybox-static cpio gcc make libc6-dev binutils xz-utils
               "linux-headers-$KVER" gpiod libgpiod2 libsystemd0 libgpiod-dev libsystemd-dev pkg-config)
bash "$repo/scripts/install-deps.sh" "${host_packages[@]}" \
    || { apt-get update -qq >&2 && bash "$repo/scripts/install-deps.sh" "${host_packages[@]}"; } \
    || die "installing ${host_packages[*]} failed"
step_time "host packages ready, kernel $KVER"

# ---------------------------------------------------------------- kernel image, modules, gpio-sim sources
# linux-image and linux-source are downloaded (not installed) and only what the test needs is kept.
kdir="$cache/kernel-$KVER"
if [ ! -f "$kdir/.complete" ]; then
    rm -rf "$kdir" && mkdir -p "$kdir/debs"
    imgver="$(apt-cache policy "linux-image-$KVER" | sed -n 's/ *Candidate: //p')"
    log "downloading linux-image-$KVER and linux-source-6.1 $imgver (about 210 MB)"
    ( cd "$kdir/debs" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$KVER" "linux-source-6.1=$imgver" >/dev/null ) \
        || die "apt-get download of the kernel image and source failed"
    mkdir -p "$kdir/x"
    dpkg -x "$kdir"/debs/linux-image-*.deb "$kdir/x"
    cp "$kdir/x/boot/vmlinuz-$KVER" "$kdir/vmlinuz"
    cp "$kdir/x/boot/config-$KVER" "$kdir/config"
    cp "$kdir/x/lib/modules/$KVER/kernel/fs/configfs/configfs.ko" "$kdir/configfs.ko"
    dpkg -x "$kdir"/debs/linux-source-*.deb "$kdir/x"
    tarball="$(ls "$kdir"/x/usr/src/linux-source-*.tar.*)"
    top="$(basename "$tarball" | sed 's/\.tar\..*//')"
    mkdir -p "$kdir/src"
    tar -xf "$tarball" -C "$kdir/src" --strip-components=1 \
        "$top/drivers/gpio/gpio-sim.c" "$top/drivers/gpio/gpiolib.h" "$top/kernel/irq/irq_sim.c" \
        "$top/scripts/extract-vmlinux"
    # An uncompressed vmlinux boots through PVH in under half the time of the bzImage under TCG.
    sh "$kdir/src/scripts/extract-vmlinux" "$kdir/vmlinuz" >"$kdir/vmlinux" 2>/dev/null || rm -f "$kdir/vmlinux"
    rm -rf "$kdir/x" "$kdir/debs"
    touch "$kdir/.complete"
    step_time "kernel image and sources unpacked"
fi

# gpio-sim is not built by Debian (CONFIG_GPIO_SIM, CONFIG_IRQ_SIM unset): build it out of tree with
# irq_sim linked in. irq_to_desc is not exported to modules; generic_handle_irq does the same job.
moddir="$cache/gpio-sim-$KVER"
if [ ! -f "$moddir/gpio-sim.ko" ]; then
    rm -rf "$moddir" && mkdir -p "$moddir"
    cp "$kdir/src/drivers/gpio/gpio-sim.c" "$kdir/src/drivers/gpio/gpiolib.h" "$moddir/"
    sed 's/handle_simple_irq(irq_to_desc(\([a-z_]*\)))/generic_handle_irq(\1)/' \
        "$kdir/src/kernel/irq/irq_sim.c" >"$moddir/irq_sim.c"
    grep -q 'generic_handle_irq(' "$moddir/irq_sim.c" || die "irq_sim.c: the irq_to_desc fix did not apply"
    printf 'obj-m := gpio-sim-mod.o\ngpio-sim-mod-y := gpio-sim.o irq_sim.o\n' >"$moddir/Kbuild"
    make -s -C "/usr/src/linux-headers-$KVER" M="$moddir" modules >"$moddir/build.log" 2>&1 \
        || { cat "$moddir/build.log" >&2; die "building gpio-sim.ko failed"; }
    mv "$moddir/gpio-sim-mod.ko" "$moddir/gpio-sim.ko"
    step_time "gpio-sim.ko built"
fi

# ---------------------------------------------------------------- guest helper (static C)
stt="$cache/stt"
if [ ! -x "$stt" ] || [ "$here/guest/stt.c" -nt "$stt" ]; then
    gcc -static -O2 -Wall -Werror -o "$stt" "$here/guest/stt.c" || die "building guest/stt.c failed"
fi

# ---------------------------------------------------------------- libgpiod 2 (bookworm-backports, unpacked)
# Not installed: scripts/libgpiod2-prefix.sh unpacks libgpiod3 + libgpiod-dev into <repo>/.cache/libgpiod2
# and prints PKG_CONFIG_PATH and LD_LIBRARY_PATH for it. Only the libgpiod 2 build and ldd see them.
v2env=""
if [[ " ${variants[*]} " == *" 2 "* ]]; then
    v2env="$(bash "$repo/scripts/libgpiod2-prefix.sh" 2>"$cache/libgpiod2-prefix.log")" \
        || { cat "$cache/libgpiod2-prefix.log" >&2; die "scripts/libgpiod2-prefix.sh failed"; }
    step_time "libgpiod $(sed -n 's/.*libgpiod \([0-9][^ ]*\) in.*/\1/p' "$cache/libgpiod2-prefix.log") unpacked"
fi
# Runs "$@" in the environment of variant $1 (shift first): pkg-config finds that libgpiod and only that
# one, and Package.swift is told which (SMALLBMSD_LIBGPIOD), whatever the caller's shell had exported.
in_variant() {
    local v="$1"; shift
    (
        # A libgpiod2 prefix the caller's shell may have exported would make the 1.6 build see 2.x.
        unset PKG_CONFIG_PATH LD_LIBRARY_PATH
        [ "$v" = 2 ] && eval "$v2env"
        export SMALLBMSD_LIBGPIOD="$v"
        "$@"
    )
}
# The soname each variant's binary must need: 1.6 is libgpiod.so.2, 2.x is libgpiod.so.3.
soname() { [ "$1" = 1 ] && echo libgpiod.so.2 || echo libgpiod.so.3; }
check_links() {   # check_links VARIANT BINARY
    local needed
    needed="$(readelf -d "$2" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(libgpiod[^]]*\)\].*/\1/p' | tr '\n' ' ')"
    [ "$needed" = "$(soname "$1") " ] \
        || die "$2 links '${needed:-no libgpiod}', expected $(soname "$1") for --libgpiod $1"
}

# ---------------------------------------------------------------- the daemon, one build per variant
# Release, with the Swift runtime linked in (the guest has no Swift). Each variant is built in its own
# scratch folder under the cache: --static-swift-stdlib changes how every module is compiled, so sharing
# .build with the plain `swift build -c release` of scripts/test.sh would recompile everything on each
# switch (measured: about 2 minutes each way) and disturb the developers' builds; and a build folder
# keeps the libgpiod it was first configured with, so the variants never share one.
# One after the other: each keeps both cores busy (measured: 48 + 52 s one after the other, 105 s side
# by side).
declare -A daemon
if [ -n "${SMALLBMSD_BINARY:-}" ]; then
    daemon[${variants[0]}]="$SMALLBMSD_BINARY"
else
    # The scratch folder of the single-variant system test (libgpiod 1.6), superseded by swift-build-libgpiod1.
    [ -d "$cache/swift-build" ] && { log "removing the old $cache/swift-build"; rm -rf "$cache/swift-build" "$cache/swift-build.log"; }
    for v in "${variants[@]}"; do
        scratch="$cache/swift-build-libgpiod$v"
        log "swift build -c release --static-swift-stdlib --product smallbmsd, libgpiod $v (scratch: $scratch)"
        ( cd "$repo" && in_variant "$v" swift build -c release --static-swift-stdlib --product smallbmsd \
              --scratch-path "$scratch" ) >"$scratch.log" 2>&1 \
            || { tail -n 40 "$scratch.log" >&2; die "building smallbmsd against libgpiod $v failed (log: $scratch.log)"; }
        daemon[$v]="$scratch/release/smallbmsd"
        step_time "smallbmsd built against libgpiod $v"
    done
fi
for v in "${variants[@]}"; do
    [ -x "${daemon[$v]}" ] || die "no daemon binary at ${daemon[$v]}"
    check_links "$v" "${daemon[$v]}"
done

# ---------------------------------------------------------------- initramfs
# One initramfs for all variants: /usr/bin/smallbmsd-libgpiod1 and -libgpiod2 with libgpiod.so.2 and
# libgpiod.so.3 side by side in /lib/<triplet>; the harness points /usr/bin/smallbmsd at one, then the other.
root="$cache/initramfs"
triplet="$(gcc -print-multiarch)"
rm -rf "$root" && mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/modules,"lib/$triplet",etc/smallbmsd,proc,sys,dev,run,tmp,root}
ldd /bin/busybox >/dev/null 2>&1 && die "/bin/busybox is not the static one (install busybox-static)"
cp /bin/busybox "$root/bin/busybox"
cp "$here/guest/init" "$root/init" && chmod +x "$root/init"
cp "$stt" "$root/usr/bin/stt"
cp /usr/bin/gpioinfo /usr/bin/gpioget /usr/bin/gpioset "$root/usr/bin/"
cp "$kdir/configfs.ko" "$moddir/gpio-sim.ko" "$root/lib/modules/"
cp "$here"/guest/*.toml "$root/etc/smallbmsd/"
# Shared libraries, followed through ldd (libgpiod.so.2 or .so.3, libsystemd.so.0 and theirs, libc, the
# loader), each variant's with its own environment. A library from outside the system's folders (the
# unpacked libgpiod.so.3) goes to /lib/<triplet>, where the guest's loader looks.
libs() { ldd "$@" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'; }
{
    libs "$root"/usr/bin/gpio*
    for v in "${variants[@]}"; do
        cp "${daemon[$v]}" "$root/usr/bin/smallbmsd-libgpiod$v"
        in_variant "$v" libs "$root/usr/bin/smallbmsd-libgpiod$v"
    done
} | sort -u | while read -r lib; do
    case "$lib" in
        /lib/*|/lib64/*|/usr/lib/*) dest="$lib" ;;
        *) dest="/lib/$triplet/$(basename "$lib")" ;;
    esac
    mkdir -p "$root$(dirname "$dest")"
    cp -L "$lib" "$root$dest"
done || die "copying the shared libraries into the initramfs failed"
ln -s "smallbmsd-libgpiod${variants[0]}" "$root/usr/bin/smallbmsd"
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader did not make it into the initramfs"
for v in "${variants[@]}"; do
    [ -n "$(find "$root/lib" "$root/usr/lib" -name "$(soname "$v")" 2>/dev/null)" ] \
        || die "$(soname "$v") did not make it into the initramfs"
done
( cd "$root" && find . | cpio -o -H newc --quiet ) >"$cache/initramfs.cpio" || die "cpio failed"
step_time "initramfs packed ($(( $(stat -c %s "$cache/initramfs.cpio") / 1048576 )) MB)"

# ---------------------------------------------------------------- boot and run the scenarios
kernel="$kdir/vmlinux"
[ -s "$kernel" ] || kernel="$kdir/vmlinuz"
set +e
timeout 1200 python3 "$here/harness.py" --kernel "$kernel" --initrd "$cache/initramfs.cpio" --work "$cache/run" \
    --variants "$(printf 'libgpiod%s,' "${variants[@]}" | sed 's/,$//')" ${SYSTEM_TEST_ONLY:+--only "$SYSTEM_TEST_ONLY"}
rc=$?
set -e
if [ $rc -eq 124 ]; then echo "FAIL harness: timed out after 1200 s"; echo "0 passed, 1 failed"; fi
step_time "done"
exit $rc
