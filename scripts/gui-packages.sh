#!/usr/bin/env bash
# The Debian packages the GUI needs at run time (X11/Wayland client libraries, Mesa's
# software OpenGL/Vulkan for machines without a GPU, a font). Sourced by run.sh and test.sh.
GUI_PACKAGES="libx11-6 libxcursor1 libxrandr2 libxi6 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0 \
libwayland-client0 libegl1 libgl1 libgl1-mesa-dri libvulkan1 mesa-vulkan-drivers fonts-dejavu-core"
