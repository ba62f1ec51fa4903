# SPDX-License-Identifier: GPL-2.0
#
# enomem-stats: top-level Makefile.
#
#   make module          build enomem_stats.ko for KDIR (default: running kernel)
#   make tools           build tools/enomemstat
#   make install         install the module (into KDIR's modules) and the tools
#   make dkms-install    register, build and install through DKMS
#   make check           build and boot Debian kernels under QEMU, run all tests
#   make demo            boot one VM, provoke every reason, show /proc/enomem_stats
#   make check-debug     the suite on a KASAN/kmemleak/lockdep kernel (slow)
#   make stress          make check, with 5 reload VMs (100 reloads each) per kernel
#   make bench           side-by-side cost measurement in one VM boot
#   make clean

KVER	?= $(shell uname -r)
KDIR	?= /lib/modules/$(KVER)/build
PREFIX	?= /usr
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

all: module tools

module:
	@test -d "$(KDIR)" || { echo "No kernel build tree at $(KDIR)."; \
		echo "Install the headers (Debian: linux-headers-$(KVER); RHEL: kernel-devel-$(KVER)) or pass KDIR=..."; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR)

dkms-install:
	rm -rf /usr/src/enomem-stats-$(VERSION)
	mkdir -p /usr/src/enomem-stats-$(VERSION)
	cp -r Kbuild Makefile dkms.conf module /usr/src/enomem-stats-$(VERSION)/
	dkms add -m enomem-stats -v $(VERSION) || true
	dkms build -m enomem-stats -v $(VERSION) -k $(KVER)
	dkms install -m enomem-stats -v $(VERSION) -k $(KVER)

check:
	selftests/run.sh

demo:
	selftests/run.sh --demo

# make check already boots one reload VM per kernel (100 load/unload cycles
# under fork storms, single-threaded TCG: see selftests/run.sh); this boots 5.
stress:
	ENOMEM_RELOAD_BOOTS=5 ENOMEM_NO_MATRIX=1 ENOMEM_NO_DKMS=1 ENOMEM_NO_TOOLS_TESTS=1 ENOMEM_NO_PACKAGES=1 ENOMEM_CANARY= \
		ENOMEM_KERNELS="linux-image-amd64 linux-image-6.12-amd64" selftests/run.sh

# The suite on a KASAN/kmemleak/lockdep/fault-injection kernel built from
# Debian's linux-source (built once, cached; slow: not part of make check).
check-debug:
	ENOMEM_KERNELS=debug ENOMEM_DEBUG_CHECKS=1 ENOMEM_VM_MEM=1G ENOMEM_VM_TIMEOUT=2400 \
		ENOMEM_RELOAD_SECONDS=1500 \
		ENOMEM_NO_DKMS=1 ENOMEM_NO_TOOLS_TESTS=1 ENOMEM_NO_PACKAGES=1 ENOMEM_NO_MATRIX=1 ENOMEM_CANARY= selftests/run.sh

bench:
	bench/run.sh

# Packages into dist/ (see packaging/README.md): EL7 RPMs (SRPM + binary),
# Debian packages, and the packaging tests (last line "N passed, N failed").
rpm:
	sh packaging/rpm/build.sh $(CURDIR)/dist

deb:
	sh packaging/debian-build.sh $(CURDIR)/dist

check-packages:
	sh packaging/tests/run.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f module/compat/tests/*.o
	-$(MAKE) -C tools clean

.PHONY: all module tools install dkms-install check check-debug demo stress bench clean
.PHONY: rpm deb check-packages
