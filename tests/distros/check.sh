#!/usr/bin/env bash
# tests/distros/check.sh SUITE [DIR]: builds sluice and runs its test suite
# in a minimal Debian (or Ubuntu) system, exactly as the README tells a new
# user to: `bash .ci/deps`, `meson setup build && ninja -C build`, `meson
# test -C build`. For a maintainer checking that the build still works where
# users are (docs/building.md); not run by .ci/run, which it would slow by
# many minutes.
#
# SUITE is a Debian suite (bookworm, trixie, ...) or an Ubuntu one (noble,
# ...; needs Ubuntu's archive keyring: ubuntu-keyring, or KEYRING=FILE).
# DIR (default /var/tmp/sluice-chroots/SUITE) is
# made once with `debootstrap --variant=minbase`, the smallest system
# debootstrap makes, and reused; delete it to start again from nothing.
# The commit checked is this repository's HEAD, cloned into the chroot, so
# uncommitted changes are not part of it. Needs root, debootstrap and the
# network (the distribution's mirror). Environment: MIRROR (the mirror to
# debootstrap from), MESON_ARGS (extra `meson setup` options, e.g.
# "-Dinterpose=disabled"), NUM_PROCESSES (meson test, default 2),
# EXTRA_CA (a CA certificate file the chroot's npm should trust, for a
# machine behind a TLS-inspecting proxy; default $NODE_EXTRA_CA_CERTS),
# REMOVE (packages to remove after .ci/deps, to check that the build
# degrades where an archive is missing: "libgpg-error-dev" on bookworm
# links libssh2 and libgit2 shared instead of failing).
#
# Prints the distribution, the libgit2 it built against, what was linked
# from static archives and what is interposed (meson's summary), and the
# last lines of the test run; exits with the first step's failure.
set -euo pipefail

suite=${1:?usage: tests/distros/check.sh SUITE [DIR]}
dir=${2:-/var/tmp/sluice-chroots/$suite}
root=$(cd "$(dirname "$0")/../.." && pwd)

boot=()
case $suite in
noble | jammy | oracular | plucky)
	mirror=${MIRROR:-http://archive.ubuntu.com/ubuntu}
	boot=(--components=main,universe
		"--keyring=${KEYRING:-/usr/share/keyrings/ubuntu-archive-keyring.gpg}")
	# An older debootstrap knows Ubuntu's later suites by gutsy's script.
	script=/usr/share/debootstrap/scripts/$suite
	[ -e "$script" ] || script=/usr/share/debootstrap/scripts/gutsy
	;;
*)
	mirror=${MIRROR:-http://deb.debian.org/debian}
	script=
	;;
esac

if [ "$(id -u)" -ne 0 ]; then
	echo "check.sh: needs root (debootstrap, chroot, mount)" >&2
	exit 2
fi
if [ ! -x "$dir/usr/bin/apt-get" ]; then
	mkdir -p "$dir"
	debootstrap --variant=minbase "${boot[@]}" "$suite" "$dir" "$mirror" \
		$script >"$dir.debootstrap.log" 2>&1 || {
		tail -n 20 "$dir.debootstrap.log"
		exit 1
	}
fi

mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
}
trap cleanup EXIT
mount_in() { # mount_in TARGET mount-arguments...
	local target=$dir$1
	shift
	mkdir -p "$target"
	mount "$@" "$target"
	mounted+=("$target")
}
mount_in /proc -t proc proc
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
mount_in /sys --bind /sys
cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
extra_ca=${EXTRA_CA:-${NODE_EXTRA_CA_CERTS:-}}
node_ca=
if [ -n "$extra_ca" ] && [ -f "$extra_ca" ]; then
	cp -L "$extra_ca" "$dir/etc/extra-ca.crt"
	node_ca=/etc/extra-ca.crt
fi

# A clean clone of HEAD, as a user would have; the chroot has no git yet.
rm -rf "$dir/src/sluice"
mkdir -p "$dir/src"
git clone -q "$root" "$dir/src/sluice"
git -C "$dir/src/sluice" checkout -q "$(git -C "$root" rev-parse HEAD)"

chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 MESON_ARGS="${MESON_ARGS:-}" REMOVE="${REMOVE:-}" \
	NUM_PROCESSES="${NUM_PROCESSES:-2}" NODE_EXTRA_CA_CERTS="$node_ca" \
	/bin/bash -euo pipefail -c '
cd /src/sluice
. /etc/os-release
echo "== $PRETTY_NAME"
[ -n "$NODE_EXTRA_CA_CERTS" ] || unset NODE_EXTRA_CA_CERTS
bash .ci/deps || { echo ".ci/deps failed"; exit 1; }
if [ -n "$REMOVE" ]; then
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq $REMOVE >/dev/null
	echo "== removed $REMOVE"
fi
echo "== libgit2 $(pkg-config --modversion libgit2)"
# shellcheck disable=SC2086
meson setup build $MESON_ARGS >build.setup.log 2>&1 ||
	{ tail -n 40 build.setup.log; exit 1; }
sed -n "/^  Libraries/,/^$/p" build.setup.log
ninja -C build >build.log 2>&1 || { tail -n 40 build.log; exit 1; }
meson test -C build --num-processes "$NUM_PROCESSES" --print-errorlogs \
	>test.log 2>&1 || { tail -n 60 test.log; exit 1; }
tail -n 9 test.log
'
