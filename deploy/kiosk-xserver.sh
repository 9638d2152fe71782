#!/usr/bin/env bash
# ExecStart of village-kiosk-x.service (runs as root): the X server for the kiosk.
#
# 1. A fresh access cookie for the display in /run/village-kiosk-x/Xauthority, readable
#    by group kiosk only: no other local user can draw on or read the kiosk's screen.
# 2. exec Xorg, so it is the unit's main process:
#      -nolisten tcp   no network access to the display
#      -nocursor       no pointer on a touch screen
#      -s 0 -dpms      no screen saver, no display power saving: the screen stays on 24/7
#      -noreset        keep the settings when the last client leaves: without it the
#                      server resets (screen saver back on) whenever the kiosk restarts,
#                      and every time xset itself disconnects
# Environment (tests set them; a terminal needs none): KIOSK_XORG (the server binary),
# KIOSK_X_RUNTIME_DIR, KIOSK_GROUP, KIOSK_DISPLAY (:0), KIOSK_VT (vt7; empty: none, for a
# virtual server). Extra arguments go to the server.
set -euo pipefail

xorg=${KIOSK_XORG:-/usr/lib/xorg/Xorg}
runtime=${KIOSK_X_RUNTIME_DIR:-/run/village-kiosk-x}
group=${KIOSK_GROUP:-kiosk}
display=${KIOSK_DISPLAY:-:0}
vt=${KIOSK_VT-vt7}
auth="$runtime/Xauthority"

umask 077
tmp="$auth.new"
rm -f "$tmp"
: > "$tmp"  # (xauth would complain that it does not exist)
xauth -q -f "$tmp" add "$display" . "$(mcookie)"
chgrp "$group" "$tmp"
chmod 0640 "$tmp"
mv -f "$tmp" "$auth"

exec "$xorg" "$display" ${vt:+"$vt"} -auth "$auth" -nolisten tcp -nocursor -s 0 -dpms -noreset "$@"
