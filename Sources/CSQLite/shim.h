// SQLite 3 (Debian's libsqlite3-dev), for the history database (Sources/History/HistoryDatabase.swift).
#include <sqlite3.h>
