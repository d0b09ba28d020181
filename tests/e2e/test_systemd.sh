#!/bin/sh
# test_systemd.sh — check the systemd files of recwatch without installing them:
#   1. generate the units from systemd/*.service.in the way `make install` does;
#   2. `systemd-analyze verify` each unit (syntax, directives, executables);
#   3. `systemd-analyze security --offline=yes`: print the exposure table and fail
#      when the overall exposure is above 2.0 (MAX_EXPOSURE, in tenths: 20);
#   4. as root: apply recwatch-sysusers.conf and recwatch-tmpfiles.conf to a scratch
#      root folder (--root) and check the users, groups, folders and modes made.
# Parts that cannot run here (no systemd-analyze, not root, a systemd too old for
# --offline) are skipped with a line saying why; the script then still exits 0.
# Environment: BUILD (build folder, default build), MAX_EXPOSURE (default 20).
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
max_exposure=${MAX_EXPOSURE:-20}
failures=0

say() { printf 'test_systemd: %s\n' "$*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
skip() { say "SKIP: $*"; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
    skip "systemd-analyze is not installed (Debian: apt-get install systemd); nothing checked"
    exit 0
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/recwatch-systemd-XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT INT TERM

# Executables for ExecStart=: the real ones when built, else stand-ins, so that
# `verify` checks the unit and not whether `make` ran first.
bindir=$scratch/bin
mkdir -p "$bindir"
for program in recwatchd recwatch; do
    if [ -x "$build/$program" ]; then
        ln -s "$build/$program" "$bindir/$program"
    else
        printf '#!/bin/sh\nexit 0\n' >"$bindir/$program"
        chmod 755 "$bindir/$program"
    fi
done

# Same substitution as the Makefile's install target.
units=$scratch/units
mkdir -p "$units"
for template in "$here"/systemd/*.service.in; do
    unit=$units/$(basename "$template" .in)
    sed "s|@SBINDIR@|$bindir|; s|@BINDIR@|$bindir|" "$template" >"$unit"
    if grep -q '@[A-Z]*@' "$unit"; then
        fail "$(basename "$unit"): placeholders left after substitution: $(grep -o '@[A-Z]*@' "$unit" | sort -u | tr '\n' ' ')"
    fi
done

# Can verify work here at all? Try a unit that is certainly right first.
cat >"$scratch/probe.service" <<EOF
[Service]
Type=oneshot
ExecStart=$bindir/recwatch
EOF
if ! systemd-analyze verify --man=no "$scratch/probe.service" >"$scratch/probe.log" 2>&1; then
    skip "systemd-analyze verify does not work here ($(head -n 1 "$scratch/probe.log")); units not verified"
    can_verify=no
else
    can_verify=yes
fi

for unit in "$units"/*.service; do
    name=$(basename "$unit")
    if [ "$can_verify" = yes ]; then
        if systemd-analyze verify --man=no "$unit" >"$scratch/verify.log" 2>&1; then
            say "ok: systemd-analyze verify $name"
        else
            fail "systemd-analyze verify $name:"
            sed 's/^/    /' "$scratch/verify.log"
        fi
    fi
    if systemd-analyze security --offline=yes "$unit" >"$scratch/security.log" 2>&1; then
        say "systemd-analyze security --offline=yes $name:"
        sed 's/^/    /' "$scratch/security.log"
        if systemd-analyze security --offline=yes --threshold="$max_exposure" "$unit" \
            >/dev/null 2>&1; then
            say "ok: $name $(grep -o 'exposure level for [^:]*: [0-9.]*' "$scratch/security.log")"
        else
            fail "$name: exposure above $max_exposure/10: $(grep 'Overall exposure' "$scratch/security.log")"
        fi
    else
        skip "systemd-analyze security --offline=yes does not work here ($(head -n 1 "$scratch/security.log"))"
    fi
done

# sysusers.d and tmpfiles.d, applied to a scratch root. Needs root for chown.
if [ "$(id -u)" != 0 ]; then
    skip "not root: sysusers.d/tmpfiles.d not applied"
elif ! command -v systemd-sysusers >/dev/null 2>&1 || ! command -v systemd-tmpfiles >/dev/null 2>&1; then
    skip "systemd-sysusers/systemd-tmpfiles missing: sysusers.d/tmpfiles.d not applied"
else
    root=$scratch/root
    mkdir -p "$root/etc" "$root/var/spool" "$root/var/lib"
    if ! systemd-sysusers --root="$root" "$here/systemd/recwatch-sysusers.conf" \
        >"$scratch/sysusers.log" 2>&1; then
        fail "systemd-sysusers: $(cat "$scratch/sysusers.log")"
    elif ! grep -q '^recwatch:' "$root/etc/passwd" || ! grep -q '^recwatch-drop:' "$root/etc/group"; then
        fail "systemd-sysusers did not create user recwatch and group recwatch-drop"
    else
        say "ok: systemd-sysusers made $(grep '^recwatch:' "$root/etc/passwd")"
        # A secret key made by root with a loose mode: tmpfiles must fix it.
        mkdir -p "$root/etc/recwatch/keys"
        echo "secret-key = placeholder" >"$root/etc/recwatch/keys/server.key"
        chmod 644 "$root/etc/recwatch/keys/server.key"
        if ! systemd-tmpfiles --root="$root" --create "$here/systemd/recwatch-tmpfiles.conf" \
            >"$scratch/tmpfiles.log" 2>&1; then
            fail "systemd-tmpfiles --create: $(cat "$scratch/tmpfiles.log")"
        fi
        uid=$(grep '^recwatch:' "$root/etc/passwd" | cut -d: -f3)
        drop_gid=$(grep '^recwatch-drop:' "$root/etc/group" | cut -d: -f3)
        expect() { # path mode uid gid
            actual=$(stat -c '%a %u %g' "$root$1" 2>/dev/null || echo missing)
            if [ "$actual" = "$2 $3 $4" ]; then
                say "ok: $1 $actual"
            else
                fail "$1: expected mode/uid/gid '$2 $3 $4', found '$actual'"
            fi
        }
        expect /var/spool/recwatch/incoming 3770 "$uid" "$drop_gid"
        expect /var/spool/recwatch/done 750 "$uid" "$uid"
        expect /var/spool/recwatch/failed 750 "$uid" "$uid"
        expect /etc/recwatch/keys 750 0 "$uid"
        expect /etc/recwatch/keys/authorized 750 0 "$uid"
        expect /etc/recwatch/keys/server.key 600 "$uid" "$uid"
    fi
fi

# The installed configuration: every @PLACEHOLDER@ but @LEXICON@ must be gone, and
# its paths must match the units and tmpfiles.d.
conf=$here/systemd/recwatch.conf.in
for path in /var/spool/recwatch/incoming /var/spool/recwatch/done /var/spool/recwatch/failed \
    /var/lib/recwatch /etc/recwatch/keys/server.key /etc/recwatch/keys/authorized; do
    grep -q "\"$path\"" "$conf" || fail "recwatch.conf.in does not use $path"
done
if grep -o '@[A-Z]*@' "$conf" | grep -qv '^@LEXICON@$'; then
    fail "recwatch.conf.in has placeholders the Makefile does not substitute"
fi

if [ "$failures" -gt 0 ]; then
    say "$failures failure(s)"
    exit 1
fi
say "all checks passed"
exit 0
