#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compile-matrix.sh TOP OUT [CACHE]
#
# The module compiled against Debian's linux-source-6.1 under kernel configs
# that Debian's own packages never use, so that a header which only some
# configs pull in, or code that assumes an optional feature, fails here
# instead of on a user's custom or vendor kernel:
#
#   debug     the make check-debug kernel (selftests/debug/config.fragment)
#   minimal   tinyconfig plus only what the module needs
#   optional  defconfig without what the module treats as optional: memcg,
#             the pids controller, tracepoints (and what selects them)
#   nocgroup  defconfig without cgroups at all (neither v1 nor v2)
#
# Each tree is configured and prepared with "make modules_prepare" (no
# kernel build), in its own O= directory beside one pristine source tree;
# both are cached under CACHE/compile-matrix and reused while the source
# package and the config lines stay the same.  The module's objects are then
# compiled with the kernel's own flags, warnings fatal.  Only the objects:
# without a built vmlinux there is no Module.symvers to link against, so
# whether every symbol the module uses is exported is left to the real
# kernels of make check.
#
# Prints one "ok - ..." or "not ok - ..." line per config (the runner counts
# them); details go to OUT/NAME.log.  Exits 0 when all passed.
set -u

top=${1:?usage: compile-matrix.sh TOP OUT [CACHE]}
out=${2:?usage: compile-matrix.sh TOP OUT [CACHE]}
cache=${3:-${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}}
srcpkg=${ENOMEM_MATRIX_SRCPKG:-linux-source-6.1}
configs=${ENOMEM_MATRIX_CONFIGS:-debug minimal optional nocgroup}
dir=$cache/compile-matrix
jobs=$(nproc 2>/dev/null || echo 2)

mkdir -p "$out" "$dir" || exit 1
now() { date +%s; }

# What the module cannot do without (compat.h refuses the others with a
# message); everything else in it must build whether present or not.
needs() {
	cat <<'EOF'
enable 64BIT
enable MODULES
enable MODULE_UNLOAD
enable KPROBES
enable KRETPROBES
enable KALLSYMS
enable DEBUG_FS
enable PROC_FS
enable MULTIUSER
enable PRINTK
EOF
}

# config NAME: "base TARGET..." then enable/disable lines.
config() {
	case $1 in
	debug)
		echo "base x86_64_defconfig kvm_guest.config"
		grep -v -e '^#' -e '^$' "$top/selftests/debug/config.fragment"
		;;
	minimal)
		echo "base tinyconfig"
		needs
		echo "enable CGROUPS"
		;;
	optional)
		echo "base x86_64_defconfig"
		needs
		# Tracepoints are selected by the tracers and a few debug
		# options; with those off, nothing selects them.
		cat <<'EOF'
disable MEMCG
disable CGROUP_PIDS
disable FTRACE
disable TRACING
disable BLK_DEV_IO_TRACE
disable KPROBE_EVENTS
disable TRACEPOINTS
EOF
		;;
	nocgroup)
		echo "base x86_64_defconfig"
		needs
		echo "disable CGROUPS"
		;;
	*) return 1 ;;
	esac
}

