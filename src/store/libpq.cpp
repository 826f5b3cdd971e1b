#include "store/libpq.hpp"

#include <stdexcept>

#include "core/shared_library.hpp"
#include "store/db.hpp"

namespace gatehouse::store {

const LibPq& libpq() {
  static const LibPq api = [] {
    try {
      SharedLibrary lib({"libpq.so.5"}, "libpq5");
      LibPq a{};
#define GATEHOUSE_BIND(field, fn) a.field = lib.function<decltype(fn)>(#fn)
      GATEHOUSE_BIND(clear, PQclear);
      GATEHOUSE_BIND(cmdTuples, PQcmdTuples);
      GATEHOUSE_BIND(connectdb, PQconnectdb);
      GATEHOUSE_BIND(errorMessage, PQerrorMessage);
      GATEHOUSE_BIND(exec, PQexec);
      GATEHOUSE_BIND(execPrepared, PQexecPrepared);
      GATEHOUSE_BIND(finish, PQfinish);
      GATEHOUSE_BIND(getisnull, PQgetisnull);
      GATEHOUSE_BIND(getlength, PQgetlength);
      GATEHOUSE_BIND(getvalue, PQgetvalue);
      GATEHOUSE_BIND(nfields, PQnfields);
      GATEHOUSE_BIND(ntuples, PQntuples);
      GATEHOUSE_BIND(prepare, PQprepare);
      GATEHOUSE_BIND(resultErrorField, PQresultErrorField);
      GATEHOUSE_BIND(resultErrorMessage, PQresultErrorMessage);
      GATEHOUSE_BIND(resultStatus, PQresultStatus);
      GATEHOUSE_BIND(setNoticeProcessor, PQsetNoticeProcessor);
      GATEHOUSE_BIND(status, PQstatus);
#undef GATEHOUSE_BIND
      return a;
    } catch (const std::runtime_error& e) {
      throw DbError(DbError::Kind::connection, e.what());
    }
  }();
  return api;
}

}  // namespace gatehouse::store
