#!/usr/bin/env bash
# Installs (or updates) this kiosk on a Debian 12 terminal as a 24/7 systemd service.
# Run as root from a clone of the repository; idempotent: run it again after `git pull`.
#
#   sudo scripts/install-terminal.sh               install, enable, (re)start if configured
#   scripts/install-terminal.sh --dry-run          print every step, change nothing
#   scripts/install-terminal.sh --dry-run --root DIR   the same with every path under DIR
#   sudo scripts/install-terminal.sh --no-start    install and enable, do not (re)start
#
# What it does (README "Deploying a terminal"):
#   Debian packages for the X session; user and group kiosk (system user, no login shell,
#   home /var/lib/village-kiosk, groups audio video render dialout); the code in
#   /opt/village-kiosk (root-owned, with its .venv from scripts/setup.sh);
#   /etc/village-kiosk (root:kiosk 0750), /var/lib/village-kiosk and /var/log/village-kiosk
#   (kiosk:kiosk 0750); the systemd units, udev rules, X server settings and journald
#   settings from deploy/; systemd and udev reloaded; village-kiosk.service enabled, and
#   (re)started when /etc/village-kiosk/terminal.toml passes `kiosk --check-config`.
# No logrotate file: the kiosk rotates technician.log itself (log.max_bytes, log.backups).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP_DIR=/opt/village-kiosk         # the units' ExecStart paths point here
USER_NAME=kiosk
SUPPLEMENTARY_GROUPS=(audio video render dialout)
X_PACKAGES=(xserver-xorg-core xserver-xorg-input-libinput x11-xserver-utils xinput xauth
            alsa-utils)

dry_run=0
root=""
start=1
usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --root) [ $# -ge 2 ] || { usage >&2; exit 2; }; root=${2%/}; shift ;;
    --root=*) root=${1#--root=}; root=${root%/} ;;
    --no-start) start=0 ;;
    -h|--help) usage; exit 0 ;;
    *) printf 'install-terminal: unknown option %s\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$root" ] && [ "$dry_run" -eq 0 ]; then
  # Users, packages, systemd and udev belong to the running system: a real install into
  # another root would only half work, so it is refused rather than half done.
  echo "install-terminal: --root is only for --dry-run" >&2; exit 2
