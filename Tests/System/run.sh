#!/usr/bin/env bash
# System test of smallbmsd on a real Linux kernel: gpio-sim GPIO lines and an 8250 UART, in qemu (TCG).
# Single entry point. Prints one line per scenario, then "N passed, M failed"; exit status non-zero on
# any failure. See Tests/System/README.md.
#
# Environment:
#   SMALLBMSD_SYSTEM_TEST_CACHE  cache folder (default: <repo>/.cache/system-test)
#   SMALLBMSD_BINARY             use this smallbmsd binary instead of building one (for development)
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

# ---------------------------------------------------------------- the daemon
# Release, with the Swift runtime linked in (the guest has no Swift). Built in its own scratch folder
# under the cache: --static-swift-stdlib changes how every module is compiled, so sharing .build with
# the plain `swift build -c release` of scripts/test.sh would recompile everything on each switch
# (measured: about 2 minutes each way) and disturb the developers' builds.
if [ -n "${SMALLBMSD_BINARY:-}" ]; then
    daemon="$SMALLBMSD_BINARY"
else
    log "swift build -c release --static-swift-stdlib --product smallbmsd (scratch: $cache/swift-build)"
    blog="$cache/swift-build.log"
    ( cd "$repo" && swift build -c release --static-swift-stdlib --product smallbmsd \
          --scratch-path "$cache/swift-build" ) >"$blog" 2>&1 \
        || { tail -n 40 "$blog" >&2; die "building smallbmsd failed (log: $blog)"; }
    daemon="$cache/swift-build/release/smallbmsd"
    step_time "smallbmsd built"
fi
[ -x "$daemon" ] || die "no daemon binary at $daemon"

# ---------------------------------------------------------------- initramfs
root="$cache/initramfs"
rm -rf "$root" && mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/modules,etc/smallbmsd,proc,sys,dev,run,tmp,root}
ldd /bin/busybox >/dev/null 2>&1 && die "/bin/busybox is not the static one (install busybox-static)"
cp /bin/busybox "$root/bin/busybox"
cp "$here/guest/init" "$root/init" && chmod +x "$root/init"
cp "$daemon" "$root/usr/bin/smallbmsd"
cp "$stt" "$root/usr/bin/stt"
cp /usr/bin/gpioinfo /usr/bin/gpioget /usr/bin/gpioset "$root/usr/bin/"
cp "$kdir/configfs.ko" "$moddir/gpio-sim.ko" "$root/lib/modules/"
cp "$here"/guest/*.toml "$root/etc/smallbmsd/"
# Shared libraries, followed through ldd (libgpiod.so.2, libsystemd.so.0 and theirs, libc, the loader).
for lib in $(ldd "$root/usr/bin/smallbmsd" "$root"/usr/bin/gpio* | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader did not make it into the initramfs"
( cd "$root" && find . | cpio -o -H newc --quiet ) >"$cache/initramfs.cpio" || die "cpio failed"
step_time "initramfs packed ($(( $(stat -c %s "$cache/initramfs.cpio") / 1048576 )) MB)"

# ---------------------------------------------------------------- boot and run the scenarios
kernel="$kdir/vmlinux"
[ -s "$kernel" ] || kernel="$kdir/vmlinuz"
set +e
timeout 1200 python3 "$here/harness.py" --kernel "$kernel" --initrd "$cache/initramfs.cpio" --work "$cache/run" \
    ${SYSTEM_TEST_ONLY:+--only "$SYSTEM_TEST_ONLY"}
rc=$?
set -e
if [ $rc -eq 124 ]; then echo "FAIL harness: timed out after 1200 s"; echo "0 passed, 1 failed"; fi
step_time "done"
exit $rc