# The pristine source tree, unpacked once per source package version.
src=$dir/src
prepare_source() {
	[ -f "$src/.complete" ] && return 0
	rm -rf "$src" "$dir/pkg"
	mkdir -p "$dir/pkg"
	{ (cd "$dir/pkg" && apt-get download "$srcpkg") ||
	  { apt-get update && (cd "$dir/pkg" && apt-get download "$srcpkg"); }; } \
		>"$out/source.log" 2>&1 || return 1
	deb=$(ls "$dir"/pkg/*.deb) || return 1
	dpkg -x "$deb" "$dir/pkg/x" &&
	tarball=$(ls "$dir"/pkg/x/usr/src/linux-source-*.tar.xz | head -n 1) &&
	mkdir -p "$src" &&
	tar -xJf "$tarball" -C "$src" --strip-components=1 || return 1
	dpkg-deb -f "$deb" Version >"$src/.complete"
	rm -rf "$dir/pkg"
}

# prepare NAME: configure and modules_prepare CACHE/compile-matrix/NAME.
prepare() {
	o=$dir/$1
	key=$( { cat "$src/.complete"; config "$1"; } | sha256sum | cut -c1-16)
	[ -f "$o/.matrix-key" ] && [ "$(cat "$o/.matrix-key")" = "$key" ] && return 0
	rm -rf "$o"
	mkdir -p "$o"
	base=$(config "$1" | sed -n 's/^base //p')
	for t in $base; do
		make -C "$src" O="$o" "$t" || return 1
	done
	config "$1" | while read -r op opt val; do
		case $op in
		enable)  "$src/scripts/config" --file "$o/.config" --enable "$opt" ;;
		disable) "$src/scripts/config" --file "$o/.config" --disable "$opt" ;;
		set-val) "$src/scripts/config" --file "$o/.config" --set-val "$opt" "$val" ;;
		set-str) "$src/scripts/config" --file "$o/.config" --set-str "$opt" "$val" ;;
		esac
	done
	make -C "$src" O="$o" olddefconfig || return 1
	# A dependency olddefconfig dropped, or a select it kept, would make
	# this config test something else than it says.
	bad=$(config "$1" | while read -r op opt val; do
		case $op in
		enable)  grep -qx "CONFIG_$opt=y" "$o/.config" || printf ' %s(want y)' "$opt" ;;
		disable) grep -q "^CONFIG_$opt=[ym]" "$o/.config" && printf ' %s(want n)' "$opt" ;;
		esac
	done)
	if [ -n "$bad" ]; then
		echo "config not as requested:$bad"
		return 1
	fi
	nice -n 10 make -j"$jobs" -C "$src" O="$o" modules_prepare || return 1
	echo "$key" >"$o/.matrix-key"
}

# build NAME: the module's objects against the prepared tree.
build() {
	m=$out/$1
	rm -rf "$m"
	mkdir -p "$m"
	cp -r "$top/Kbuild" "$top/module" "$m/"
	make -j"$jobs" -C "$src" O="$dir/$1" M="$m" enomem_stats.o
}

# Tools to configure and prepare a tree (kconfig, objtool, sign-file); a
# fresh Debian 12 machine has gcc, make and xz but not these.
need=""
for p in bc bison flex libelf-dev libssl-dev; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ] && ! { apt-get install -y --no-install-recommends $need ||
	{ apt-get update && apt-get install -y --no-install-recommends $need; }; } >"$out/apt.log" 2>&1; then
	echo "not ok - compile matrix: apt-get install$need failed (log: $out/apt.log)"
	exit 1
fi

passed=0
failed=0
t0=$(now)
if ! prepare_source; then
	tail -n 3 "$out/source.log" 2>/dev/null | sed 's/^/#   /'
	echo "not ok - compile matrix: $srcpkg not available (apt-get download; log: $out/source.log)"
	exit 1
fi
ver=$(cat "$src/.complete")
for c in $configs; do
	t1=$(now)
	log=$out/$c.log
	if ! config "$c" >/dev/null; then
		echo "not ok - compile matrix $c: no such config"
		failed=$((failed + 1))
		continue
	fi
	if ! prepare "$c" >"$log.prepare" 2>&1; then
		tail -n 5 "$log.prepare" | sed 's/^/#   /'
		echo "not ok - compile matrix $c: $srcpkg $ver configure and modules_prepare (log: $log.prepare)"
		failed=$((failed + 1))
		continue
	fi
	if build "$c" >"$log" 2>&1 && ! grep -q 'warning:' "$log"; then
		echo "ok - compile matrix $c: enomem_stats objects against $srcpkg $ver ($(($(now) - t1)) s)"
		passed=$((passed + 1))
	else
		grep -E -A 3 'error:|warning:' "$log" | head -n 20 | sed 's/^/#   /'
		echo "not ok - compile matrix $c: enomem_stats objects against $srcpkg $ver (log: $log)"
		failed=$((failed + 1))
	fi
done
echo "# compile matrix: $passed passed, $failed failed in $(($(now) - t0)) s"
[ "$failed" -eq 0 ]
