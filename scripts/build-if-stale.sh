#!/bin/sh
# Usage: build-if-stale.sh dist/doctor/doctor.js
# Runs `nest build` only when the given output is missing or older than a file it is built
# from, so that `npm run doctor` on a built checkout starts at once instead of rebuilding.
# nest-cli.json's deleteOutDir rewrites every output, so one file's age stands for dist/.
out="$1"
if [ ! -f "$out" ] || [ -n "$(find src tsconfig.json tsconfig.build.json nest-cli.json package-lock.json -newer "$out" -print 2>/dev/null | head -n 1)" ]; then
  npx nest build || exit 1
fi
