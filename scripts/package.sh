#!/usr/bin/env bash
# Builds the Debian package: installs the build dependencies, builds a Release
# tree in build-package/ (no tests, no benchmarks), runs CPack and prints the
# path of the .deb. Install it with
#   apt install ./build-package/seller-healthd_VERSION-1_ARCH.deb
# (docs/install.md). Idempotent; works in a fresh clone on Debian 12 as root
# (install-deps.sh needs root only if a package is missing).
# SHD_PACKAGE_BUILD_DIR overrides build-package/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh"

build_dir="${SHD_PACKAGE_BUILD_DIR:-$root/build-package}"
# Release, with the compiler and linker flags Debian builds its own packages
# with (dpkg-buildflags: -O2, stack protector, _FORTIFY_SOURCE, full RELRO and
# bind-now) in place of CMake's Release default -O3.
export DEB_BUILD_MAINT_OPTIONS="hardening=+all"
cxxflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS)"
echo "== build (Release, $build_dir)"
"$root/scripts/build.sh" "$build_dir" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_CXX_FLAGS_RELEASE="-DNDEBUG" \
  -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
  -DSHD_BUILD_TESTS=OFF -DSHD_BUILD_BENCH=OFF -DSHD_SANITIZE=OFF

echo "== package (cpack -G DEB)"
out="$build_dir/deb"
rm -rf "$out"
mkdir -p "$out"
cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$out"
rm -rf "$out/_CPack_Packages"

shopt -s nullglob
debs=("$out"/seller-healthd_*.deb)
if [ ${#debs[@]} -ne 1 ]; then
  echo "package: expected one .deb in $out, found ${#debs[@]}" >&2
  exit 1
fi
echo
dpkg-deb --field "${debs[0]}" Package Version Architecture
echo "${debs[0]}"
