# Installing seller-healthd as a system service, and the Debian package
# (CPack, DEB generator). Included from the root CMakeLists.txt after the
# install() rules of the binary and the migrations. See docs/install.md.
#
#   cmake --install BUILD [--prefix /usr/local]   # from source
#   cpack --config BUILD/CPackConfig.cmake -G DEB # the .deb (scripts/package.sh)
#
# The package puts the binary in /usr/bin, the unit in /lib/systemd/system
# (Debian 12 still keeps units there), the example configuration in
# /etc/seller-healthd (a conffile), sysusers.d and tmpfiles.d snippets in
# /usr/lib, the migrations in /usr/share/seller-healthd and the docs in
# /usr/share/doc/seller-healthd (README.md, docs/, examples/, config/, copyright,
# changelog.Debian.gz). Its maintainer scripts are in packaging/.

include(GNUInstallDirs)

option(SHD_INSTALL_SYSTEM_FILES
  "Install the systemd unit, /etc/seller-healthd, sysusers.d and tmpfiles.d files" ON)

set(shd_packaging_dir "${PROJECT_SOURCE_DIR}/packaging")

# Documentation, in /usr/share/doc/seller-healthd laid out as in the source
# tree, so that the relative links between README.md, docs/, examples/ and
# config/ work there too: README.md, docs/*.md and the dashboard picture,
# examples/ (the demo seller's exports) and the example configuration. Beside
# them the Debian copyright file (machine-readable format) and the Debian
# changelog, compressed as Debian policy wants it (gzip -9n: no name, no time
# stamp, so the same bytes at every build). README.md's link to LICENSE points
# at copyright, which holds the licence, in the installed copy.
file(GLOB shd_doc_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md"
                                          "${PROJECT_SOURCE_DIR}/docs/*.png"
                                          "${PROJECT_SOURCE_DIR}/docs/*.json")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${shd_packaging_dir}/changelog" "${PROJECT_SOURCE_DIR}/README.md")
file(MAKE_DIRECTORY "${PROJECT_BINARY_DIR}/packaging")
execute_process(COMMAND gzip -9nc "${shd_packaging_dir}/changelog"
                OUTPUT_FILE "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz"
                COMMAND_ERROR_IS_FATAL ANY)
