#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh VMLINUZ INITRD LOG MODE [TIMEOUT]
#
# Boot the test VM under QEMU's software emulation (no KVM needed) and write
# the whole serial console to LOG.  MODE (run or demo) reaches /init as
# $enomem_mode.  QEMU's exit status says nothing: a panic also ends with 0
# under -no-reboot and panic=-1, so the caller judges the log only.
#
# Environment:
#   ENOMEM_QEMU_ACCEL  QEMU's accelerator (default "tcg": multi-threaded TCG,
#                      one host thread per vCPU); e.g. "tcg,thread=single"
#                      runs all vCPUs on one host thread
#   ENOMEM_QEMU_ARGS   extra QEMU arguments, appended (default: none).  QEMU
#                      takes the first -accel that works and silently ignores
#                      later ones, so when these contain "-accel" the rig's
#                      own "-accel $ENOMEM_QEMU_ACCEL" is left out.
set -u

kernel=${1:?usage: boot.sh VMLINUZ INITRD LOG MODE [TIMEOUT]}
initrd=${2:?}
log=${3:?}
mode=${4:?}
limit=${5:-${ENOMEM_VM_TIMEOUT:-540}}

extra=${ENOMEM_QEMU_ARGS:-}
accel="-accel ${ENOMEM_QEMU_ACCEL:-tcg}"
case " $extra " in
*" -accel "*) accel= ;;
esac

# KASAN needs more than 512M (ENOMEM_VM_MEM=1G for the debug kernel).
# shellcheck disable=SC2086 # accel and extra are word lists on purpose
timeout "$limit" qemu-system-x86_64 $accel -cpu max -smp 2 -m "${ENOMEM_VM_MEM:-512M}" \
	-display none -serial stdio -nodefaults -no-reboot -monitor none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 quiet loglevel=4 enomem_mode=$mode" \
	$extra </dev/null >"$log" 2>&1
exit 0
