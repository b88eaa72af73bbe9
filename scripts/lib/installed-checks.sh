#!/bin/bash
# Run by scripts/test-package.sh INSIDE a clean trixie chroot where the .deb was just installed:
# every check of the installed package, then apt-get purge and what it leaves behind.
# Argument: the version the package must report. Prints each check; exits 1 on the first failure.
set -euo pipefail
version="$1"
pass() { echo "  ok: $*"; }
fail() { echo "  FAILED: $*" >&2; exit 1; }

echo "-- files"
for path in /usr/bin/smallbmsd /usr/lib/systemd/system/smallbmsd.service /etc/smallbmsd/smallbmsd.toml \
    /usr/lib/sysusers.d/smallbmsd.conf /usr/lib/udev/rules.d/60-smallbmsd-gpio.rules \
    /usr/share/doc/smallbmsd/README.md /usr/share/doc/smallbmsd/examples/smallbmsd.toml \
    /usr/share/doc/smallbmsd/copyright /usr/share/doc/smallbmsd/changelog.gz \
    /usr/share/man/man8/smallbmsd.8.gz /usr/share/man/man5/smallbmsd.toml.5.gz; do
    [ -e "$path" ] || fail "$path is missing"
    dpkg -S "$path" >/dev/null 2>&1 || fail "$path is not the package's"
done
pass "every file in its place"
[ "$(stat -c %a /usr/bin/smallbmsd)" = 755 ] || fail "/usr/bin/smallbmsd is not mode 755"
dpkg-query -W -f='${Conffiles}\n' smallbmsd | grep -q "^ /etc/smallbmsd/smallbmsd.toml " \
    || fail "/etc/smallbmsd/smallbmsd.toml is not a conffile"
pass "/etc/smallbmsd/smallbmsd.toml is a conffile"
cmp -s /etc/smallbmsd/smallbmsd.toml /usr/share/doc/smallbmsd/examples/smallbmsd.toml || fail "the conffile is not the sample"
[ "$(smallbmsd --version)" = "$version" ] || fail "smallbmsd --version says $(smallbmsd --version), the package $version"
pass "smallbmsd --version = package version = $version"
grep -q '^ExecStart=/usr/bin/smallbmsd run ' /usr/lib/systemd/system/smallbmsd.service || fail "ExecStart does not name /usr/bin/smallbmsd"
grep -q '^Documentation=man:smallbmsd(8) man:smallbmsd.toml(5) file:/usr/share/doc/smallbmsd/README.md$' \
    /usr/lib/systemd/system/smallbmsd.service || fail "Documentation= does not name the man pages and the README"
pass "the unit names /usr/bin/smallbmsd and its documentation"
! grep -rl /usr/local /usr/lib/systemd/system/smallbmsd.service /usr/lib/sysusers.d/smallbmsd.conf >/dev/null \
    || fail "a packaged file still names /usr/local"

echo "-- user, groups, unit"
getent passwd smallbmsd >/dev/null || fail "no user smallbmsd"
for group in gpio dialout; do
    id -nG smallbmsd | tr ' ' '\n' | grep -qx "$group" || fail "smallbmsd is not in group $group"
done
pass "user smallbmsd: $(id smallbmsd)"
[ -L /etc/systemd/system/multi-user.target.wants/smallbmsd.service ] || fail "the unit is not enabled"
pass "smallbmsd.service enabled (multi-user.target.wants)"

echo "-- check-config on the installed conffile"
smallbmsd check-config --config /etc/smallbmsd/smallbmsd.toml > /tmp/check.txt || fail "check-config refuses the conffile"
head -1 /tmp/check.txt | grep -q ": valid" || fail "check-config did not say valid: $(head -1 /tmp/check.txt)"
pass "$(head -1 /tmp/check.txt)"

