#pragma once
// The libpq functions the PostgreSQL engine calls, loaded from libpq.so.5 when the first
// connection opens (core/shared_library.hpp says why). Types come from <libpq-fe.h>.
#include <libpq-fe.h>

namespace gatehouse::store {

struct LibPq {
  decltype(&::PQclear) clear;
  decltype(&::PQcmdTuples) cmdTuples;
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQerrorMessage) errorMessage;
  decltype(&::PQexec) exec;
  decltype(&::PQexecPrepared) execPrepared;
  decltype(&::PQfinish) finish;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQgetlength) getlength;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQnfields) nfields;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQprepare) prepare;
  decltype(&::PQresultErrorField) resultErrorField;
  decltype(&::PQresultErrorMessage) resultErrorMessage;
  decltype(&::PQresultStatus) resultStatus;
  decltype(&::PQsetNoticeProcessor) setNoticeProcessor;
  decltype(&::PQstatus) status;
};

/// Loads libpq on the first call (thread-safe); throws DbError (connection) when it is not
/// installed.
const LibPq& libpq();

}  // namespace gatehouse::store
