#!/bin/sh
# Double-clicked in Finder, this opens a Terminal window and starts
# mastomigrate's page in your browser: `mastomigrate ui`, with the
# mastomigrate beside this file. Closing the window stops the page.
exec "$(dirname "$0")/mastomigrate" ui
