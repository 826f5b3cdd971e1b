#pragma once
#include <memory>
#include <string>

#include "store/db.hpp"

namespace gatehouse::store {
/// Opens a libpq connection from a postgresql:// URI.
std::unique_ptr<Conn> open_postgres(const std::string& url);
}
