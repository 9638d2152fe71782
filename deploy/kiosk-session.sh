#!/usr/bin/env bash
# ExecStart of village-kiosk.service (runs as the kiosk user): prepare the display, then
# exec the kiosk so that it is the unit's main process (Type=notify, NotifyAccess=main).
#
#   1. wait until the X server (village-kiosk-x.service) answers, at most 30 s
#   2. screen saver and blanking off, DPMS off (again: X was started with -s 0 -dpms, but
#      a display that wakes up blank in a village is a lost day)
#   3. optional rotation of a portrait screen, touch input rotated with it
#   4. exec the kiosk with the terminal's configuration
#
# Settings (in /etc/village-kiosk/session.conf, read by the unit as EnvironmentFile):
#   KIOSK_ROTATE        normal (default), left, right or inverted
#   KIOSK_OUTPUT        the xrandr output to rotate (default: the first connected one)
#   KIOSK_TOUCH_DEVICE  the xinput name of the touch screen (default: every input device
#                       whose name contains "touch", any case)
#   KIOSK_CONFIG_FILE   default /etc/village-kiosk/terminal.toml
#   KIOSK_APP_DIR       default /opt/village-kiosk
#   KIOSK_X_WAIT_S      default 30
# Extra arguments go to the kiosk. Exit codes: 2 a setting above is wrong (systemd does not
# restart it: RestartPreventExitStatus=2), 1 the display never answered (restarted).
set -euo pipefail

app_dir=${KIOSK_APP_DIR:-/opt/village-kiosk}
config=${KIOSK_CONFIG_FILE:-/etc/village-kiosk/terminal.toml}
rotate=${KIOSK_ROTATE:-normal}
wait_s=${KIOSK_X_WAIT_S:-30}
export DISPLAY=${DISPLAY:-:0}

say() { printf 'kiosk-session: %s\n' "$*" >&2; }

case "$rotate" in
  normal|left|right|inverted) ;;
  *) say "KIOSK_ROTATE=$rotate is not one of normal, left, right, inverted"; exit 2 ;;
esac
case "$wait_s" in
  ''|*[!0-9]*) say "KIOSK_X_WAIT_S=$wait_s is not a number of seconds"; exit 2 ;;
esac

# 1. The display answers when xset can query it (the socket alone may exist before).
display_up() {
  if command -v xset >/dev/null; then
    xset q >/dev/null 2>&1
  else
    [ -S "/tmp/.X11-unix/X${DISPLAY#:}" ]
  fi
}
tries=$((wait_s * 4))
until display_up; do
  tries=$((tries - 1))
  if [ "$tries" -le 0 ]; then
    say "the X display $DISPLAY did not answer within ${wait_s} s (systemctl status village-kiosk-x)"
    exit 1
  fi
  sleep 0.25
done

# 2. One xset call per setting: a server without the DPMS extension rejects -dpms, and
#    xset then drops the other settings given in the same call.
if command -v xset >/dev/null; then
  xset s off || say "xset s off failed"
  xset s noblank || say "xset s noblank failed"
  xset -dpms 2>/dev/null || say "this display has no DPMS; nothing to switch off"
else
  say "xset not found (Debian package x11-xserver-utils): relying on the X server's -s 0 -dpms"
fi

# 3. Rotation: the picture with xrandr, the touch coordinates with xinput (libinput's
#    Coordinate Transformation Matrix), so a tap lands where the finger is.
if [ "$rotate" != normal ]; then
  output=${KIOSK_OUTPUT:-$(xrandr --query | awk '$2 == "connected" { print $1; exit }')}
  if [ -z "$output" ]; then
    say "no connected display output to rotate"; exit 1
  fi
  xrandr --output "$output" --rotate "$rotate"
  case "$rotate" in
    left)     matrix="0 -1 1 1 0 0 0 0 1" ;;
    right)    matrix="0 1 0 -1 0 1 0 0 1" ;;
    inverted) matrix="-1 0 1 0 -1 1 0 0 1" ;;
  esac
  # Devices by id (a name may be listed twice: a touch screen's pointer and keyboard
  # halves); only those with the matrix property, i.e. the pointer half.
  rotated=0
  while IFS=$'\t' read -r id name; do
    if [ -n "${KIOSK_TOUCH_DEVICE:-}" ]; then
      [ "$name" = "$KIOSK_TOUCH_DEVICE" ] || continue
    else
      case "${name,,}" in *touch*) ;; *) continue ;; esac
    fi
    props=$(xinput list-props "$id" 2>/dev/null) || continue
    [[ $props == *"Coordinate Transformation Matrix"* ]] || continue
    # shellcheck disable=SC2086  # the matrix is nine separate arguments
    if xinput set-prop "$id" "Coordinate Transformation Matrix" $matrix; then
      rotated=$((rotated + 1))
    else
      say "could not rotate the touch input of '$name'"
    fi
  done < <(paste <(xinput list --id-only) <(xinput list --name-only))
  [ "$rotated" -gt 0 ] || say "no touch device found to rotate (set KIOSK_TOUCH_DEVICE)"
  say "display $output rotated $rotate"
fi

# 4. The kiosk replaces this shell: same pid, so its sd_notify messages are accepted.
exec "$app_dir/.venv/bin/kiosk" --config "$config" "$@"
