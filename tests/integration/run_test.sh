#!/bin/sh
# ctest entry point for one Python integration test module: runs it with
# Debian's interpreter (which has python3-zmq and python3-protobuf).
set -e
here=$(dirname "$0")
cd "$here"
exec /usr/bin/python3 -m unittest -v "$1"
