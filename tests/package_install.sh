#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the .deb built from this tree with dpkg, runs the installed ckpt and app, and removes the package.
# It changes the system, so it runs only as root in CI (CI=true); elsewhere it is skipped (exit 77).
# Usage: package_install.sh BUILD_DIR
set -eu
build=$1
if [ "$(id -u)" -ne 0 ] || [ "${CI:-}" != "true" ]; then
    echo "skipped: installs a package system-wide, so it runs only as root with CI=true"
    exit 77
fi
if dpkg-query -W -f='${Status}' checkpoint-studio 2>/dev/null | grep -q "install ok installed"; then
    echo "skipped: a checkpoint-studio package is installed already; not replacing it"
    exit 77
fi
cmake --build "$build" --target package
deb=$(ls "$build"/checkpoint-studio_*.deb)
dpkg -i "$deb"
trap 'dpkg -r checkpoint-studio > /dev/null' EXIT

/usr/bin/ckpt --version | grep -q "^ckpt .*LibTorch"
example=/usr/share/checkpoint-studio/examples/example_training_checkpoint.pt
/usr/bin/ckpt inspect "$example" | grep -q "model_state"
# --stats loads the LibTorch plugin from /usr/lib/checkpoint-studio.
/usr/bin/ckpt inspect --stats --json "$example" | grep -q '"mean"'
test -f /usr/share/applications/checkpoint-studio.desktop
# dpkg's trigger rebuilt the MIME database with our types.
test -f /usr/share/mime/application/x-pytorch-checkpoint.xml
shot=$(mktemp --suffix=.png)
QT_QPA_PLATFORM=offscreen /usr/bin/checkpoint-studio --screenshot "$shot" "$example"
test -s "$shot"
rm -f "$shot"

trap - EXIT
dpkg -r checkpoint-studio
test ! -e /usr/bin/ckpt
echo "installed, used and removed $deb"
