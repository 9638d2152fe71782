"""`kiosk-admin`: the installer's and technician's command line (plain Python, no Kivy).

- `checks`: the doctor's checks as a library (`Check` results), shared with the
  maintenance screens;
- `network`: platform diagnostics (DNS, TCP, TLS, health latency, token, clock offset);
- `doctor`: runs the checks for a configuration and formats the report;
- `provision`: writes a terminal's configuration, outbox key and permissions;
- `export_logs`: a masked bundle of logs and diagnostics for the district;
- `cli`: the `kiosk-admin` entry point.
"""
