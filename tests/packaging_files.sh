#!/bin/sh
# SPDX-License-Identifier: MIT
# The desktop files as the desktop validates them: the .desktop entry (desktop-file-validate), the AppStream
# metainfo (appstreamcli validate) and the MIME XML (update-mime-database builds a database from it).
# Usage: packaging_files.sh SOURCE_DIR
set -eu
src=$1/packaging
desktop-file-validate "$src/checkpoint-studio.desktop"
appstreamcli validate --no-net "$src/io.github.checkpoint_studio.CheckpointStudio.metainfo.xml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/mime/packages"
cp "$src/checkpoint-studio-mime.xml" "$tmp/mime/packages/checkpoint-studio.xml"
# update-mime-database exits 0 on some XML mistakes but says so on stderr: any output fails the test.
out=$(XDG_DATA_DIRS="$tmp" XDG_DATA_HOME="$tmp" update-mime-database "$tmp/mime" 2>&1)
if [ -n "$out" ]; then
    echo "$out"
    exit 1
fi
for type in x-pytorch-checkpoint x-pytorch-legacy-checkpoint x-torchscript x-safetensors; do
    test -f "$tmp/mime/application/$type.xml" || { echo "no MIME type application/$type"; exit 1; }
done
# Every size of icon the package installs exists, as does the scalable one the desktop file names.
for size in 16 22 24 32 48 64 128 256 512; do
    test -s "$src/icons/hicolor/${size}x${size}/checkpoint-studio.png" || { echo "no ${size}px icon"; exit 1; }
done
test -s "$src/icons/checkpoint-studio.svg"
echo "desktop entry, metainfo, MIME types and icons are valid"
