#!/bin/sh
# Scheduled backup of Essaimage: one `manage.py backup` archive per run, the newest
# $BACKUP_KEEP kept. Cron example (every night at 03:15, as the application's user):
#   15 3 * * * /srv/essaimage/deploy/backup.sh >> /srv/essaimage/var/backup.log 2>&1
# Settings come from the environment, as for the site (DATABASE_URL, MEDIA_ROOT…).
set -eu
cd "$(dirname "$0")/.."
DEST=${BACKUP_DIR:-var/backups}
KEEP=${BACKUP_KEEP:-14}
PYTHON=${PYTHON:-.venv/bin/python}
mkdir -p "$DEST"
stamp=$(date -u +%Y%m%d-%H%M%S)
"$PYTHON" manage.py backup "$DEST/essaimage-$stamp.zip"
# Archives are named by date, so the oldest sort first.
ls -1 "$DEST"/essaimage-*.zip | head -n "-$KEEP" | while read -r old; do rm -f -- "$old"; done