echo "-- the postinst on a config check-config refuses"
cp /etc/smallbmsd/smallbmsd.toml /tmp/good.toml
sed -i 's/^load_disconnect_v = 2.80/load_disconnect_v = 2.50/' /etc/smallbmsd/smallbmsd.toml
message="$(DPKG_MAINTSCRIPT_PACKAGE=smallbmsd DPKG_MAINTSCRIPT_NAME=postinst /var/lib/dpkg/info/smallbmsd.postinst configure 2>&1)"
cp /tmp/good.toml /etc/smallbmsd/smallbmsd.toml
printf '%s\n' "$message" | sed 's/^/  | /'
printf '%s\n' "$message" | grep -q "NOT started" || fail "the postinst did not say it would not start"
printf '%s\n' "$message" | grep -q "load_disconnect_v" || fail "the postinst did not name the refused key"
pass "refused config: not started, and it says why"

echo "-- systemd-analyze"
systemd-analyze verify /usr/lib/systemd/system/smallbmsd.service || fail "systemd-analyze verify"
score="$(systemd-analyze security --offline=true /usr/lib/systemd/system/smallbmsd.service 2>/dev/null | tail -1)"
echo "  $score"
echo "$score" | grep -qE "level for smallbmsd.service: (0\.[0-9]|1\.0) " || fail "exposure above 1.0"
pass "verify clean, exposure 1.0 or lower"

echo "-- man pages"
for page in /usr/share/man/man8/smallbmsd.8.gz /usr/share/man/man5/smallbmsd.toml.5.gz; do
    warnings="$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/tmp/page.txt)" || fail "man -l $page"
    [ -z "$warnings" ] || fail "man -l $page warns: $warnings"
    [ "$(wc -l < /tmp/page.txt)" -gt 40 ] || fail "man -l $page rendered only $(wc -l < /tmp/page.txt) lines"
    pass "man -l $page: $(wc -l < /tmp/page.txt) lines, no warnings"
done
# Every key check-config prints has its entry in smallbmsd.toml(5).
man -l /usr/share/man/man5/smallbmsd.toml.5.gz 2>/dev/null > /tmp/page.txt
for key in $(grep -E '^[a-z_]+ = ' /tmp/check.txt | cut -d' ' -f1 | sort -u); do
    grep -q "^ *$key = " /tmp/page.txt || fail "smallbmsd.toml(5) has no entry for $key"
done
pass "smallbmsd.toml(5) has every key check-config prints"
man -w smallbmsd >/dev/null && man -w 5 smallbmsd.toml >/dev/null || fail "man cannot find the pages by name"
pass "man smallbmsd and man 5 smallbmsd.toml find them"

echo "-- apt-get purge"
mkdir -p /var/lib/smallbmsd/leftover && touch /var/lib/smallbmsd/leftover/state
apt-get purge -y -qq smallbmsd > /tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "apt-get purge"; }
find / -xdev -path /proc -prune -o -print | sort > /tmp/after.txt
# New paths since before the install, minus apt's and man-db's own bookkeeping.
left="$(comm -13 /tmp/before.txt /tmp/after.txt | grep -v -E '^/(tmp|var/cache/(apt|man|debconf|ldconfig)|var/lib/(apt|dpkg|systemd/deb-systemd-helper-(enabled|masked)|ucf)|var/log|run/systemd)(/|$)' || true)"
[ -z "$left" ] || { printf '%s\n' "$left"; fail "purge left the paths above"; }
# Not the package's: man-db's page cache (from the man calls above) and this test chroot's apt.conf.
find / -xdev -path /proc -prune -o -name '*smallbmsd*' -print \
    | grep -v -E '^/(tmp/|var/cache/man/|etc/apt/apt.conf.d/90smallbmsd$)' | grep . && fail "purge left files named smallbmsd" || true
getent passwd smallbmsd >/dev/null && pass "purge removed every file and /var/lib/smallbmsd; kept (Debian policy): $(getent passwd smallbmsd | cut -d: -f1,6) and its groups"
exit 0