fi
if [ "$dry_run" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-terminal: run as root (sudo $0), or --dry-run to see the steps" >&2; exit 1
fi

say() { printf 'install-terminal: %s\n' "$*"; }
# Every change goes through run: printed as a shell command, executed unless --dry-run.
run() {
  local word
  printf '+'
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then printf ' %s' "$word"
    else printf ' %q' "$word"; fi
  done
  printf '\n'
  [ "$dry_run" -eq 1 ] || "$@"
}
has_user() {
  if [ -n "$root" ]; then grep -q "^$1:" "$root/etc/passwd" 2>/dev/null
  else getent passwd "$1" >/dev/null; fi
}
has_group() {
  if [ -n "$root" ]; then grep -q "^$1:" "$root/etc/group" 2>/dev/null
  else getent group "$1" >/dev/null; fi
}

# 1. Debian packages for the display (scripts/setup.sh adds fonts, Mesa, espeak-ng ...).
missing=()
for p in "${X_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  run apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

# 2. The kiosk user: a system user that cannot log in. Not in group "input": Kivy would
#    then also read the touch screen straight from /dev/input (every touch twice, and
#    unrotated); the scanner's event device is given to group kiosk by the udev rules.
if ! has_group "$USER_NAME"; then
  run groupadd --system "$USER_NAME"
fi
if ! has_user "$USER_NAME"; then
  run useradd --system --gid "$USER_NAME" --home-dir /var/lib/village-kiosk --no-create-home \
    --shell /usr/sbin/nologin --comment "village kiosk" "$USER_NAME"
fi
groups=()
for g in "${SUPPLEMENTARY_GROUPS[@]}"; do
  if has_group "$g" || [ "$dry_run" -eq 1 ]; then groups+=("$g"); fi
done
run usermod --append --groups "$(IFS=,; echo "${groups[*]}")" "$USER_NAME"

# 3. The code: root-owned, so the kiosk cannot change what it runs. The clone's files
#    that git does not ignore (no .venv, var/, screenshots); the old tree is cleared
#    except .venv. A running kiosk is stopped first, so it never imports a half-copied tree.
if [ "$repo" != "$APP_DIR" ]; then
  if [ -z "$root" ] && systemctl is-active --quiet village-kiosk.service 2>/dev/null; then
    run systemctl stop village-kiosk.service
  fi
  run install -d -m 0755 -o root -g root "$root$APP_DIR"
  run find "$root$APP_DIR" -mindepth 1 -maxdepth 1 ! -name .venv -exec rm -rf {} +
  if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    list=(git ls-files -z --cached --others --exclude-standard)
    # --ignore-failed-read: a file deleted in the clone but not yet in git is skipped.
    printf '+ (cd %q && %s | tar --null -T - --ignore-failed-read -cf -) | tar -C %q -xf - --no-same-owner\n' \
      "$repo" "${list[*]}" "$root$APP_DIR"
    if [ "$dry_run" -eq 0 ]; then
      (cd "$repo" && "${list[@]}" | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
        tar -C "$root$APP_DIR" -xf - --no-same-owner
    fi
  else
    printf '+ tar -C %q --exclude=./.venv --exclude=./var -cf - . | tar -C %q -xf - --no-same-owner\n' \
      "$repo" "$root$APP_DIR"
    if [ "$dry_run" -eq 0 ]; then
      tar -C "$repo" --exclude=./.venv --exclude=./var --exclude=./screenshots -cf - . |
        tar -C "$root$APP_DIR" -xf - --no-same-owner
    fi
  fi
fi
run "$root$APP_DIR/scripts/setup.sh"
run "$root$APP_DIR/.venv/bin/python" -m compileall -q -x '/(\.venv|tests)/' "$root$APP_DIR"
run chown -R root:root "$root$APP_DIR"
for command in kiosk kiosk-admin; do  # on the technician's PATH
  run ln -sfn "$APP_DIR/.venv/bin/$command" "$root/usr/local/bin/$command"
done

# 4. Folders. /etc/village-kiosk holds the platform token and the PIN hash: root writes,
#    the kiosk reads. State and logs belong to the kiosk; files a technician made there as
#    root (e.g. the outbox key from `kiosk --create-outbox-key`) are handed back to it.
run install -d -m 0750 -o root -g "$USER_NAME" "$root/etc/village-kiosk"
run install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$root/var/lib/village-kiosk"
run install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$root/var/log/village-kiosk"
run chown -R "$USER_NAME:$USER_NAME" "$root/var/lib/village-kiosk" "$root/var/log/village-kiosk"
if [ -f "$root/etc/village-kiosk/terminal.toml" ]; then
  run chown root:"$USER_NAME" "$root/etc/village-kiosk/terminal.toml"
  run chmod 0640 "$root/etc/village-kiosk/terminal.toml"
fi
if [ ! -f "$root/etc/village-kiosk/session.conf" ]; then  # keep a technician's edits
  run install -m 0640 -o root -g "$USER_NAME" "$repo/deploy/session.conf" \
    "$root/etc/village-kiosk/session.conf"
fi

# 5. Units, udev rules, X and journald settings.
install_file() {  # install_file SOURCE-IN-deploy/ TARGET
  run install -D -m 0644 -o root -g root "$repo/deploy/$1" "$root$2"
}
install_file village-kiosk.service /etc/systemd/system/village-kiosk.service
install_file village-kiosk-x.service /etc/systemd/system/village-kiosk-x.service
install_file 99-village-kiosk.rules /etc/udev/rules.d/99-village-kiosk.rules
install_file 10-village-kiosk.conf /etc/X11/xorg.conf.d/10-village-kiosk.conf
install_file journald-village-kiosk.conf /etc/systemd/journald.conf.d/village-kiosk.conf

# 6. Reload and enable. The X unit is started by the kiosk unit (Requires=).
run systemctl daemon-reload
run systemctl restart systemd-journald
run udevadm control --reload
run udevadm trigger --action=add --subsystem-match=tty --subsystem-match=usbmisc \
  --subsystem-match=usb --subsystem-match=input
run systemctl enable village-kiosk.service
if systemctl is-enabled display-manager.service >/dev/null 2>&1; then
  say "warning: a display manager is enabled; it competes for the screen:" \
      "systemctl disable display-manager.service"
fi

config=/etc/village-kiosk/terminal.toml
if [ "$start" -eq 0 ]; then
  say "installed; not started (--no-start)"
elif [ ! -f "$root$config" ]; then
  say "installed; not started: write $config first with" \
      "kiosk-admin provision ... --user $USER_NAME (README), then systemctl start village-kiosk"
elif [ "$dry_run" -eq 1 ]; then
  run runuser -u "$USER_NAME" -- "$APP_DIR/.venv/bin/kiosk" --config "$config" --check-config
  run systemctl restart village-kiosk.service
elif runuser -u "$USER_NAME" -- "$APP_DIR/.venv/bin/kiosk" --config "$config" --check-config; then
  run systemctl restart village-kiosk.service
  say "started: systemctl status village-kiosk; journalctl -u village-kiosk -f"
else
  say "installed; not started: $config was refused (above); fix it, then" \
      "systemctl start village-kiosk"
fi