file(READ "${PROJECT_SOURCE_DIR}/README.md" shd_readme)
string(REPLACE "](LICENSE)" "](copyright)" shd_readme "${shd_readme}")
file(WRITE "${PROJECT_BINARY_DIR}/packaging/README.md" "${shd_readme}")
install(FILES "${PROJECT_BINARY_DIR}/packaging/README.md" "${shd_packaging_dir}/copyright"
              "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES ${shd_doc_files} DESTINATION "${CMAKE_INSTALL_DOCDIR}/docs")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/examples/" DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")
install(FILES "${PROJECT_SOURCE_DIR}/config/seller-healthd.yaml"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/config")

if(SHD_INSTALL_SYSTEM_FILES)
  # The seller-healthd user and group, and the folders with their owners and
  # modes. The package's postinst applies both; after a source install run
  #   systemd-sysusers seller-healthd.conf && systemd-tmpfiles --create seller-healthd.conf
  # ${prefix}/lib/{sysusers,tmpfiles}.d are searched by systemd for /usr and
  # /usr/local alike.
  install(FILES "${shd_packaging_dir}/sysusers.conf"
          DESTINATION lib/sysusers.d RENAME seller-healthd.conf)
  install(FILES "${shd_packaging_dir}/tmpfiles.conf"
          DESTINATION lib/tmpfiles.d RENAME seller-healthd.conf)

  # The units: seller-healthd.service (one seller account) and the template
  # seller-healthd@.service (one instance per account), each with the shared
  # sandbox drop-in systemd/10-sandbox.conf in its NAME.d/ folder. Their
  # ExecStart= names /usr/bin/seller-healthd, where the package puts the
  # binary; installed under another prefix, the copies name that prefix's
  # binary. Prefix /usr: /lib/systemd/system (Debian's place); otherwise
  # PREFIX/lib/systemd/system (searched by systemd for /usr/local).
  set(shd_install_unit [=[
    if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
      set(shd_unit_dir "/lib/systemd/system")
    else()
      set(shd_unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
    endif()
    foreach(shd_unit_name seller-healthd.service seller-healthd@.service)
      file(READ "@PROJECT_SOURCE_DIR@/systemd/${shd_unit_name}" shd_unit)
      string(REPLACE "ExecStart=/usr/bin/seller-healthd "
                     "ExecStart=${CMAKE_INSTALL_PREFIX}/@CMAKE_INSTALL_BINDIR@/seller-healthd "
                     shd_unit "${shd_unit}")
      file(WRITE "@PROJECT_BINARY_DIR@/packaging/${shd_unit_name}" "${shd_unit}")
      file(INSTALL DESTINATION "${shd_unit_dir}" TYPE FILE
           PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
           FILES "@PROJECT_BINARY_DIR@/packaging/${shd_unit_name}")
      file(INSTALL DESTINATION "${shd_unit_dir}/${shd_unit_name}.d" TYPE FILE
           PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
           FILES "@PROJECT_SOURCE_DIR@/systemd/10-sandbox.conf")
    endforeach()
  ]=])
  string(CONFIGURE "${shd_install_unit}" shd_install_unit @ONLY)
  install(CODE "${shd_install_unit}")

  # /etc/seller-healthd: the example configuration, 0640 (it will hold
  # secrets; postinst gives it to the group seller-healthd). A source install
  # never overwrites one that is already there; in the package it is a
  # conffile (packaging/conffiles), so dpkg keeps the seller's edits.
  install(DIRECTORY DESTINATION /etc/seller-healthd
          DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
                                GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(shd_install_config [=[
    if(EXISTS "$ENV{DESTDIR}/etc/seller-healthd/seller-healthd.yaml")
      message(STATUS "Kept: $ENV{DESTDIR}/etc/seller-healthd/seller-healthd.yaml (already there)")
    else()
      file(INSTALL DESTINATION /etc/seller-healthd TYPE FILE
           PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
           FILES "@PROJECT_SOURCE_DIR@/config/seller-healthd.yaml")
    endif()
  ]=])
  string(CONFIGURE "${shd_install_config}" shd_install_config @ONLY)
  install(CODE "${shd_install_config}")
  # Secrets for LoadCredential= in the unit: root only. An empty folder is
  # fine; a missing one is covered by the unit's SetCredential= fallback.
  install(DIRECTORY DESTINATION /etc/seller-healthd/credentials
          DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
endif()

# ---------------------------------------------------------------------------
# The Debian package.

# A stripped binary (CPACK_STRIP_FILES, `cmake --install --strip`) also loses
# the compilers' .comment section, as dh_strip does for Debian's own packages.
if(CMAKE_OBJCOPY)
  set(shd_strip_comment [=[
    if(CMAKE_INSTALL_DO_STRIP)
      execute_process(COMMAND "@CMAKE_OBJCOPY@" --remove-section=.comment
                              "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/@CMAKE_INSTALL_BINDIR@/seller-healthd"
                      COMMAND_ERROR_IS_FATAL ANY)
    endif()
  ]=])
  string(CONFIGURE "${shd_strip_comment}" shd_strip_comment @ONLY)
  install(CODE "${shd_strip_comment}")
endif()
# The tags lintian reports on purpose, each with its reason
# (packaging/lintian-overrides).
install(FILES "${shd_packaging_dir}/lintian-overrides"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides" RENAME seller-healthd)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME seller-healthd)
set(CPACK_PACKAGE_VENDOR "seller-healthd developers")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# Who answers for the package (Maintainer:, and the changelog's trailer line).
set(SHD_DEB_MAINTAINER "seller-healthd developers <seller-healthd@example.com>"
    CACHE STRING "Maintainer of the Debian package: NAME <ADDRESS>")
set(CPACK_PACKAGE_CONTACT "${SHD_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Amazon seller account-health monitor that alerts before Amazon acts")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
# Absolute destinations (/etc, /lib/systemd/system) go into the package's
# tree under DESTDIR, with /usr as the install prefix.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME seller-healthd)
# The Debian revision (VERSION-REVISION). Must match the top entry of
# packaging/changelog; a rebuild of the same upstream version raises it.
set(SHD_DEB_REVISION 1 CACHE STRING "Debian revision of the package")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${SHD_DEB_REVISION}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SHD_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
find_program(SHD_DPKG dpkg)
if(SHD_DPKG)
  execute_process(COMMAND "${SHD_DPKG}" --print-architecture
                  OUTPUT_VARIABLE shd_deb_arch OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE shd_deb_arch_rc)
  if(shd_deb_arch_rc EQUAL 0 AND shd_deb_arch)
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${shd_deb_arch}")
  endif()
endif()
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"seller-healthd reads an Amazon seller's own data exports (order, unshipped,
feedback and account-health reports, plus shipment, defect and message CSV
files), works out the metrics Amazon enforces (order defect rate, late
dispatch rate, cancellation rate, valid tracking rate and 24-hour response
rate) and warns before one of them reaches Amazon's limit, by e-mail, Slack,
Microsoft Teams, Discord, PagerDuty or a webhook.

It is self-hosted: one daemon and one SQLite database on the seller's server.
This package installs the daemon, its systemd service (not started until it
is configured) and the seller-healthd system user.")
# Library dependencies from dpkg-shlibdeps (needs dpkg-dev), merged with:
# systemd (the units; systemd-sysusers and systemd-tmpfiles in postinst),
# procps (/bin/kill, the units' ExecReload=), ca-certificates (every HTTPS and
# SMTP connection verifies the server) and tzdata (quiet hours in a time zone).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd, procps, ca-certificates, tzdata")
# sqlite3: backing up the database while the service runs (docs/install.md).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "sqlite3")
if(SHD_INSTALL_SYSTEM_FILES)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
      "${shd_packaging_dir}/conffiles"
      "${shd_packaging_dir}/postinst"
      "${shd_packaging_dir}/prerm"
      "${shd_packaging_dir}/postrm")
else()
  message(WARNING "SHD_INSTALL_SYSTEM_FILES is OFF: a package built from this tree has no unit, configuration or maintainer scripts")
endif()
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

include(CPack)
