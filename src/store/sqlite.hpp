#pragma once
#include <memory>
#include <string>

#include "store/db.hpp"

namespace gatehouse::store {
/// Opens a SQLite connection in WAL mode with a busy timeout and foreign keys on.
std::unique_ptr<Conn> open_sqlite(const std::string& path);
}
