#!/bin/sh
# autogen.sh — generate the build system (configure, Makefile.in, the
# build-aux/ helpers) from configure.ac and Makefile.am.
# Needs: autoconf automake libtool autoconf-archive pkg-config
# (build-aux/install-deps installs them on Debian).
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi "$@"
